// Portable variant for CPUs without AVX2: a 4 x 8 tile in plain C++ (the compiler vectorises it with SSE2).
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <cstdint>
#include <cstdlib>

#include "gemm.h"

namespace posttrain {
namespace {

struct ScalarKernel {
  static constexpr int64_t MR = 4;
  static constexpr int64_t NR = 8;

  template <int R, int64_t AR, int64_t AK>
  static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                   bool accumulate) {
    const int64_t row_stride = AR == 0 ? lda : AR;
    const int64_t k_stride = AK == 0 ? lda : AK;
    float acc[R][NR] = {};
    for (int64_t p = 0; p < kc; ++p) {
      for (int r = 0; r < R; ++r)
        for (int j = 0; j < NR; ++j) acc[r][j] += a[r * row_stride] * b[j];
      a += k_stride;
      b += ldb;
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < NR; ++j) c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0.f) + acc[r][j];
  }

  static constexpr int64_t kWideMaxRows = 0;  // no few-rows kernel for a plain B: the blocked path streams it
  static constexpr int64_t kWideCols = 0;
  template <int R>
  static void WideTile(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t) {}

  // Few rows times a transposed B: plain dot products reading B in place (no packing), 2 x 2 at a time.
  static constexpr int64_t kDotRows = 2;
  static constexpr int64_t kDotCols = 2;
  template <int R>
  static void DotTile(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                      int64_t cols) {
    for (int r = 0; r < R; ++r) {
      for (int64_t j = 0; j < cols; ++j) {
        float sum = 0.f;
        for (int64_t p = 0; p < k; ++p) sum += a[r * lda + p] * b[j * ldb + p];
        c[r * ldc + j] = sum;
      }
    }
  }

  static void PackBTransposed(const float* src, int64_t ld, int64_t kc, int64_t cols, float* dst) {
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t j = 0; j < NR; ++j) dst[p * NR + j] = j < cols ? src[j * ld + p] : 0.f;
  }
};

#include "gemm_driver.h"

}  // namespace

const TileShape kTileScalar = {ScalarKernel::MR, ScalarKernel::NR};

void GemmRangeScalar(const GemmProblem& p, const GemmRange& r) { BlockedGemm<ScalarKernel>::Run(p, r); }

}  // namespace posttrain
