// Portable variant for CPUs without AVX2: a 4 x 8 tile in plain C++ (the compiler vectorises it with SSE2).
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "gemm.h"

namespace posttrain {
namespace {

struct ScalarKernel {
  static constexpr int64_t MR = 4;
  static constexpr int64_t NR = 8;
  static void Tile(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
    float acc[MR][NR] = {};
    for (int64_t p = 0; p < kc; ++p) {
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] += a[r] * b[j];
      a += MR;
      b += ldb;
    }
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j) c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0.f) + acc[r][j];
  }
};

#include "gemm_driver.h"

}  // namespace

const TileShape kTileScalar = {ScalarKernel::MR, ScalarKernel::NR};

void GemmRangeScalar(const GemmProblem& p, const GemmRange& r) { BlockedGemm<ScalarKernel>::Run(p, r); }

}  // namespace posttrain
