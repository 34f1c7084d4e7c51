// AVX-512 body of SmallGemm (fused_attention.h): 8 x 32 register tiles, A broadcast element by element (it may be
// read with any stride, so the transposed products need no copy), B and C rows loaded under masks at the edges.
#include <immintrin.h>

#include <cstdint>

#include "fused_attention.h"

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")

namespace posttrain {
namespace fused {
namespace {

inline __mmask16 Mask(int64_t n) { return n >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << n) - 1); }

template <int R>
void Tile(int64_t depth, const float* a, int64_t a_row, int64_t a_inner, const float* b, int64_t ldb, float* c,
          int64_t ldc, int64_t cols, bool accumulate) {
  const __mmask16 m0 = Mask(cols), m1 = Mask(cols > 16 ? cols - 16 : 0);
  __m512 t0[R], t1[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    t0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, c + r * ldc) : _mm512_setzero_ps();
    t1[r] = accumulate ? _mm512_maskz_loadu_ps(m1, c + r * ldc + 16) : _mm512_setzero_ps();
  }
  for (int64_t i = 0; i < depth; ++i) {
    const float* bi = b + i * ldb;
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bi);
    const __m512 b1 = _mm512_maskz_loadu_ps(m1, bi + 16);
    const float* ai = a + i * a_inner;
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 x = _mm512_set1_ps(ai[r * a_row]);
      t0[r] = _mm512_fmadd_ps(x, b0, t0[r]);
      t1[r] = _mm512_fmadd_ps(x, b1, t1[r]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c + r * ldc, m0, t0[r]);
    _mm512_mask_storeu_ps(c + r * ldc + 16, m1, t1[r]);
  }
}

using TileFn = void (*)(int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t, int64_t, bool);
constexpr TileFn kTiles[9] = {nullptr, Tile<1>, Tile<2>, Tile<3>, Tile<4>, Tile<5>, Tile<6>, Tile<7>, Tile<8>};

}  // namespace

void SmallGemmAvx512(int64_t rows, int64_t cols, int64_t depth, const float* a, int64_t a_row, int64_t a_inner,
                     const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  for (int64_t r = 0; r < rows; r += 8) {
    const int64_t tile_rows = rows - r < 8 ? rows - r : 8;
    for (int64_t j = 0; j < cols; j += 32) {
      kTiles[tile_rows](depth, a + r * a_row, a_row, a_inner, b + j, ldb, c + r * ldc + j, ldc,
                        cols - j < 32 ? cols - j : 32, accumulate);
    }
  }
}

}  // namespace fused
}  // namespace posttrain

#pragma GCC pop_options
