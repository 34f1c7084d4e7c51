// Fused training kernels (issue 8, lever 3): each replaces a chain of small tfjs element-wise ops in the forward or
// backward pass of one model block, reading every input once and writing every output once, on both threads.
// All tensors are float32 (targets int32), row-major; outputs are fresh buffers that alias no input.
#pragma once
#include <cstdint>

namespace posttrain {
namespace fused {

// RMSNorm over rows of x [rows, cols]: r[i] = 1 / sqrt(mean_j x[i,j]^2 + eps), y = x * r * w.
void RmsNormForward(const float* x, const float* w, float* y, float* r, int64_t rows, int64_t cols, float eps);
// Its gradient: with xhat = x * r and g = dy * w, dx = r * (g - xhat * mean_j(g * xhat)), dw = sum_i dy * xhat.
void RmsNormBackward(const float* dy, const float* x, const float* w, const float* r, float* dx, float* dw,
                     int64_t rows, int64_t cols);

// RoPE (rotate-half) plus the head transpose: x [B, T, H, hd] -> y [B, H, T, hd],
// y = scale * (x * cos + rotate_half(x) * sin), rotate_half(x) = [-x2, x1]; cos/sin [tableRows, T, hd] with
// tableRows 1 (shared) or B. cos == nullptr: the transpose alone (times scale).
void RopeToHeads(const float* x, const float* cos, const float* sin, float* y, int64_t batch, int64_t seq,
                 int64_t heads, int64_t hd, int64_t table_rows, float scale);
// Its transpose (the gradient, and with cos == nullptr the merge of heads): dy [B, H, T, hd] -> dx [B, T, H, hd].
void RopeFromHeads(const float* dy, const float* cos, const float* sin, float* dx, int64_t batch, int64_t seq,
                   int64_t heads, int64_t hd, int64_t table_rows, float scale);

// p = softmax(s + mask) over the last axis; s [B, H, T, S], mask [maskBatch, 1, T, S] (maskBatch 1 or B).
void MaskedSoftmaxForward(const float* s, const float* mask, float* p, int64_t batch, int64_t heads, int64_t seq,
                          int64_t cols, int64_t mask_batch);
// ds = p * (dy - sum_j dy * p), rows of length cols.
void SoftmaxBackward(const float* dy, const float* p, float* ds, int64_t rows, int64_t cols);

// a = g * sigmoid(g) * u.
void SwiGluForward(const float* g, const float* u, float* a, int64_t n);
// du = dy * g * s, dg = dy * u * s * (1 + g * (1 - s)), s = sigmoid(g).
void SwiGluBackward(const float* dy, const float* g, const float* u, float* dg, float* du, int64_t n);

// Per row of logits [rows, vocab]: lse[i] = logsumexp_j logits[i, j], logprob[i] = logits[i, target[i]] - lse[i];
// lse may be null (no backward pass). Targets must lie in [0, vocab).
void TokenLogprobsForward(const float* logits, const int32_t* targets, float* logprobs, float* lse, int64_t rows,
                          int64_t vocab);
// dlogits[i, j] = dy[i] * ([j == target[i]] - exp(logits[i, j] - lse[i])): the softmax is recomputed, not stored.
void TokenLogprobsBackward(const float* logits, const float* lse, const int32_t* targets, const float* dy,
                           float* dlogits, int64_t rows, int64_t vocab);

// One AdamW step (PyTorch order, see src/train/adamw.ts), writing the new p, m, v to fresh buffers:
// m' = b1 m + (1 - b1) g, v' = b2 v + (1 - b2) g^2, p' = p * decay - step * m' / (sqrt(v') / bc2_sqrt + eps).
struct AdamWScalars {
  float decay, beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, bc2_sqrt, eps;
};
void AdamWUpdate(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out,
                 float* v_out, int64_t n, const AdamWScalars& s);

}  // namespace fused
}  // namespace posttrain
