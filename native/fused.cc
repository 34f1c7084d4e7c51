// Dispatch of the fused kernels (fused.h) to the instruction set the GEMM uses, and their split over both threads.
#include "fused.h"

#include <algorithm>
#include <vector>

#include "fused_kernels.h"
#include "gemm_api.h"
#include "worker_pool.h"

namespace posttrain {
namespace fused {
namespace {

// Below this many floats touched a kernel takes a few microseconds: one thread, no hand-off.
constexpr int64_t kMinParallelFloats = int64_t{1} << 15;
// Parts per call: more than the two threads, so a helper that wakes late still takes a share.
constexpr int kParts = 4;

const KernelTable& Kernels() { return CurrentKernels(); }

template <typename Args>
struct Job {
  const Args* args;
  void (*body)(const Args&, int64_t, int64_t);
  int64_t count;
  int64_t align;  // part boundaries are multiples of this (whole vectors for element-wise kernels)
};

template <typename Args>
void RunPart(void* context, int part) {
  const Job<Args>& job = *static_cast<const Job<Args>*>(context);
  auto bound = [&](int p) {
    if (p == kParts) return job.count;
    return std::min(job.count, (job.count * p / kParts) / job.align * job.align);
  };
  const int64_t begin = bound(part), end = bound(part + 1);
  if (begin < end) job.body(*job.args, begin, end);
}

// Runs body over [0, count) in kParts ranges, on both threads when the call touches enough memory to pay.
template <typename Args>
void Split(const Args& args, void (*body)(const Args&, int64_t, int64_t), int64_t count, int64_t floats,
           int64_t align = 1) {
  Job<Args> job{&args, body, count, align};
  if (Threads() >= 2 && count >= 2 && floats >= kMinParallelFloats) {
    WorkerPool::Get().Run(RunPart<Args>, &job, kParts);
  } else {
    body(args, 0, count);
  }
}

struct RmsBackwardJob {
  const RmsNormArgs* args;
  void (*body)(const RmsNormArgs&, int64_t, int64_t, int);
};

void RmsBackwardPart(void* context, int part) {
  const RmsBackwardJob& job = *static_cast<const RmsBackwardJob*>(context);
  const int64_t rows = job.args->rows;
  job.body(*job.args, rows * part / kParts, rows * (part + 1) / kParts, part);
}

}  // namespace

const KernelTable& CurrentKernels() {
  switch (CurrentIsa()) {
    case Isa::kAvx512: return KernelsAvx512();
    case Isa::kAvx2: return KernelsAvx2();
    default: return KernelsScalar();
  }
}

void RmsNormForward(const float* x, const float* w, float* y, float* r, int64_t rows, int64_t cols, float eps) {
  RmsNormArgs args{};
  args.x = x;
  args.w = w;
  args.y = y;
  args.r = r;
  args.rows = rows;
  args.cols = cols;
  args.eps = eps;
  Split(args, Kernels().rms_forward, rows, rows * cols * 2);
}

void RmsNormBackward(const float* dy, const float* x, const float* w, const float* r, float* dx, float* dw,
                     int64_t rows, int64_t cols) {
  // Each part sums its rows' dw into its own row, so the threads never write the same memory; then one pass adds
  // the parts in a fixed order (the result does not depend on which thread ran which part).
  std::vector<float> parts(static_cast<size_t>(kParts * cols), 0.f);
  RmsNormArgs args{};
  args.dy = dy;
  args.x = x;
  args.w = w;
  args.r_in = r;
  args.dx = dx;
  args.dw_parts = parts.data();
  args.rows = rows;
  args.cols = cols;
  RmsBackwardJob job{&args, Kernels().rms_backward};
  if (Threads() >= 2 && rows >= kParts && rows * cols * 3 >= kMinParallelFloats) {
    WorkerPool::Get().Run(RmsBackwardPart, &job, kParts);
  } else {
    for (int part = 0; part < kParts; ++part) RmsBackwardPart(&job, part);
  }
  for (int64_t j = 0; j < cols; ++j) {
    float sum = 0.f;
    for (int part = 0; part < kParts; ++part) sum += parts[part * cols + j];
    dw[j] = sum;
  }
}

void RopeToHeads(const float* x, const float* cos, const float* sin, float* y, int64_t batch, int64_t seq,
                 int64_t heads, int64_t hd, int64_t table_rows, float scale) {
  const RopeArgs args{x, cos, sin, y, batch, seq, heads, hd, table_rows, scale};
  Split(args, Kernels().rope_to_heads, batch * seq, batch * seq * heads * hd * 2);
}

void RopeFromHeads(const float* dy, const float* cos, const float* sin, float* dx, int64_t batch, int64_t seq,
                   int64_t heads, int64_t hd, int64_t table_rows, float scale) {
  const RopeArgs args{dy, cos, sin, dx, batch, seq, heads, hd, table_rows, scale};
  Split(args, Kernels().rope_from_heads, batch * seq, batch * seq * heads * hd * 2);
}

void MaskedSoftmaxForward(const float* s, const float* mask, float* p, int64_t batch, int64_t heads, int64_t seq,
                          int64_t cols, int64_t mask_batch) {
  SoftmaxArgs args{};
  args.s = s;
  args.mask = mask;
  args.p = p;
  args.batch = batch;
  args.heads = heads;
  args.seq = seq;
  args.cols = cols;
  args.mask_batch = mask_batch;
  args.rows = batch * heads * seq;
  Split(args, Kernels().softmax_forward, args.rows, args.rows * cols * 3);
}

void SoftmaxBackward(const float* dy, const float* p, float* ds, int64_t rows, int64_t cols) {
  SoftmaxArgs args{};
  args.dy = dy;
  args.p_in = p;
  args.ds = ds;
  args.cols = cols;
  args.rows = rows;
  Split(args, Kernels().softmax_backward, rows, rows * cols * 3);
}

void SwiGluForward(const float* g, const float* u, float* a, int64_t n) {
  ElementwiseArgs args{};
  args.g = g;
  args.u = u;
  args.a = a;
  Split(args, Kernels().swiglu_forward, n, n * 3, 16);
}

void SwiGluBackward(const float* dy, const float* g, const float* u, float* dg, float* du, int64_t n) {
  ElementwiseArgs args{};
  args.dy = dy;
  args.g = g;
  args.u = u;
  args.dg = dg;
  args.du = du;
  Split(args, Kernels().swiglu_backward, n, n * 5, 16);
}

void AdamWUpdate(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                 float* v_out, int64_t n, const AdamWScalars& s) {
  ElementwiseArgs args{};
  args.p = p;
  args.g = g;
  args.m = m;
  args.v = v;
  args.p_out = p_out;
  args.m_out = m_out;
  args.v_out = v_out;
  args.adam = s;
  Split(args, Kernels().adamw, n, n * 7, 16);
}

void TokenLogprobsForward(const float* logits, const int32_t* targets, float* logprobs, float* lse, int64_t rows,
                          int64_t vocab) {
  LogprobArgs args{};
  args.logits = logits;
  args.targets = targets;
  args.logprobs = logprobs;
  args.lse = lse;
  args.rows = rows;
  args.vocab = vocab;
  Split(args, Kernels().logprobs_forward, rows, rows * vocab);
}

void TokenLogprobsBackward(const float* logits, const float* lse, const int32_t* targets, const float* dy,
                           float* dlogits, int64_t rows, int64_t vocab) {
  LogprobArgs args{};
  args.logits = logits;
  args.lse_in = lse;
  args.targets = targets;
  args.dy = dy;
  args.dlogits = dlogits;
  args.rows = rows;
  args.vocab = vocab;
  Split(args, Kernels().logprobs_backward, rows, rows * vocab * 2);
}

}  // namespace fused
}  // namespace posttrain
