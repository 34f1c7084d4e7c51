// Adds the fused training kernels (fused.h) to the addon's exports as `fused.<kernel>(heap, ...offsets and sizes)`.
#pragma once
#include <napi.h>

namespace posttrain {

void AddFusedExports(Napi::Env env, Napi::Object exports);

}  // namespace posttrain
