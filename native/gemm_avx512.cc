// AVX-512 variant: 12 x 32 register tile (24 zmm accumulators, 2 for B, 1 broadcast of A).
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <cstdint>
#include <cstdlib>
#include <immintrin.h>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")

namespace posttrain {
namespace {

#include "pack_avx.h"

struct Avx512Kernel {
  static constexpr int64_t MR = 12;
  static constexpr int64_t NR = 32;

  template <int R, int64_t AR, int64_t AK>
  static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                   bool accumulate) {
    const int64_t row_stride = AR == 0 ? lda : AR;
    const int64_t k_stride = AK == 0 ? lda : AK;
    __m512 acc[R][2];
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      acc[r][0] = acc[r][1] = _mm512_setzero_ps();
      // The tile's rows of C are read once the k loop is done: start fetching them now, so a C larger than the
      // caches (an lm_head weight gradient, accumulated once per KC block) costs no stall at the end.
      if (accumulate) {
        _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16), _MM_HINT_T0);
      }
    }
    for (int64_t p = 0; p < kc; ++p) {
      const __m512 b0 = _mm512_loadu_ps(b);
      const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(a[r * row_stride]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      }
      a += k_stride;
      b += ldb;
    }
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      if (accumulate) {
        acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_loadu_ps(row));
        acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, acc[r][0]);
      _mm512_storeu_ps(row + 16, acc[r][1]);
    }
  }

  static void PackBTransposed(const float* src, int64_t ld, int64_t kc, int64_t cols, float* dst) {
    PackBTransposedAvx<NR>(src, ld, kc, cols, dst);
  }

  // Few rows (decoding): B is read once, in place, 64 columns at a time, with the rows a few steps ahead prefetched
  // (consecutive rows of B are a whole row length apart, too far for the hardware prefetchers to follow).
  static constexpr int64_t kWideMaxRows = 4;
  template <int R>
  static void WideTile(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                       int64_t cols) {
    constexpr int V = 4;  // zmm vectors per row of the tile
    __mmask16 mask[V];
    for (int v = 0; v < V; ++v) {
      const int64_t left = std::min<int64_t>(16, std::max<int64_t>(0, cols - 16 * v));
      mask[v] = static_cast<__mmask16>((uint32_t{1} << left) - 1);
    }
    __m512 acc[R][V];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_ps();
    constexpr int64_t kAhead = 8;
    for (int64_t p = 0; p < k; ++p) {
      if (p + kAhead < k) {
        const char* ahead = reinterpret_cast<const char*>(b + kAhead * ldb);
        for (int line = 0; line < V; ++line) _mm_prefetch(ahead + 64 * line, _MM_HINT_T0);
      }
      __m512 bv[V];
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) bv[v] = _mm512_maskz_loadu_ps(mask[v], b + 16 * v);
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(a[r * lda + p]);
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
      }
      b += ldb;
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < V; ++v) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], acc[r][v]);
  }
  static constexpr int64_t kWideCols = 64;

  // Few rows times a transposed B (weights stored [out, in]): each output is a dot product of two contiguous runs,
  // so B is streamed once without packing; 4 rows by 4 columns at a time, reduced across lanes at the end.
  static constexpr int64_t kDotRows = 4;
  static constexpr int64_t kDotCols = 4;
  template <int R>
  static void DotTile(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
                      int64_t cols) {
    const float* brow[kDotCols];
#pragma GCC unroll 4
    for (int j = 0; j < kDotCols; ++j) brow[j] = b + (j < cols ? j : 0) * ldb;  // spare lanes recompute column 0
    // Every index into acc is a compile-time constant after unrolling, so the accumulators stay in registers.
    __m512 acc[R][kDotCols];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) acc[r][j] = _mm512_setzero_ps();
    for (int64_t p = 0; p < k; p += 16) {
      const __mmask16 mask = k - p >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (k - p)) - 1);
      // The rows of the next column block, at the same position: the memory system keeps streaming B while this
      // block's later row blocks compute from L1 (1.7x for 8 rows, about 1.1x for one). An address past the end of
      // B is only a hint (computed as an integer: no out-of-range pointer is formed).
      const uintptr_t next_block = static_cast<uintptr_t>(kDotCols * ldb) * sizeof(float);
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(brow[j] + p) + next_block), _MM_HINT_T0);
      }
      __m512 av[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) av[r] = _mm512_maskz_loadu_ps(mask, a + r * lda + p);
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) {
        const __m512 bv = _mm512_maskz_loadu_ps(mask, brow[j] + p);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r][j] = _mm512_fmadd_ps(av[r], bv, acc[r][j]);
      }
    }
    // Four columns reduced together: halve each to 8 lanes, then two rounds of pairwise adds leave one sum per lane.
    const __mmask8 store = static_cast<__mmask8>((1u << cols) - 1);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      __m256 half[kDotCols];
#pragma GCC unroll 4
      for (int j = 0; j < kDotCols; ++j) {
        half[j] = _mm256_add_ps(_mm512_castps512_ps256(acc[r][j]),
                                _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[r][j]), 1)));
      }
      const __m256 sums = _mm256_hadd_ps(_mm256_hadd_ps(half[0], half[1]), _mm256_hadd_ps(half[2], half[3]));
      const __m128 out = _mm_add_ps(_mm256_castps256_ps128(sums), _mm256_extractf128_ps(sums, 1));
      _mm_mask_storeu_ps(c + r * ldc, store, out);
    }
  }
};

#include "gemm_driver.h"

}  // namespace

const TileShape kTileAvx512 = {Avx512Kernel::MR, Avx512Kernel::NR};

void GemmRangeAvx512(const GemmProblem& p, const GemmRange& r) { BlockedGemm<Avx512Kernel>::Run(p, r); }

}  // namespace posttrain

#pragma GCC pop_options
