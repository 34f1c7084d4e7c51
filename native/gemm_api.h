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

// Runs the whole problem (bias and activation included) on up to Threads() threads, or up to max_threads. The
// result does not depend on the thread count (every output is computed the same way whichever thread owns it).
void Gemm(const GemmProblem& p);
void Gemm(const GemmProblem& p, int max_threads);

// For callers that share several products out between the threads themselves (native/decode.cc): whether a
// problem of this much work is worth both threads, by the rule Gemm applies, and one rectangle of a problem (bias
// and activation included) on the calling thread with the current instruction set.
bool WorthBothThreads(const GemmProblem* const* problems, int count);
void GemmRangeHere(const GemmProblem& p, const GemmRange& r);

}  // namespace posttrain
