// N-API surface of the cached OLMo-2 step (decode.h): weights and KV caches stay in the tfjs wasm heap, passed as
// byte offsets; the small per-step inputs (ids, positions, key validity) come as typed arrays. Also the per-row
// log-sum-exp of the logits that generation reads back every step.
#include "decode_napi.h"

#include <string>
#include <vector>

#include "decode.h"

namespace posttrain {
namespace {

// Fields of the dims array, in order (src/engine/native-decode.ts writes them).
enum Dim { kBatch, kTokens, kHidden, kHeads, kKvHeads, kHeadDim, kInter, kVocab, kLayers, kMaxLen, kOffset, kEps,
           kTheta, kThreads, kDimCount };
// Offsets per layer, after the three model-wide ones (embed, final norm, lm_head).
constexpr int64_t kPerLayer = 13;

Napi::Value Fail(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, "olmo2Step: " + message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool IsTyped(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

}  // namespace

// olmo2Step(heap, dims: Float64Array, offsets: Float64Array, ids: Int32Array, positions: Int32Array,
//           keyValid: Uint8Array, logitsOffset)
Napi::Value Olmo2StepNapi(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7 || !info[0].IsArrayBuffer() || !IsTyped(info[1], napi_float64_array) ||
      !IsTyped(info[2], napi_float64_array) || !IsTyped(info[3], napi_int32_array) ||
      !IsTyped(info[4], napi_int32_array) || !IsTyped(info[5], napi_uint8_array) ||
      !info[6].IsNumber()) {
    Napi::TypeError::New(env, "olmo2Step: expected (heap: ArrayBuffer, dims: Float64Array, offsets: Float64Array, "
                              "ids: Int32Array, positions: Int32Array, keyValid: Uint8Array, logitsOffset: number)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  const int64_t heap_bytes = static_cast<int64_t>(heap.ByteLength());
  Napi::Float64Array dims_in = info[1].As<Napi::Float64Array>();
  Napi::Float64Array offsets = info[2].As<Napi::Float64Array>();
  Napi::Int32Array ids = info[3].As<Napi::Int32Array>();
  Napi::Int32Array positions = info[4].As<Napi::Int32Array>();
  Napi::Uint8Array key_valid = info[5].As<Napi::Uint8Array>();
  if (dims_in.ElementLength() != kDimCount) return Fail(env, "dims must hold " + std::to_string(kDimCount) + " numbers");
  auto dim = [&](Dim i) { return static_cast<int64_t>(dims_in[i]); };
  Olmo2Dims d{dim(kBatch), dim(kTokens), dim(kHidden), dim(kHeads), dim(kKvHeads), dim(kHeadDim), dim(kInter),
              dim(kVocab), dim(kLayers), dim(kMaxLen), dim(kOffset), static_cast<float>(dims_in[kEps]),
              dims_in[kTheta], static_cast<int>(dim(kThreads))};
  const bool dims_ok = d.batch > 0 && d.tokens > 0 && d.hidden > 0 && d.heads > 0 && d.kv_heads > 0 &&
                       d.heads % d.kv_heads == 0 && d.head_dim > 0 && d.head_dim % 2 == 0 && d.intermediate > 0 &&
                       d.vocab > 0 && d.layers > 0 && d.offset >= 0 && d.offset + d.tokens <= d.max_len &&
                       d.threads >= 1;
  if (!dims_ok) return Fail(env, "inconsistent dims (or offset + tokens beyond the cache)");
  const int64_t n = d.batch * d.tokens;
  if (static_cast<int64_t>(offsets.ElementLength()) != 3 + kPerLayer * d.layers) {
    return Fail(env, "offsets must hold 3 + 13 per layer numbers");
  }
  if (static_cast<int64_t>(ids.ElementLength()) != n || static_cast<int64_t>(positions.ElementLength()) != n ||
      static_cast<int64_t>(key_valid.ElementLength()) != d.batch * d.max_len) {
    return Fail(env, "ids/positions need batch * tokens entries and keyValid batch * maxLen");
  }
  const int32_t* id = ids.Data();
  for (int64_t i = 0; i < n; ++i) {
    if (id[i] < 0 || id[i] >= d.vocab) return Fail(env, "token id " + std::to_string(id[i]) + " outside the vocabulary");
  }

  bool inside = true;
  auto at = [&](double offset, int64_t floats) -> float* {
    const int64_t off = static_cast<int64_t>(offset);
    if (off < 0 || off % 4 != 0 || off + floats * 4 > heap_bytes) inside = false;
    return inside ? reinterpret_cast<float*>(base + off) : nullptr;
  };
  const int64_t qd = d.heads * d.head_dim, kd = d.kv_heads * d.head_dim;
  const int64_t cache = d.batch * d.kv_heads * d.max_len * d.head_dim;
  Olmo2Weights w{at(offsets[0], d.vocab * d.hidden), nullptr, at(offsets[1], d.hidden),
                 at(offsets[2], d.vocab * d.hidden)};
  std::vector<Olmo2LayerWeights> layers(static_cast<size_t>(d.layers));
  for (int64_t l = 0; l < d.layers; ++l) {
    auto o = [&](int64_t i) { return offsets[static_cast<size_t>(3 + kPerLayer * l + i)]; };
    layers[l] = {at(o(0), qd * d.hidden), at(o(1), kd * d.hidden), at(o(2), kd * d.hidden), at(o(3), d.hidden * qd),
                 at(o(4), qd), at(o(5), kd), at(o(6), d.hidden), at(o(7), d.hidden),
                 at(o(8), d.intermediate * d.hidden), at(o(9), d.intermediate * d.hidden),
                 at(o(10), d.hidden * d.intermediate), at(o(11), cache), at(o(12), cache)};
  }
  w.layers = layers.data();
  float* logits = at(info[6].As<Napi::Number>().DoubleValue(), d.batch * d.vocab);
  if (!inside) return Fail(env, "a weight, cache or the logits do not fit the heap");
  Olmo2CachedForward(d, w, ids.Data(), positions.Data(), key_valid.Data(), logits);
  return env.Undefined();
}

// logSumExpRows(heap, xOffset, rows, cols, out: Float32Array of rows[, argmax: Int32Array, top: Float32Array])
Napi::Value LogSumExpRowsNapi(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool greedy = info.Length() == 7;
  if ((info.Length() != 5 && !greedy) || !info[0].IsArrayBuffer() || !info[1].IsNumber() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !IsTyped(info[4], napi_float32_array) ||
      (greedy && (!IsTyped(info[5], napi_int32_array) || !IsTyped(info[6], napi_float32_array)))) {
    Napi::TypeError::New(env, "logSumExpRows: expected (heap: ArrayBuffer, xOffset, rows, cols, out: Float32Array"
                              "[, argmax: Int32Array, top: Float32Array])")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const int64_t offset = info[1].As<Napi::Number>().Int64Value();
  const int64_t rows = info[2].As<Napi::Number>().Int64Value(), cols = info[3].As<Napi::Number>().Int64Value();
  Napi::Float32Array out = info[4].As<Napi::Float32Array>();
  const int64_t heap_bytes = static_cast<int64_t>(heap.ByteLength());
  const auto holds_rows = [&](const Napi::TypedArray& a) { return static_cast<int64_t>(a.ElementLength()) == rows; };
  if (rows < 0 || cols < 1 || offset < 0 || offset % 4 != 0 || offset + rows * cols * 4 > heap_bytes ||
      !holds_rows(out) || (greedy && (!holds_rows(info[5].As<Napi::TypedArray>()) ||
                                      !holds_rows(info[6].As<Napi::TypedArray>())))) {
    Napi::RangeError::New(env, "logSumExpRows: [" + std::to_string(rows) + ", " + std::to_string(cols) +
                                   "] does not fit the heap or the outputs")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  LogSumExpRows(reinterpret_cast<const float*>(static_cast<uint8_t*>(heap.Data()) + offset), rows, cols, out.Data(),
                greedy ? info[5].As<Napi::Int32Array>().Data() : nullptr,
                greedy ? info[6].As<Napi::Float32Array>().Data() : nullptr);
  return env.Undefined();
}

}  // namespace posttrain
