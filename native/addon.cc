// N-API surface of the native GEMM. The matrices live in the tfjs wasm heap: JavaScript passes the heap's
// ArrayBuffer and byte offsets, so nothing is copied in or out.
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "elementwise.h"
#include "fused_napi.h"
#include "heap_call.h"
#include "decode_napi.h"
#include "gemm_api.h"

namespace {

using posttrain::Activation;
using posttrain::GemmProblem;
using posttrain::Isa;

// Kernel calls served since load (matmul, exp, reduce), so callers can tell the native path ran, not a fallback.
std::atomic<uint64_t> g_calls{0};

bool ParseIsa(const std::string& name, Isa* isa) {
  for (Isa candidate : {Isa::kAvx512, Isa::kAvx2, Isa::kScalar}) {
    if (name == posttrain::IsaName(candidate)) {
      *isa = candidate;
      return true;
    }
  }
  return false;
}

bool ParseActivation(int code, Activation* act) {
  switch (code) {
    case 0: case 1: case 2: case 4: case 5: case 6:
      *act = static_cast<Activation>(code);
      return true;
    default:
      return false;
  }
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", posttrain::IsaName(posttrain::CurrentIsa()));
  out.Set("threads", posttrain::Threads());
  out.Set("calls", static_cast<double>(g_calls.load()));
  Napi::Array supported = Napi::Array::New(env);
  uint32_t count = 0;
  for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kScalar}) {
    if (posttrain::IsaSupported(isa)) supported.Set(count++, posttrain::IsaName(isa));
  }
  out.Set("supportedIsas", supported);
  return out;
}

