// N-API surface of the fused training kernels (fused.h). As for the matmul, JavaScript passes the wasm heap's
// ArrayBuffer and byte offsets of each tensor, and the kernel reads and writes the heap in place. Every call checks
// that each tensor lies inside the heap before touching it.
#include "fused_napi.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fused.h"
#include "fused_attention.h"
#include "heap_call.h"

namespace posttrain {
namespace {

// (heap, x, w, y, r, rows, cols, eps)
Napi::Value RmsNormForward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "rmsNormForward", 7);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(4), cols = call.Int(5);
  call.RequirePositive({rows, cols});
  auto x = call.Tensor<const float>(0, rows * cols);
  auto w = call.Tensor<const float>(1, cols);
  auto y = call.Tensor<float>(2, rows * cols);
  auto r = call.Tensor<float>(3, rows);
  if (call.ok()) fused::RmsNormForward(x, w, y, r, rows, cols, call.Float(6));
  return info.Env().Undefined();
}

// (heap, dy, x, w, r, dx, dw, rows, cols)
Napi::Value RmsNormBackward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "rmsNormBackward", 8);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(6), cols = call.Int(7);
  call.RequirePositive({rows, cols});
  auto dy = call.Tensor<const float>(0, rows * cols);
  auto x = call.Tensor<const float>(1, rows * cols);
  auto w = call.Tensor<const float>(2, cols);
  auto r = call.Tensor<const float>(3, rows);
  auto dx = call.Tensor<float>(4, rows * cols);
  auto dw = call.Tensor<float>(5, cols);
  if (call.ok()) fused::RmsNormBackward(dy, x, w, r, dx, dw, rows, cols);
  return info.Env().Undefined();
}

// (heap, in, cos | -1, sin | -1, out, batch, seq, heads, hd, tableRows, scale, toHeads)
Napi::Value Rope(const Napi::CallbackInfo& info) {
  HeapCall call(info, "rope", 11);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t batch = call.Int(4), seq = call.Int(5), heads = call.Int(6), hd = call.Int(7);
  const int64_t table_rows = call.Int(8);
  call.RequirePositive({batch, seq, heads, hd, table_rows});
  if (hd % 2 != 0 || (table_rows != 1 && table_rows != batch)) call.Fail("head size must be even, table rows 1 or B");
  const int64_t n = batch * seq * heads * hd;
  auto in = call.Tensor<const float>(0, n);
  auto cos = call.Tensor<const float>(1, table_rows * seq * hd, true);
  auto sin = call.Tensor<const float>(2, table_rows * seq * hd, true);
  auto out = call.Tensor<float>(3, n);
  if ((cos == nullptr) != (sin == nullptr)) call.Fail("cos and sin must both be given or both absent");
  if (!call.ok()) return info.Env().Undefined();
  if (call.Int(10) != 0) {
    fused::RopeToHeads(in, cos, sin, out, batch, seq, heads, hd, table_rows, call.Float(9));
  } else {
    fused::RopeFromHeads(in, cos, sin, out, batch, seq, heads, hd, table_rows, call.Float(9));
  }
  return info.Env().Undefined();
}

// (heap, s, mask, p, batch, heads, seq, cols, maskBatch)
Napi::Value MaskedSoftmaxForward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "maskedSoftmaxForward", 8);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t batch = call.Int(3), heads = call.Int(4), seq = call.Int(5), cols = call.Int(6);
  const int64_t mask_batch = call.Int(7);
  call.RequirePositive({batch, heads, seq, cols});
  if (mask_batch != 1 && mask_batch != batch) call.Fail("mask batch must be 1 or B");
  const int64_t n = batch * heads * seq * cols;
  auto s = call.Tensor<const float>(0, n);
  auto mask = call.Tensor<const float>(1, mask_batch * seq * cols);
  auto p = call.Tensor<float>(2, n);
  if (call.ok()) fused::MaskedSoftmaxForward(s, mask, p, batch, heads, seq, cols, mask_batch);
  return info.Env().Undefined();
}

