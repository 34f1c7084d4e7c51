// Entry points of the native GEMM: choose an instruction set and thread count, run one batched problem.
#pragma once
#include "gemm.h"

namespace posttrain {

// Ordered fastest first; a CPU supporting one supports every later one.
enum class Isa : int { kAvx512 = 0, kAvx2 = 1, kScalar = 2 };

Isa BestIsa();
bool IsaSupported(Isa isa);
const char* IsaName(Isa isa);
Isa CurrentIsa();
// Forces a variant (tests use it to check every variant against the reference); false if the CPU lacks it.
bool SetIsa(Isa isa);
int Threads();
void SetThreads(int threads);  // 1 or 2

// Runs the whole problem (bias and activation included) on up to Threads() threads.
void Gemm(const GemmProblem& p);

}  // namespace posttrain