// configure({isa?: "avx512" | "avx2" | "scalar", threads?: 1 | 2}) -> info()
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "configure(options): options must be an object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object options = info[0].As<Napi::Object>();
  if (options.Has("isa")) {
    const std::string name = options.Get("isa").ToString().Utf8Value();
    Isa isa;
    if (!ParseIsa(name, &isa) || !posttrain::SetIsa(isa)) {
      Napi::Error::New(env, "configure: instruction set '" + name + "' is unknown or not supported by this CPU")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  if (options.Has("threads")) posttrain::SetThreads(options.Get("threads").ToNumber().Int32Value());
  return Info(info);
}

// matmul(heap, aOffset, bOffset, outOffset, batch, batchA, batchB, m, n, k, transposeA, transposeB,
//        biasOffset, biasLength, activation, leakyAlpha)
// Offsets are in bytes into `heap`; batchA and batchB are 1 (broadcast) or batch; biasLength 0 means no bias;
// activation uses the wasm backend's FusableActivation codes (prelu excluded).
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  constexpr size_t kArgs = 16;
  if (info.Length() != kArgs || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "matmul: expected (heap: ArrayBuffer, ...15 numbers)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t i = 1; i < kArgs; ++i) {
    if (!info[i].IsNumber() && !info[i].IsBoolean()) {
      Napi::TypeError::New(env, "matmul: argument " + std::to_string(i) + " must be a number")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  auto num = [&](size_t i) -> int64_t {
    return info[i].IsBoolean() ? int64_t{info[i].As<Napi::Boolean>().Value()}
                               : info[i].As<Napi::Number>().Int64Value();
  };
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const int64_t heap_bytes = static_cast<int64_t>(heap.ByteLength());
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  const int64_t a_off = num(1), b_off = num(2), c_off = num(3);
  const int64_t batch = num(4), batch_a = num(5), batch_b = num(6);
  const int64_t m = num(7), n = num(8), k = num(9);
  const bool trans_a = num(10) != 0, trans_b = num(11) != 0;
  const int64_t bias_off = num(12), bias_len = num(13);
  Activation act;
  if (!ParseActivation(static_cast<int>(num(14)), &act)) {
    Napi::RangeError::New(env, "matmul: unsupported activation code " + std::to_string(num(14)))
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float alpha = info[15].As<Napi::Number>().FloatValue();

  auto inside = [&](int64_t offset, int64_t floats) {
    return offset >= 0 && floats >= 0 && offset % 4 == 0 && offset + floats * 4 <= heap_bytes;
  };
  const bool shapes_ok = batch >= 0 && m >= 0 && n >= 0 && k >= 0 && (batch_a == 1 || batch_a == batch) &&
                         (batch_b == 1 || batch_b == batch) && (bias_len == 0 || bias_len == 1 || bias_len == n);
  if (!shapes_ok || !inside(a_off, batch_a * m * k) || !inside(b_off, batch_b * k * n) ||
      !inside(c_off, batch * m * n) || !inside(bias_off, bias_len)) {
    Napi::RangeError::New(env, "matmul: shapes [" + std::to_string(batch_a) + "," + std::to_string(m) + "," +
                                   std::to_string(k) + "] x [" + std::to_string(batch_b) + "," + std::to_string(k) +
                                   "," + std::to_string(n) + "] do not fit the heap or do not broadcast")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }

  GemmProblem p;
  p.a = reinterpret_cast<const float*>(base + a_off);
  p.b = reinterpret_cast<const float*>(base + b_off);
  p.c = reinterpret_cast<float*>(base + c_off);
  p.batch = batch;
  p.batch_stride_a = batch_a == 1 ? 0 : m * k;
  p.batch_stride_b = batch_b == 1 ? 0 : k * n;
  p.m = m;
  p.n = n;
  p.k = k;
  p.trans_a = trans_a;
  p.trans_b = trans_b;
  p.bias = bias_len == 0 ? nullptr : reinterpret_cast<const float*>(base + bias_off);
  p.bias_len = bias_len;
  p.activation = act;
  p.leaky_alpha = alpha;
  posttrain::Gemm(p);
  g_calls.fetch_add(1, std::memory_order_relaxed);
  return env.Undefined();
}

// exp(heap, xOffset, outOffset, size): out = exp(x) element-wise, float32.
Napi::Value Exp(const Napi::CallbackInfo& info) {
  posttrain::HeapCall call(info, "exp", 3);
  const int64_t n = call.ok() ? call.Int(2) : 0;
  auto x = call.Tensor<const float>(0, n);
  auto y = call.Tensor<float>(1, n);
  if (!call.ok()) return info.Env().Undefined();
  posttrain::ExpF32(x, y, n);
  g_calls.fetch_add(1, std::memory_order_relaxed);
  return info.Env().Undefined();
}

// reduce(heap, xOffset, outOffset, rows, cols, mode): x is [rows, cols], float32. Mode 0: out[r] = sum of row r;
// 1: out[j] = sum of column j (a sum over the leading axes); 2: out[r] = max of row r (cols >= 1).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  posttrain::HeapCall call(info, "reduce", 5);
  if (!call.ok()) return info.Env().Undefined();
  const int64_t rows = call.Int(2), cols = call.Int(3), mode = call.Int(4);
  if (rows < 0 || cols < (mode == 2 ? 1 : 0) || mode < 0 || mode > 2) {
    call.Fail("[" + std::to_string(rows) + "," + std::to_string(cols) + "] mode " + std::to_string(mode) +
              " is not a reduction");
  }
  auto x = call.Tensor<const float>(0, rows * cols);
  auto y = call.Tensor<float>(1, mode == 1 ? cols : rows);
  if (!call.ok()) return info.Env().Undefined();
  if (mode == 0) posttrain::SumRowsF32(x, y, rows, cols);
  if (mode == 1) posttrain::SumColsF32(x, y, rows, cols);
  if (mode == 2) posttrain::MaxRowsF32(x, y, rows, cols);
  g_calls.fetch_add(1, std::memory_order_relaxed);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("exp", Napi::Function::New(env, Exp, "exp"));
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("matmul", Napi::Function::New(env, MatMul, "matmul"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("configure", Napi::Function::New(env, Configure, "configure"));
  posttrain::AddFusedExports(env, exports);
  exports.Set("olmo2Step", Napi::Function::New(env, posttrain::Olmo2StepNapi, "olmo2Step"));
  exports.Set("logSumExpRows", Napi::Function::New(env, posttrain::LogSumExpRowsNapi, "logSumExpRows"));
  return exports;
}

}  // namespace

NODE_API_MODULE(posttrain_native, Init)