// (heap, dy, p, ds, rows, cols)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "softmaxBackward", 5);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(3), cols = call.Int(4);
  call.RequirePositive({rows, cols});
  auto dy = call.Tensor<const float>(0, rows * cols);
  auto p = call.Tensor<const float>(1, rows * cols);
  auto ds = call.Tensor<float>(2, rows * cols);
  if (call.ok()) fused::SoftmaxBackward(dy, p, ds, rows, cols);
  return info.Env().Undefined();
}

// (heap, g, u, a, n)
Napi::Value SwiGluForward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "swiGluForward", 4);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t n = call.Int(3);
  call.RequirePositive({n});
  auto g = call.Tensor<const float>(0, n);
  auto u = call.Tensor<const float>(1, n);
  auto a = call.Tensor<float>(2, n);
  if (call.ok()) fused::SwiGluForward(g, u, a, n);
  return info.Env().Undefined();
}

// (heap, dy, g, u, dg, du, n)
Napi::Value SwiGluBackward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "swiGluBackward", 6);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t n = call.Int(5);
  call.RequirePositive({n});
  auto dy = call.Tensor<const float>(0, n);
  auto g = call.Tensor<const float>(1, n);
  auto u = call.Tensor<const float>(2, n);
  auto dg = call.Tensor<float>(3, n);
  auto du = call.Tensor<float>(4, n);
  if (call.ok()) fused::SwiGluBackward(dy, g, u, dg, du, n);
  return info.Env().Undefined();
}

// Targets outside [0, vocab) fail the call, naming the first.
void CheckTargets(HeapCall& call, const int32_t* targets, int64_t rows, int64_t vocab) {
  if (!call.ok()) return;
  for (int64_t i = 0; i < rows; ++i) {
    if (targets[i] < 0 || targets[i] >= vocab) {
      call.Fail("target " + std::to_string(targets[i]) + " at row " + std::to_string(i) + " is not in [0, " +
                std::to_string(vocab) + ")");
      return;
    }
  }
}

// (heap, logits, targets, logprobs, lse | -1, rows, vocab)
Napi::Value TokenLogprobsForward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "tokenLogprobsForward", 6);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(4), vocab = call.Int(5);
  call.RequirePositive({rows, vocab});
  auto logits = call.Tensor<const float>(0, rows * vocab);
  auto targets = call.Tensor<const int32_t>(1, rows);
  auto logprobs = call.Tensor<float>(2, rows);
  auto lse = call.Tensor<float>(3, rows, true);
  CheckTargets(call, targets, rows, vocab);
  if (call.ok()) fused::TokenLogprobsForward(logits, targets, logprobs, lse, rows, vocab);
  return info.Env().Undefined();
}

// (heap, logits, lse, targets, dy, dlogits, rows, vocab)
Napi::Value TokenLogprobsBackward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "tokenLogprobsBackward", 7);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(5), vocab = call.Int(6);
  call.RequirePositive({rows, vocab});
  auto logits = call.Tensor<const float>(0, rows * vocab);
  auto lse = call.Tensor<const float>(1, rows);
  auto targets = call.Tensor<const int32_t>(2, rows);
  auto dy = call.Tensor<const float>(3, rows);
  auto dlogits = call.Tensor<float>(4, rows * vocab);
  CheckTargets(call, targets, rows, vocab);
  if (call.ok()) fused::TokenLogprobsBackward(logits, lse, targets, dy, dlogits, rows, vocab);
  return info.Env().Undefined();
}

// (heap, p, g, m, v, pOut, mOut, vOut, n, decay, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, bc2Sqrt, eps)
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  HeapCall call(info, "adamw", 16);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t n = call.Int(7);
  call.RequirePositive({n});
  auto p = call.Tensor<const float>(0, n);
  auto g = call.Tensor<const float>(1, n);
  auto m = call.Tensor<const float>(2, n);
  auto v = call.Tensor<const float>(3, n);
  auto p_out = call.Tensor<float>(4, n);
  auto m_out = call.Tensor<float>(5, n);
  auto v_out = call.Tensor<float>(6, n);
  if (!call.ok()) return info.Env().Undefined();
  const fused::AdamWScalars s{call.Float(8),  call.Float(9),  call.Float(10), call.Float(11),
                              call.Float(12), call.Float(13), call.Float(14), call.Float(15)};
  fused::AdamWUpdate(p, g, m, v, p_out, m_out, v_out, n, s);
  return info.Env().Undefined();
}

