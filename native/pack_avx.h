// Packing of a transposed B panel with 8 x 8 AVX transposes. Included after `#pragma GCC target("avx2,...")`,
// inside the including file's anonymous namespace.

inline void Transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// dst[p * NR + j] = src[j * ld + p] for j < cols, 0 for cols <= j < NR.
template <int64_t NR>
void PackBTransposedAvx(const float* src, int64_t ld, int64_t kc, int64_t cols, float* dst) {
  const int64_t full_j = cols & ~int64_t{7};
  const int64_t full_p = kc & ~int64_t{7};
  for (int64_t j0 = 0; j0 < full_j; j0 += 8) {
    for (int64_t p0 = 0; p0 < full_p; p0 += 8) {
      __m256 r[8];
      for (int q = 0; q < 8; ++q) r[q] = _mm256_loadu_ps(src + (j0 + q) * ld + p0);
      Transpose8x8(r);
      for (int q = 0; q < 8; ++q) _mm256_storeu_ps(dst + (p0 + q) * NR + j0, r[q]);
    }
    for (int64_t j = j0; j < j0 + 8; ++j)
      for (int64_t p = full_p; p < kc; ++p) dst[p * NR + j] = src[j * ld + p];
  }
  for (int64_t j = full_j; j < cols; ++j)
    for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = src[j * ld + p];
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t j = cols; j < NR; ++j) dst[p * NR + j] = 0.f;
}
