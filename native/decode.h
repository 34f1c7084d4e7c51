// One cached OLMo-2 forward step (prefill or one token per row) in a single native call, so generation pays one
// dispatch per step instead of ~270 tfjs kernels per token (see src/model/decode-native.ts).
//
// Semantics are HF Olmo2 as src/model/olmo2.ts implements them: per layer
//   q = rope(q_norm(x Wq^T)), k = rope(k_norm(x Wk^T)), v = x Wv^T   (norms over the whole projection)
//   h = x + post_attention_norm(softmax(q k^T / sqrt(hd) + mask) v Wo^T)
//   x = h + post_feedforward_norm((silu(h Wg^T) * h Wu^T) Wd^T)
// then logits = final_norm(x) lm_head^T for the last new token of each row. New keys (after RoPE) and values are
// written into the caches in place.
#pragma once
#include <cstdint>

namespace posttrain {

struct Olmo2Dims {
  int64_t batch;
  int64_t tokens;  // new tokens per row this step
  int64_t hidden, heads, kv_heads, head_dim, intermediate, vocab, layers;
  int64_t max_len;  // cache slots per row
  int64_t offset;   // cache slot of the first new token
  float eps;
  double rope_theta;
  // At most this many threads (1 or 2; never more than the GEMM's Threads()). The result does not depend on it.
  int threads;
};

// Weights in HF layout ([out, in] for projections); caches [batch, kv_heads, max_len, head_dim].
struct Olmo2LayerWeights {
  const float *q_proj, *k_proj, *v_proj, *o_proj, *q_norm, *k_norm;
  const float *post_attention_norm, *post_feedforward_norm, *gate_proj, *up_proj, *down_proj;
  float *k_cache, *v_cache;
};

struct Olmo2Weights {
  const float* embed;
  const Olmo2LayerWeights* layers;
  const float* final_norm;
  const float* lm_head;
};

// ids and positions [batch * tokens] (row-major; ids within [0, vocab)), key_valid [batch * max_len] (1: slot holds
// a real token once this step is written), logits [batch, vocab].
void Olmo2CachedForward(const Olmo2Dims& dims, const Olmo2Weights& weights, const int32_t* ids,
                        const int32_t* positions, const uint8_t* key_valid, float* logits);

// out[r] = log(sum_j exp(x[r, j])) for x [rows, cols], stably (through the row maximum); the log-probability
// normalisers generation needs for every row of logits at every step. NaN in a row gives NaN. When argmax is not
// null, also the greedy choice: argmax[r] = the first j with the largest x[r, j] (NaN entries never win, except at
// j = 0, as in src/model/sampling.ts argmax) and top[r] = x[r, argmax[r]].
void LogSumExpRows(const float* x, int64_t rows, int64_t cols, float* out, int32_t* argmax, float* top);

}  // namespace posttrain
