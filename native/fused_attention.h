// Causal self-attention for training (issue 8): softmax(q k^T + mask) v and its gradient, computing only the blocks
// a causal mask leaves visible (about half the products of the full square) and never materialising the
// scores apart from the probabilities the backward pass reads. Grouped-query heads share k and v (head h uses
// kv head h / (H / KV)). Rows are split over both threads by (batch, kv head).
#pragma once
#include <cstdint>

namespace posttrain {
namespace fused {

struct AttentionShape {
  int64_t batch, heads, kv_heads, seq, hd;
  int64_t mask_batch;  // the mask is [mask_batch, 1, seq, seq], mask_batch 1 or batch
};

// q [B, H, T, hd] (already scaled), k, v [B, KV, T, hd], mask additive [MB, 1, T, T] -> p [B, H, T, T] =
// softmax(q k^T + mask) over the last axis, out [B, H, T, hd] = p v. A mask row is taken as causal (only keys
// j <= i computed, p = 0 beyond) when every entry is either <= -1e8 or >= -1e3, every j > i is <= -1e8 and some
// j <= i is not; otherwise that batch row is computed over the full square. Either way p and out equal the plain
// formula (the skipped exponentials underflow to exactly 0) for scores of magnitude below 1e7.
void AttentionForward(const float* q, const float* k, const float* v, const float* mask, float* p, float* out,
                      const AttentionShape& s);

// Gradient from dout [B, H, T, hd] and the forward's p: ds = p * (dp - rowsum(dp * p)) with dp = dout v^T,
// dq = ds k, dk = sum over the group's heads of ds^T q, dv = sum of p^T dout.
void AttentionBackward(const float* dout, const float* p, const float* q, const float* k, const float* v,
                       const float* mask, float* dq, float* dk, float* dv, const AttentionShape& s);

// C (rows x cols, row stride ldc) = [C +] A B with A(r, i) = a[r * a_row + i * a_inner] and B row-major (ldb), over
// i in [0, depth). The building block of the attention products; AVX-512 or portable by the current ISA.
void SmallGemm(int64_t rows, int64_t cols, int64_t depth, const float* a, int64_t a_row, int64_t a_inner,
               const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate);
void SmallGemmAvx512(int64_t rows, int64_t cols, int64_t depth, const float* a, int64_t a_row, int64_t a_inner,
                     const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate);

}  // namespace fused
}  // namespace posttrain
