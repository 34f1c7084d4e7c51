// The fused kernels (fused_kernels.inc) compiled for avx2.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fused_kernels.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace posttrain {
namespace fused {
#define KERNELS_NAME KernelsAvx2
#include "fused_kernels.inc"
#undef KERNELS_NAME
}  // namespace fused
}  // namespace posttrain

#pragma GCC pop_options
