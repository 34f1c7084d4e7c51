// The cached OLMo-2 step of decode.h: projections through the native GEMM (skinny products read the weights in
// place, split by columns over both threads), everything between them here, on activations in per-thread scratch.
// Element-wise loops keep one rounding per operation in the order of the tfjs ops they replace (src/model/fused.ts,
// layers.ts), so results differ from the tfjs path only by summation order.
#include "decode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "elementwise.h"
#include "gemm_api.h"
#include "worker_pool.h"

namespace posttrain {
namespace {

// Hot loops are compiled for AVX-512, AVX2 and the baseline, picked at load time like the GEMM variants.
#define POSTTRAIN_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

// Sum of a[i] * b[i] over 16 independent lanes, so the compiler vectorises without reassociating a single sum.
// Inlined into the callers below, so it is compiled for each of their instruction sets.
inline __attribute__((always_inline)) float Dot(const float* a, const float* b, int64_t n) {
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += a[i + l] * b[i + l];
  for (int l = 0; i < n; ++i, ++l) lanes[l] += a[i] * b[i];
  float sum = 0.f;
  for (int l = 0; l < 16; ++l) sum += lanes[l];
  return sum;
}

// y[i] += s * x[i].
inline __attribute__((always_inline)) void Axpy(float s, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += s * x[i];
}

// out = (residual ? residual : 0) + (y * rsqrt(mean(y^2) + eps)) * w, per row of `cols` (fused.ts rmsNorm, the
// OLMo-2 norms: over the whole projection for q/k, after attention and the MLP before the residual add).
POSTTRAIN_VECTOR_CLONES void RmsNormRows(const float* y, int64_t rows, int64_t cols, const float* w, float eps,
                                         const float* residual, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    float* o = out + r * cols;
    const float inv = 1.f / std::sqrt(Dot(yr, yr, cols) / static_cast<float>(cols) + eps);
    if (residual != nullptr) {
      const float* x = residual + r * cols;
      for (int64_t j = 0; j < cols; ++j) o[j] = x[j] + (yr[j] * inv) * w[j];
    } else {
      for (int64_t j = 0; j < cols; ++j) o[j] = (yr[j] * inv) * w[j];
    }
  }
}

// g = (g * sigmoid(g)) * u (fused.ts swiGlu), sigmoid(g) = 1 / (1 + exp(-g)); e is scratch of n floats.
POSTTRAIN_VECTOR_CLONES void SwiGlu(float* g, const float* u, float* e, int64_t n) {
  for (int64_t i = 0; i < n; ++i) e[i] = -g[i];
  ExpF32(e, e, n);
  for (int64_t i = 0; i < n; ++i) g[i] = (g[i] * (1.f / (1.f + e[i]))) * u[i];
}

// y [rows, out] = x [rows, in] W^T, W stored [out, in] (HF layout).
GemmProblem LinearProblem(const float* x, int64_t rows, int64_t in, const float* w, int64_t out, float* y) {
  GemmProblem p{};
  p.a = x;
  p.b = w;
  p.c = y;
  p.batch = 1;
  p.m = rows;
  p.n = out;
  p.k = in;
  p.trans_b = true;
  p.bias = nullptr;
  p.activation = Activation::kLinear;
  return p;
}

void Linear(const Olmo2Dims& d, const float* x, int64_t rows, int64_t in, const float* w, int64_t out, float* y) {
  Gemm(LinearProblem(x, rows, in, w, out, y), d.threads);
}

// Up to three products of one input (q/k/v, gate/up). With few rows (decoding) the threads share them out as one
// job, each taking its half of every product's columns: one hand-off instead of one per product, so fewer chances
// to wait on a helper thread the scheduler has put aside. More rows: Gemm one by one, each split its own way.
struct LinearGroup {
  GemmProblem problems[3];
  int count = 0;

  void Add(const float* x, int64_t rows, int64_t in, const float* w, int64_t out, float* y) {
    problems[count++] = LinearProblem(x, rows, in, w, out, y);
  }

  static void Part(void* context, int part) {
    const LinearGroup& group = *static_cast<const LinearGroup*>(context);
    for (int i = 0; i < group.count; ++i) {
      const GemmProblem& p = group.problems[i];
      const int64_t cut = (p.n / 2) & ~int64_t{3};  // whole blocks of 4 columns (the skinny kernels' width)
      const int64_t n0 = part == 0 ? 0 : cut, n1 = part == 0 ? cut : p.n;
      if (n1 > n0) GemmRangeHere(p, {0, 1, 0, p.m, n0, n1});
    }
  }

