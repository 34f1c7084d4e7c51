// Per-instruction-set bodies of the fused kernels (fused.h): the same source (fused_kernels.inc) compiled for
// AVX-512, AVX2+FMA and the baseline, each body working on a range of rows (or elements) so fused.cc can split a
// call over both threads.
#pragma once
#include <cstdint>

#include "fused.h"

namespace posttrain {
namespace fused {

struct RmsNormArgs {
  const float *x, *w, *dy, *r_in;
  float *y, *r, *dx, *dw_parts;  // dw_parts: one row of column sums per part
  int64_t rows, cols;
  float eps;
};
struct RopeArgs {
  const float *in, *cos, *sin;
  float* out;
  int64_t batch, seq, heads, hd, table_rows;
  float scale;
};
struct SoftmaxArgs {
  const float *s, *mask, *dy, *p_in;
  float *p, *ds;
  int64_t batch, heads, seq, cols, mask_batch, rows;
};
struct ElementwiseArgs {
  const float *g, *u, *dy, *m, *v;
  float *a, *dg, *du, *p_out, *m_out, *v_out;
  const float* p;
  AdamWScalars adam;
};
struct LogprobArgs {
  const float *logits, *lse_in, *dy;
  const int32_t* targets;
  float *logprobs, *lse, *dlogits;
  int64_t rows, vocab;
};

// Row (or element) range [begin, end) of each kernel; `part` indexes dw_parts.
struct KernelTable {
  void (*rms_forward)(const RmsNormArgs&, int64_t begin, int64_t end);
  void (*rms_backward)(const RmsNormArgs&, int64_t begin, int64_t end, int part);
  void (*rope_to_heads)(const RopeArgs&, int64_t begin, int64_t end);  // rows = B * T
  void (*rope_from_heads)(const RopeArgs&, int64_t begin, int64_t end);
  void (*softmax_forward)(const SoftmaxArgs&, int64_t begin, int64_t end);
  void (*softmax_backward)(const SoftmaxArgs&, int64_t begin, int64_t end);
  void (*swiglu_forward)(const ElementwiseArgs&, int64_t begin, int64_t end);
  void (*swiglu_backward)(const ElementwiseArgs&, int64_t begin, int64_t end);
  void (*adamw)(const ElementwiseArgs&, int64_t begin, int64_t end);
  void (*logprobs_forward)(const LogprobArgs&, int64_t begin, int64_t end);
  void (*logprobs_backward)(const LogprobArgs&, int64_t begin, int64_t end);
  // One attention row in place: row = softmax(row + mask) over cols; ds = p * (ds - sum(ds * p)).
  void (*mask_softmax_row)(float* row, const float* mask, int64_t cols);
  void (*softmax_grad_row)(float* ds, const float* p, int64_t cols);
};

// The table of the instruction set the GEMM currently uses.
const KernelTable& CurrentKernels();

const KernelTable& KernelsAvx512();
const KernelTable& KernelsAvx2();
const KernelTable& KernelsScalar();

}  // namespace fused
}  // namespace posttrain
