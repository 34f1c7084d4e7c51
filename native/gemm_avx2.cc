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
    for (int r = 0; r < R; ++r) {
      acc[r][0] = acc[r][1] = _mm256_setzero_ps();
      // C's rows are read once the k loop is done: fetch them now (as the AVX-512 variant does).
      if (accumulate) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    }
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

  static constexpr int64_t kWideMaxRows = 0;  // no few-rows kernel for a plain B: the blocked path streams it
  static constexpr int64_t kWideCols = 0;
  template <int R>
  static void WideTile(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t) {}

  // Few rows times a transposed B (weights stored [out, in]): dot products of contiguous runs, B streamed once
  // without packing, 2 rows by 4 columns at a time (8 accumulators), reduced across lanes at the end.
  static constexpr int64_t kDotRows = 2;
  static constexpr int64_t kDotCols = 4;
  template <int R>
  static void DotTile(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                      int64_t cols) {
    const float* brow[kDotCols];
#pragma GCC unroll 4
    for (int j = 0; j < kDotCols; ++j) brow[j] = b + (j < cols ? j : 0) * ldb;  // spare lanes recompute column 0
    __m256 acc[R][kDotCols];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) acc[r][j] = _mm256_setzero_ps();
    const int64_t full = k & ~int64_t{7};
    const uintptr_t next_block = static_cast<uintptr_t>(kDotCols * ldb) * sizeof(float);
    for (int64_t p = 0; p < full; p += 8) {
      // Every other step (one cache line of each row): the next column block's rows at the same position, as the
      // AVX-512 variant does, so memory keeps streaming B while later row blocks compute from L1.
      if ((p & 15) == 0) {
#pragma GCC unroll 4
        for (int j = 0; j < kDotCols; ++j) {
          _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(brow[j] + p) + next_block), _MM_HINT_T0);
        }
      }
      __m256 av[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) av[r] = _mm256_loadu_ps(a + r * lda + p);
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) {
        const __m256 bv = _mm256_loadu_ps(brow[j] + p);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r][j] = _mm256_fmadd_ps(av[r], bv, acc[r][j]);
      }
    }
    if (full < k) {
      alignas(32) int32_t lanes[8];
      for (int i = 0; i < 8; ++i) lanes[i] = full + i < k ? -1 : 0;
      const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
      __m256 av[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) av[r] = _mm256_maskload_ps(a + r * lda + full, mask);
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) {
        const __m256 bv = _mm256_maskload_ps(brow[j] + full, mask);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r][j] = _mm256_fmadd_ps(av[r], bv, acc[r][j]);
      }
    }
    // Four columns reduced together (every index into acc stays a compile-time constant, so it stays in registers):
    // two rounds of pairwise adds, then the two 128-bit halves, leave one sum per lane.
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const __m256 sums = _mm256_hadd_ps(_mm256_hadd_ps(acc[r][0], acc[r][1]), _mm256_hadd_ps(acc[r][2], acc[r][3]));
      alignas(16) float out[kDotCols];
      _mm_store_ps(out, _mm_add_ps(_mm256_castps256_ps128(sums), _mm256_extractf128_ps(sums, 1)));
      for (int j = 0; j < cols; ++j) c[r * ldc + j] = out[j];
    }
  }

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