// Reads the shape arguments (batch, heads, kvHeads, seq, hd, maskBatch) starting at argument `first`.
bool AttentionShapeOf(HeapCall& call, size_t first, fused::AttentionShape* s) {
  *s = {call.Int(first), call.Int(first + 1), call.Int(first + 2), call.Int(first + 3), call.Int(first + 4),
        call.Int(first + 5)};
  call.RequirePositive({s->batch, s->heads, s->kv_heads, s->seq, s->hd, s->mask_batch});
  if (call.ok() && (s->heads % s->kv_heads != 0 || (s->mask_batch != 1 && s->mask_batch != s->batch))) {
    call.Fail("heads must be a multiple of kv heads, mask batch 1 or B");
  }
  return call.ok();
}

// (heap, q, k, v, mask, p, out, batch, heads, kvHeads, seq, hd, maskBatch)
Napi::Value AttentionForward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "attentionForward", 12);
  fused::AttentionShape s;
  if (!call.ok() || !AttentionShapeOf(call, 6, &s)) return info.Env().Undefined();
  const int64_t q_size = s.batch * s.heads * s.seq * s.hd, kv_size = s.batch * s.kv_heads * s.seq * s.hd;
  auto q = call.Tensor<const float>(0, q_size);
  auto k = call.Tensor<const float>(1, kv_size);
  auto v = call.Tensor<const float>(2, kv_size);
  auto mask = call.Tensor<const float>(3, s.mask_batch * s.seq * s.seq);
  auto p = call.Tensor<float>(4, s.batch * s.heads * s.seq * s.seq);
  auto out = call.Tensor<float>(5, q_size);
  if (call.ok()) fused::AttentionForward(q, k, v, mask, p, out, s);
  return info.Env().Undefined();
}

// (heap, dout, p, q, k, v, mask, dq, dk, dv, batch, heads, kvHeads, seq, hd, maskBatch)
Napi::Value AttentionBackward(const Napi::CallbackInfo& info) {
  HeapCall call(info, "attentionBackward", 15);
  fused::AttentionShape s;
  if (!call.ok() || !AttentionShapeOf(call, 9, &s)) return info.Env().Undefined();
  const int64_t q_size = s.batch * s.heads * s.seq * s.hd, kv_size = s.batch * s.kv_heads * s.seq * s.hd;
  auto dout = call.Tensor<const float>(0, q_size);
  auto p = call.Tensor<const float>(1, s.batch * s.heads * s.seq * s.seq);
  auto q = call.Tensor<const float>(2, q_size);
  auto k = call.Tensor<const float>(3, kv_size);
  auto v = call.Tensor<const float>(4, kv_size);
  auto mask = call.Tensor<const float>(5, s.mask_batch * s.seq * s.seq);
  auto dq = call.Tensor<float>(6, q_size);
  auto dk = call.Tensor<float>(7, kv_size);
  auto dv = call.Tensor<float>(8, kv_size);
  if (call.ok()) fused::AttentionBackward(dout, p, q, k, v, mask, dq, dk, dv, s);
  return info.Env().Undefined();
}

}  // namespace

void AddFusedExports(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Value (*)(const Napi::CallbackInfo&)> functions[] = {
      {"rmsNormForward", RmsNormForward},
      {"rmsNormBackward", RmsNormBackward},
      {"rope", Rope},
      {"maskedSoftmaxForward", MaskedSoftmaxForward},
      {"softmaxBackward", SoftmaxBackward},
      {"swiGluForward", SwiGluForward},
      {"swiGluBackward", SwiGluBackward},
      {"tokenLogprobsForward", TokenLogprobsForward},
      {"tokenLogprobsBackward", TokenLogprobsBackward},
      {"adamw", AdamW},
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
  };
  Napi::Object fused = Napi::Object::New(env);
  for (const auto& [name, fn] : functions) fused.Set(name, Napi::Function::New(env, fn, name));
  exports.Set("fused", fused);
}

}  // namespace posttrain
