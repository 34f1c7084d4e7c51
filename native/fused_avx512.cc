// The fused kernels (fused_kernels.inc) compiled for avx512.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fused_kernels.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")

namespace posttrain {
namespace fused {
#define KERNELS_NAME KernelsAvx512
#include "fused_kernels.inc"
#undef KERNELS_NAME
}  // namespace fused
}  // namespace posttrain

#pragma GCC pop_options
