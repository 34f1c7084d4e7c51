// The addon's `olmo2Step` function (decode_napi.cc), registered by addon.cc.
#pragma once
#include <napi.h>

namespace posttrain {

Napi::Value Olmo2StepNapi(const Napi::CallbackInfo& info);

}  // namespace posttrain
