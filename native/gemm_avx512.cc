// AVX-512 variant: 12 x 32 register tile (24 zmm accumulators, 2 for B, 1 broadcast of A).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <immintrin.h>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")

namespace posttrain {
namespace {

struct Avx512Kernel {
  static constexpr int64_t MR = 12;
  static constexpr int64_t NR = 32;
  static void Tile(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
    __m512 acc[MR][2];
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; ++p) {
      const __m512 b0 = _mm512_loadu_ps(b);
      const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
      for (int r = 0; r < MR; ++r) {
        const __m512 av = _mm512_set1_ps(a[r]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      }
      a += MR;
      b += ldb;
    }
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      float* row = c + r * ldc;
      if (accumulate) {
        acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_loadu_ps(row));
        acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, acc[r][0]);
      _mm512_storeu_ps(row + 16, acc[r][1]);
    }
  }
};

#include "gemm_driver.h"

}  // namespace

const TileShape kTileAvx512 = {Avx512Kernel::MR, Avx512Kernel::NR};

void GemmRangeAvx512(const GemmProblem& p, const GemmRange& r) { BlockedGemm<Avx512Kernel>::Run(p, r); }

}  // namespace posttrain

#pragma GCC pop_options
