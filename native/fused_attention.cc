// Causal attention for training (fused_attention.h): per (batch, kv head) task, on both threads.
#include "fused_attention.h"

#include <algorithm>
#include <vector>

#include "fused_kernels.h"
#include "gemm_api.h"
#include "worker_pool.h"

namespace posttrain {
namespace fused {
namespace {

constexpr float kMasked = -1e8f;  // at or below: a masked key (the model uses -1e9)
constexpr float kVisible = -1e3f;  // at or above: a visible key
constexpr int64_t kRowBlock = 8;   // query rows per block; the causal column limit rises by this much per block

void SmallGemmPortable(int64_t rows, int64_t cols, int64_t depth, const float* a, int64_t a_row, int64_t a_inner,
                       const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  for (int64_t r = 0; r < rows; ++r) {
    float* cr = c + r * ldc;
    if (!accumulate) std::fill(cr, cr + cols, 0.f);
    for (int64_t i = 0; i < depth; ++i) {
      const float x = a[r * a_row + i * a_inner];
      const float* bi = b + i * ldb;
      for (int64_t j = 0; j < cols; ++j) cr[j] += x * bi[j];
    }
  }
}

// Whether mask row block [seq, seq] is causal in the sense of fused_attention.h.
bool IsCausal(const float* mask, int64_t seq) {
  for (int64_t i = 0; i < seq; ++i) {
    const float* row = mask + i * seq;
    bool any_visible = false;
    for (int64_t j = 0; j < seq; ++j) {
      const float m = row[j];
      const bool masked = m <= kMasked;
      if (!masked && m < kVisible) return false;
      if (j > i && !masked) return false;
      any_visible |= j <= i && !masked;
    }
    if (!any_visible) return false;
  }
  return true;
}

// Row stride of a transposed [hd, T] copy: T plus 16 floats, so its rows do not all fall in the same few cache
// sets when T is a multiple of 512 floats (a 2 KiB stride made the scores product miss L1 on every row at T 512).
inline int64_t TransposedStride(int64_t seq) { return seq + 16; }

// k [T, hd] -> kt [hd, T] with row stride TransposedStride(T)
void Transpose(const float* k, float* kt, int64_t seq, int64_t hd) {
  const int64_t ld = TransposedStride(seq);
  for (int64_t j = 0; j < seq; ++j)
    for (int64_t d = 0; d < hd; ++d) kt[d * ld + j] = k[j * hd + d];
}

struct AttentionJob {
  const float *q, *k, *v, *mask, *p_in, *dout;
  float *p, *out, *dq, *dk, *dv;
  AttentionShape s;
  std::vector<char> causal;  // per mask batch row
};

// Columns a query block starting at row i0 needs: i0 + kRowBlock when causal (clipped), else all.
inline int64_t BlockCols(bool causal, int64_t i0, int64_t seq) {
  return causal ? std::min(seq, i0 + kRowBlock) : seq;
}

void ForwardHead(const AttentionJob& job, int64_t b, int64_t h, std::vector<float>& kt) {
  const AttentionShape& s = job.s;
  const int64_t T = s.seq, hd = s.hd, kv = h / (s.heads / s.kv_heads);
  const int64_t mb = s.mask_batch == 1 ? 0 : b;
  const bool causal = job.causal[mb] != 0;
  const float* q = job.q + (b * s.heads + h) * T * hd;
  const float* k = job.k + (b * s.kv_heads + kv) * T * hd;
  const float* v = job.v + (b * s.kv_heads + kv) * T * hd;
  const float* mask = job.mask + mb * T * T;
  float* p = job.p + (b * s.heads + h) * T * T;
  float* out = job.out + (b * s.heads + h) * T * hd;
  const KernelTable& kernels = CurrentKernels();
  Transpose(k, kt.data(), T, hd);
  for (int64_t i0 = 0; i0 < T; i0 += kRowBlock) {
    const int64_t rows = std::min(kRowBlock, T - i0), cols = BlockCols(causal, i0, T);
    SmallGemm(rows, cols, hd, q + i0 * hd, hd, 1, kt.data(), TransposedStride(T), p + i0 * T, T, false);
    for (int64_t i = i0; i < i0 + rows; ++i) {
      float* row = p + i * T;
      kernels.mask_softmax_row(row, mask + i * T, cols);
      std::fill(row + cols, row + T, 0.f);
    }
    SmallGemm(rows, hd, cols, p + i0 * T, T, 1, v, hd, out + i0 * hd, hd, false);
  }
}

void ForwardTask(void* context, int task) {
  const AttentionJob& job = *static_cast<const AttentionJob*>(context);
  const int64_t group = job.s.heads / job.s.kv_heads;
  const int64_t b = task / job.s.kv_heads, kv = task % job.s.kv_heads;
  thread_local std::vector<float> kt;
  kt.resize(TransposedStride(job.s.seq) * job.s.hd);
  for (int64_t h = kv * group; h < (kv + 1) * group; ++h) ForwardHead(job, b, h, kt);
}

void BackwardTask(void* context, int task) {
  const AttentionJob& job = *static_cast<const AttentionJob*>(context);
  const AttentionShape& s = job.s;
  const int64_t T = s.seq, hd = s.hd, group = s.heads / s.kv_heads;
  const int64_t b = task / s.kv_heads, kv = task % s.kv_heads;
  const bool causal = job.causal[s.mask_batch == 1 ? 0 : b] != 0;
  const KernelTable& kernels = CurrentKernels();
  const float* k = job.k + (b * s.kv_heads + kv) * T * hd;
  const float* v = job.v + (b * s.kv_heads + kv) * T * hd;
  float* dk = job.dk + (b * s.kv_heads + kv) * T * hd;
  float* dv = job.dv + (b * s.kv_heads + kv) * T * hd;
  thread_local std::vector<float> vt, ds;
  vt.resize(TransposedStride(T) * hd);
  ds.resize(T * T);
  Transpose(v, vt.data(), T, hd);
  for (int64_t h = kv * group; h < (kv + 1) * group; ++h) {
    const int64_t head = (b * s.heads + h);
    const float* q = job.q + head * T * hd;
    const float* p = job.p_in + head * T * T;
    const float* dout = job.dout + head * T * hd;
    float* dq = job.dq + head * T * hd;
    const bool first = h == kv * group;
    for (int64_t i0 = 0; i0 < T; i0 += kRowBlock) {
      const int64_t rows = std::min(kRowBlock, T - i0), cols = BlockCols(causal, i0, T);
      float* dsb = ds.data() + i0 * T;
      SmallGemm(rows, cols, hd, dout + i0 * hd, hd, 1, vt.data(), TransposedStride(T), dsb, T, false);  // dp
      for (int64_t i = 0; i < rows; ++i) kernels.softmax_grad_row(dsb + i * T, p + (i0 + i) * T, cols);
      SmallGemm(rows, hd, cols, dsb, T, 1, k, hd, dq + i0 * hd, hd, false);
    }
    // dk[j] = sum_i ds[i, j] q[i], dv[j] = sum_i p[i, j] dout[i], over the rows i that see key j: i >= j0 when
    // causal (every such row's block computed column j, as blocks are aligned), all rows otherwise.
    for (int64_t j0 = 0; j0 < T; j0 += kRowBlock) {
      const int64_t rows = std::min(kRowBlock, T - j0), i_start = causal ? j0 : 0;
      SmallGemm(rows, hd, T - i_start, ds.data() + i_start * T + j0, 1, T, q + i_start * hd, hd, dk + j0 * hd, hd,
                !first);
      SmallGemm(rows, hd, T - i_start, p + i_start * T + j0, 1, T, dout + i_start * hd, hd, dv + j0 * hd, hd, !first);
    }
  }
}

void RunTasks(AttentionJob& job, WorkerPool::TaskFn fn, const float* mask) {
  const AttentionShape& s = job.s;
  job.causal.resize(s.mask_batch);
  for (int64_t mb = 0; mb < s.mask_batch; ++mb) job.causal[mb] = IsCausal(mask + mb * s.seq * s.seq, s.seq);
  const int tasks = static_cast<int>(s.batch * s.kv_heads);
  if (Threads() >= 2 && tasks >= 2) {
    WorkerPool::Get().Run(fn, &job, tasks);
  } else {
    for (int t = 0; t < tasks; ++t) fn(&job, t);
  }
}

}  // namespace

void SmallGemm(int64_t rows, int64_t cols, int64_t depth, const float* a, int64_t a_row, int64_t a_inner,
               const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  if (CurrentIsa() == Isa::kAvx512) {
    SmallGemmAvx512(rows, cols, depth, a, a_row, a_inner, b, ldb, c, ldc, accumulate);
  } else {
    SmallGemmPortable(rows, cols, depth, a, a_row, a_inner, b, ldb, c, ldc, accumulate);
  }
}

void AttentionForward(const float* q, const float* k, const float* v, const float* mask, float* p, float* out,
                      const AttentionShape& s) {
  AttentionJob job{};
  job.q = q;
  job.k = k;
  job.v = v;
  job.mask = mask;
  job.p = p;
  job.out = out;
  job.s = s;
  RunTasks(job, ForwardTask, mask);
}

void AttentionBackward(const float* dout, const float* p, const float* q, const float* k, const float* v,
                       const float* mask, float* dq, float* dk, float* dv, const AttentionShape& s) {
  AttentionJob job{};
  job.dout = dout;
  job.p_in = p;
  job.q = q;
  job.k = k;
  job.v = v;
  job.mask = mask;
  job.dq = dq;
  job.dk = dk;
  job.dv = dv;
  job.s = s;
  RunTasks(job, BackwardTask, mask);
}

}  // namespace fused
}  // namespace posttrain