  void Run(int threads) {
    const GemmProblem* all[3] = {&problems[0], &problems[1], &problems[2]};
    if (threads >= 2 && problems[0].m <= kGroupRows && WorthBothThreads(all, count)) {
      WorkerPool::Get().Run(Part, this, 2);
    } else {
      for (int i = 0; i < count; ++i) Gemm(problems[i], threads);
    }
  }

  // Rows up to which the GEMM reads a transposed B in place (gemm_driver.h kSkinnyRows), splitting it by columns.
  static constexpr int64_t kGroupRows = 16;
};

// RoPE in place, rotate-half convention: [x1, x2] -> [x1 cos - x2 sin, x2 cos + x1 sin] per head, with the cos/sin
// row of each token (half entries; HF's tables repeat them for the second half).
void Rope(float* x, int64_t rows, int64_t heads, int64_t hd, const float* cos, const float* sin) {
  const int64_t half = hd / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const float* c = cos + r * half;
    const float* s = sin + r * half;
    for (int64_t h = 0; h < heads; ++h) {
      float* v = x + (r * heads + h) * hd;
      for (int64_t i = 0; i < half; ++i) {
        const float a = v[i], b = v[i + half];
        v[i] = a * c[i] + (-b) * s[i];
        v[i + half] = b * c[i] + a * s[i];
      }
    }
  }
}

struct AttentionJob {
  const Olmo2Dims* dims;
  const float* q;  // [batch * tokens, heads * hd], RoPE'd and scaled
  const float* k_cache;
  const float* v_cache;
  const uint8_t* key_valid;
  float* out;  // [batch * tokens, heads * hd]
  int64_t first;  // new tokens before this one get no output (the last layer needs only each row's last token)
  int64_t parts;
};

// New tokens first.. of one row against one head's cache slots: scores = Q K^T (Q [tokens, hd] gathered, K [slots, hd]
// a transposed B), softmax per token over the slots up to its own that hold real tokens (layers.ts causalMask), then
// P V; both products through the GEMM on this thread, one pair of calls for all the row's tokens. Slots that are
// not visible get probability 0, as under the tfjs path's finite mask. A token with no visible slot (padding before
// its row starts; its output reaches no real token) gets, as under that mask, the plain mean over all max_len slots.
POSTTRAIN_VECTOR_CLONES void AttendRow(const Olmo2Dims& d, int64_t first, const float* q, int64_t q_stride,
                                       const float* keys, const float* values, const uint8_t* valid, float* out,
                                       int64_t out_stride, std::vector<float>& scratch) {
  const int64_t t = d.tokens - first, hd = d.head_dim, slots = d.offset + d.tokens;
  scratch.resize(static_cast<size_t>(t * (slots + 2 * hd)));
  float* qs = scratch.data();        // [t, hd]
  float* os = qs + t * hd;           // [t, hd]
  float* scores = os + t * hd;       // [t, slots]
  for (int64_t i = 0; i < t; ++i) std::memcpy(qs + i * hd, q + i * q_stride, hd * sizeof(float));
  GemmRangeHere(LinearProblem(qs, t, hd, keys, slots, scores), {0, 1, 0, t, 0, slots});
  bool any_blind = false;
  for (int64_t i = 0; i < t; ++i) {
    float* row = scores + i * slots;
    const int64_t last = d.offset + first + i;
    float max = -INFINITY;
    for (int64_t j = 0; j < slots; ++j) {
      if (j > last || !valid[j]) row[j] = -INFINITY;
      max = std::max(max, row[j]);
    }
    if (max == -INFINITY) {
      std::fill(row, row + slots, 0.f);
      any_blind = true;
      continue;
    }
    for (int64_t j = 0; j < slots; ++j) row[j] -= max;
    ExpF32(row, row, slots);  // hidden slots: exp(-inf) = 0
    float sum = 0.f;
    for (int64_t j = 0; j < slots; ++j) sum += row[j];
    for (int64_t j = 0; j < slots; ++j) row[j] /= sum;
  }
  GemmProblem weighted = LinearProblem(scores, t, slots, values, hd, os);
  weighted.trans_b = false;  // values are [slots, hd]
  GemmRangeHere(weighted, {0, 1, 0, t, 0, hd});
  for (int64_t i = 0; i < t; ++i) std::memcpy(out + i * out_stride, os + i * hd, hd * sizeof(float));
  if (!any_blind) return;
  for (int64_t i = 0; i < t; ++i) {
    const float* row = scores + i * slots;
    if (std::any_of(row, row + slots, [](float p) { return p != 0.f; })) continue;
    float* o = out + i * out_stride;
    std::fill(o, o + hd, 0.f);
    for (int64_t j = 0; j < d.max_len; ++j) Axpy(1.f / static_cast<float>(d.max_len), values + j * hd, o, hd);
  }
}

