// Argument reading for the addon's N-API functions that take (heap: ArrayBuffer, ...numbers): the numbers are byte
// offsets of tensors in the tfjs wasm heap and their sizes, and every tensor is checked to lie inside the heap
// before a kernel touches it. The first failed check throws a JavaScript error naming the function.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace posttrain {

constexpr int64_t kNone = -1;  // offset of an absent optional tensor

// The heap and the numeric arguments of one call, with range checks against the heap.
class HeapCall {
 public:
  HeapCall(const Napi::CallbackInfo& info, const char* name, size_t count) : info_(info), name_(name) {
    ok_ = info.Length() == count + 1 && info[0].IsArrayBuffer();
    for (size_t i = 1; ok_ && i <= count; ++i) ok_ = info[i].IsNumber();
    if (!ok_) {
      Napi::TypeError::New(info.Env(), name_ + ": expected (heap: ArrayBuffer, " + std::to_string(count) + " numbers)")
          .ThrowAsJavaScriptException();
      return;
    }
    Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
    base_ = static_cast<uint8_t*>(heap.Data());
    bytes_ = static_cast<int64_t>(heap.ByteLength());
  }

  bool ok() const { return ok_; }
  int64_t Int(size_t i) const { return info_[i + 1].As<Napi::Number>().Int64Value(); }
  float Float(size_t i) const { return info_[i + 1].As<Napi::Number>().FloatValue(); }

  // Argument i is the byte offset of a tensor of `count` 4-byte elements (or kNone where `optional`).
  template <typename T>
  T* Tensor(size_t i, int64_t count, bool optional = false) {
    if (!ok_) return nullptr;
    const int64_t offset = Int(i);
    if (optional && offset == kNone) return nullptr;
    if (count < 0 || offset < 0 || offset % 4 != 0 || offset + count * 4 > bytes_) {
      Fail("tensor argument " + std::to_string(i + 1) + " (" + std::to_string(count) +
           " elements) does not fit the heap");
      return nullptr;
    }
    return reinterpret_cast<T*>(base_ + offset);
  }

  void Fail(const std::string& why) {
    if (!ok_) return;
    ok_ = false;
    Napi::RangeError::New(info_.Env(), name_ + ": " + why).ThrowAsJavaScriptException();
  }

  // Sizes must be positive (zero-size tensors never reach the addon).
  void RequirePositive(std::initializer_list<int64_t> sizes) {
    for (int64_t size : sizes)
      if (size <= 0) Fail("sizes must be positive");
  }

 private:
  const Napi::CallbackInfo& info_;
  std::string name_;
  bool ok_ = false;
  uint8_t* base_ = nullptr;
  int64_t bytes_ = 0;
};

}  // namespace posttrain
