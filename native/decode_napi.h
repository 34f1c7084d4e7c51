// The addon's `olmo2Step` and `logSumExpRows` functions (decode_napi.cc), registered by addon.cc.
#pragma once
#include <napi.h>

namespace posttrain {

Napi::Value Olmo2StepNapi(const Napi::CallbackInfo& info);
Napi::Value LogSumExpRowsNapi(const Napi::CallbackInfo& info);

}  // namespace posttrain
