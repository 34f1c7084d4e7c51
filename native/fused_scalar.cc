// The fused kernels (fused_kernels.inc) compiled for scalar.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fused_kernels.h"

// Baseline x86-64 (SSE2): no target pragma.

namespace posttrain {
namespace fused {
#define KERNELS_NAME KernelsScalar
#include "fused_kernels.inc"
#undef KERNELS_NAME
}  // namespace fused
}  // namespace posttrain

