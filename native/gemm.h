// Batched float32 GEMM used by the tfjs wasm backend's BatchMatMul and _FusedMatMul (see src/engine/native.ts).
// C[b] = act(op(A[b]) * op(B[b]) + bias), row-major, op = optional transpose.
#pragma once
#include <cstdint>

namespace posttrain {

enum class Activation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 4, kSigmoid = 5, kElu = 6 };

struct GemmProblem {
  const float* a;
  const float* b;
  float* c;
  int64_t batch;
  // Elements between consecutive batches; 0 broadcasts one matrix over every batch.
  int64_t batch_stride_a;
  int64_t batch_stride_b;
  int64_t m, n, k;
  bool trans_a;  // A is stored [k, m] instead of [m, k]
  bool trans_b;  // B is stored [n, k] instead of [k, n]
  const float* bias;  // nullptr, or bias_len == n (per column) or bias_len == 1 (scalar)
  int64_t bias_len;
  Activation activation;
  float leaky_alpha;
};

// One rectangle of the output: batches [b0, b1), rows [m0, m1), columns [n0, n1). Writes C without bias/activation.
struct GemmRange {
  int64_t b0, b1, m0, m1, n0, n1;
};

// Register tile of each instruction-set variant, so the caller can split work on tile boundaries.
struct TileShape {
  int64_t mr, nr;
};

using GemmRangeFn = void (*)(const GemmProblem&, const GemmRange&);

void GemmRangeAvx512(const GemmProblem& p, const GemmRange& r);
void GemmRangeAvx2(const GemmProblem& p, const GemmRange& r);
void GemmRangeScalar(const GemmProblem& p, const GemmRange& r);
extern const TileShape kTileAvx512, kTileAvx2, kTileScalar;

}  // namespace posttrain