// Attention for the (row, head) pairs of one part.
void AttentionPart(void* context, int part) {
  const AttentionJob& job = *static_cast<const AttentionJob*>(context);
  const Olmo2Dims& d = *job.dims;
  const int64_t hd = d.head_dim, qd = d.heads * hd, group = d.heads / d.kv_heads;
  const int64_t pairs = d.batch * d.heads;
  std::vector<float> scratch;
  for (int64_t pair = pairs * part / job.parts; pair < pairs * (part + 1) / job.parts; ++pair) {
    const int64_t b = pair / d.heads, h = pair % d.heads;
    const int64_t kv_base = (b * d.kv_heads + h / group) * d.max_len * hd;
    const int64_t at = (b * d.tokens + job.first) * qd + h * hd;  // this row's first attending token, this head
    AttendRow(d, job.first, job.q + at, qd, job.k_cache + kv_base, job.v_cache + kv_base,
              job.key_valid + b * d.max_len, job.out + at, qd, scratch);
  }
}

void Attention(const Olmo2Dims& d, const float* q, const Olmo2LayerWeights& w, const uint8_t* key_valid, float* out,
               int64_t first) {
  AttentionJob job{&d, q, w.k_cache, w.v_cache, key_valid, out, first, 1};
  const int64_t pairs = d.batch * d.heads;
  const int64_t work = pairs * (d.tokens - first) * (d.offset + d.tokens) * d.head_dim;
  // Below ~64k multiply-adds waking the second thread costs more than it saves.
  if (d.threads >= 2 && Threads() >= 2 && pairs >= 2 && work >= (int64_t{1} << 16)) job.parts = std::min<int64_t>(pairs, 16);
  if (job.parts > 1) {
    WorkerPool::Get().Run(AttentionPart, &job, static_cast<int>(job.parts));
  } else {
    AttentionPart(&job, 0);
  }
}

// Float buffers for one step's activations, grown on demand and kept between calls.
float* Buffer(int slot, int64_t floats) {
  thread_local std::vector<float> buffers[13];
  std::vector<float>& buf = buffers[slot];
  if (static_cast<int64_t>(buf.size()) < floats) buf.resize(static_cast<size_t>(floats));
  return buf.data();
}

}  // namespace

