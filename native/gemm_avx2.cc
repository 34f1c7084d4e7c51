// AVX2 + FMA variant: 6 x 16 register tile (12 ymm accumulators, 2 for B, 1 broadcast of A).
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <cstdint>
#include <cstdlib>
#include <immintrin.h>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace posttrain {
namespace {

#include "pack_avx.h"

struct Avx2Kernel {
  static constexpr int64_t MR = 6;
  static constexpr int64_t NR = 16;

  template <int R, int64_t AR, int64_t AK>
  static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                   bool accumulate) {
    const int64_t row_stride = AR == 0 ? lda : AR;
    const int64_t k_stride = AK == 0 ? lda : AK;
    __m256 acc[R][2];
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; ++p) {
      const __m256 b0 = _mm256_loadu_ps(b);
      const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + r * row_stride);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
      a += k_stride;
      b += ldb;
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      if (accumulate) {
        acc[r][0] = _mm256_add_ps(acc[r][0], _mm256_loadu_ps(row));
        acc[r][1] = _mm256_add_ps(acc[r][1], _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, acc[r][0]);
      _mm256_storeu_ps(row + 8, acc[r][1]);
    }
  }

  static constexpr int64_t kWideMaxRows = 0;  // no few-rows kernel: the blocked path handles them
  static constexpr int64_t kWideCols = 0;
  template <int R>
  static void WideTile(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t) {}
  static constexpr int64_t kDotCols = 0;
  template <int R>
  static void DotTile(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t) {}

  static void PackBTransposed(const float* src, int64_t ld, int64_t kc, int64_t cols, float* dst) {
    PackBTransposedAvx<NR>(src, ld, kc, cols, dst);
  }
};

#include "gemm_driver.h"

}  // namespace

const TileShape kTileAvx2 = {Avx2Kernel::MR, Avx2Kernel::NR};

void GemmRangeAvx2(const GemmProblem& p, const GemmRange& r) { BlockedGemm<Avx2Kernel>::Run(p, r); }

}  // namespace posttrain

#pragma GCC pop_options
