// AVX-512 bodies of the element-wise kernels (see elementwise.h).
#include <cmath>
#include <cstdint>
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx2,fma")

namespace posttrain {
namespace {

// exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2) / 2, exp(r) by its degree-7 Taylor polynomial (relative
// error below 1e-8, under one float ulp); vscalefps applies 2^n with IEEE overflow to inf and underflow to 0.
// Inputs are clamped first so that r stays finite (exp(-inf) = 0, exp(+inf) = inf); NaN passes through.
inline __m512 Exp16(__m512 x) {
  const __m512 lo = _mm512_set1_ps(-104.f), hi = _mm512_set1_ps(89.f);
  x = _mm512_min_ps(hi, _mm512_max_ps(lo, x));  // operand order keeps NaN (the second operand wins on NaN)
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);  // ln 2 split in two for exactness
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
  __m512 p = _mm512_set1_ps(1.f / 5040.f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 720.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

}  // namespace

void ExpF32Avx512(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, Exp16(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, mask, Exp16(_mm512_maskz_loadu_ps(mask, x + i)));
  }
}

void SumRowsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    int64_t j = 0;
    for (; j + 64 <= cols; j += 64)
      for (int v = 0; v < 4; ++v) acc[v] = _mm512_add_ps(acc[v], _mm512_loadu_ps(row + j + 16 * v));
    for (; j + 16 <= cols; j += 16) acc[0] = _mm512_add_ps(acc[0], _mm512_loadu_ps(row + j));
    if (j < cols) {
      const __mmask16 mask = static_cast<__mmask16>((1u << (cols - j)) - 1);
      acc[1] = _mm512_add_ps(acc[1], _mm512_maskz_loadu_ps(mask, row + j));
    }
    y[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
  }
}

void MaxRowsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols) {
  const __m512 lowest = _mm512_set1_ps(-INFINITY);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    __m512 acc[2] = {lowest, lowest};
    __mmask16 nan = 0;
    int64_t j = 0;
    for (; j + 32 <= cols; j += 32) {
      for (int v = 0; v < 2; ++v) {
        const __m512 values = _mm512_loadu_ps(row + j + 16 * v);
        nan |= _mm512_cmp_ps_mask(values, values, _CMP_UNORD_Q);
        acc[v] = _mm512_max_ps(acc[v], values);
      }
    }
    for (; j < cols; j += 16) {
      const __mmask16 mask = cols - j >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (cols - j)) - 1);
      const __m512 values = _mm512_mask_loadu_ps(lowest, mask, row + j);
      nan |= _mm512_cmp_ps_mask(values, values, _CMP_UNORD_Q);
      acc[0] = _mm512_max_ps(acc[0], values);
    }
    y[r] = nan ? NAN : _mm512_reduce_max_ps(_mm512_max_ps(acc[0], acc[1]));
  }
}

// Columns [j0, j1) of the column sums; four rows at a time into 16-column accumulators.
void SumColsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; j += 16) {
    const __mmask16 mask = j1 - j >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (j1 - j)) - 1);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4)
      for (int v = 0; v < 4; ++v) acc[v] = _mm512_add_ps(acc[v], _mm512_maskz_loadu_ps(mask, x + (r + v) * cols + j));
    for (; r < rows; ++r) acc[0] = _mm512_add_ps(acc[0], _mm512_maskz_loadu_ps(mask, x + r * cols + j));
    const __m512 sum = _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
    _mm512_mask_storeu_ps(y + j, mask, sum);
  }
}

}  // namespace posttrain

#pragma GCC pop_options