void Olmo2CachedForward(const Olmo2Dims& d, const Olmo2Weights& w, const int32_t* ids, const int32_t* positions,
                        const uint8_t* key_valid, float* logits) {
  const int64_t n = d.batch * d.tokens, dm = d.hidden, hd = d.head_dim, half = hd / 2;
  const int64_t qd = d.heads * hd, kd = d.kv_heads * hd, inter = d.intermediate;
  float* x = Buffer(0, n * dm);
  float* h = Buffer(1, n * dm);
  float* q = Buffer(2, n * qd);
  float* k = Buffer(3, n * kd);
  float* v = Buffer(4, n * kd);
  float* att = Buffer(5, n * qd);
  float* tmp = Buffer(6, n * dm);
  float* gate = Buffer(7, n * inter);
  float* up = Buffer(8, n * inter);
  float* cos = Buffer(9, n * half);
  float* sin = Buffer(10, n * half);
  float* last = Buffer(11, d.batch * dm);
  float* scratch = Buffer(12, n * inter);

  for (int64_t r = 0; r < n; ++r) std::memcpy(x + r * dm, w.embed + int64_t{ids[r]} * dm, dm * sizeof(float));

  // RoPE tables as layers.ts ropeTables computes them: float32 inverse frequencies and angles, cos/sin in double.
  for (int64_t i = 0; i < half; ++i) {
    const float exponent = static_cast<float>(static_cast<double>(2 * i) / static_cast<double>(hd));
    const float power = static_cast<float>(std::pow(static_cast<double>(d.rope_theta), static_cast<double>(exponent)));
    const float inv_freq = static_cast<float>(1.0 / static_cast<double>(power));
    for (int64_t r = 0; r < n; ++r) {
      const float angle = static_cast<float>(static_cast<double>(positions[r]) * static_cast<double>(inv_freq));
      cos[r * half + i] = static_cast<float>(std::cos(static_cast<double>(angle)));
      sin[r * half + i] = static_cast<float>(std::sin(static_cast<double>(angle)));
    }
  }
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));

  for (int64_t l = 0; l < d.layers; ++l) {
    const Olmo2LayerWeights& lw = w.layers[l];
    LinearGroup qkv;
    qkv.Add(x, n, dm, lw.q_proj, qd, q);
    qkv.Add(x, n, dm, lw.k_proj, kd, k);
    qkv.Add(x, n, dm, lw.v_proj, kd, v);
    qkv.Run(d.threads);
    RmsNormRows(q, n, qd, lw.q_norm, d.eps, nullptr, q);
    RmsNormRows(k, n, kd, lw.k_norm, d.eps, nullptr, k);
    Rope(q, n, d.heads, hd, cos, sin);
    Rope(k, n, d.kv_heads, hd, cos, sin);
    for (int64_t i = 0; i < n * qd; ++i) q[i] *= scale;
    for (int64_t r = 0; r < n; ++r) {
      const int64_t b = r / d.tokens, slot = d.offset + r % d.tokens;
      for (int64_t g = 0; g < d.kv_heads; ++g) {
        const int64_t at = ((b * d.kv_heads + g) * d.max_len + slot) * hd;
        std::memcpy(lw.k_cache + at, k + r * kd + g * hd, hd * sizeof(float));
        std::memcpy(lw.v_cache + at, v + r * kd + g * hd, hd * sizeof(float));
      }
    }
    // The last layer feeds only each row's last token to the logits: past its keys and values (cached above for
    // later steps), it runs for those rows alone.
    const bool final_layer = l == d.layers - 1;
    const int64_t rows = final_layer ? d.batch : n;
    Attention(d, q, lw, key_valid, att, final_layer ? d.tokens - 1 : 0);
    if (final_layer && d.tokens > 1) {
      for (int64_t b = 0; b < d.batch; ++b) {
        const int64_t from = b * d.tokens + d.tokens - 1;
        std::memmove(att + b * qd, att + from * qd, qd * sizeof(float));
        std::memmove(x + b * dm, x + from * dm, dm * sizeof(float));
      }
    }
    Linear(d, att, rows, qd, lw.o_proj, dm, tmp);
    RmsNormRows(tmp, rows, dm, lw.post_attention_norm, d.eps, x, h);
    LinearGroup gate_up;
    gate_up.Add(h, rows, dm, lw.gate_proj, inter, gate);
    gate_up.Add(h, rows, dm, lw.up_proj, inter, up);
    gate_up.Run(d.threads);
    SwiGlu(gate, up, scratch, rows * inter);
    Linear(d, gate, rows, inter, lw.down_proj, dm, tmp);
    RmsNormRows(tmp, rows, dm, lw.post_feedforward_norm, d.eps, h, x);
  }
  RmsNormRows(x, d.batch, dm, w.final_norm, d.eps, nullptr, last);
  Linear(d, last, d.batch, dm, w.lm_head, d.vocab, logits);
}

void LogSumExpRows(const float* x, int64_t rows, int64_t cols, float* out, int32_t* argmax, float* top) {
  float* shifted = Buffer(12, cols);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    if (argmax != nullptr) {
      int64_t best = 0;
      for (int64_t j = 1; j < cols; ++j) best = row[j] > row[best] ? j : best;
      argmax[r] = static_cast<int32_t>(best);
      top[r] = row[best];
    }
    float max;
    MaxRowsF32(row, &max, 1, cols);
    if (!std::isfinite(max)) {  // NaN, or an infinite maximum: the sum is that too
      out[r] = max;
      continue;
    }
    for (int64_t j = 0; j < cols; ++j) shifted[j] = row[j] - max;
    ExpF32(shifted, shifted, cols);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) sum += shifted[j];
    out[r] = max + static_cast<float>(std::log(sum));
  }
}

}  // namespace posttrain
