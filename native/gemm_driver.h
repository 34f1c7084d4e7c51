// Cache-blocked GEMM driver in the BLIS loop order (jc -> pc -> ic -> jr -> ir), generic over a register-tile
// kernel. Included once per instruction set, inside an anonymous namespace after `#pragma GCC target`, so every
// function here is compiled for that instruction set and has internal linkage (no cross-ISA symbol sharing).
//
// Kernel must provide: static constexpr int64_t MR, NR; and
//   static void Tile(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate)
// computing the MR x NR tile c = (accumulate ? c : 0) + sum_p a[p * MR + r] * b[p * ldb + j].

template <class Kernel>
struct BlockedGemm {
  static constexpr int64_t MR = Kernel::MR;
  static constexpr int64_t NR = Kernel::NR;
  // KC x NR of packed B (32 KiB for NR = 32) stays in L1 while the ir loop streams MR-row panels of A from L2.
  static constexpr int64_t KC = 256;
  static constexpr int64_t MC = MR * 16;
  static constexpr int64_t NC = NR * 128;

  // Per-thread packing buffers, 64-byte aligned, grown on demand and kept for the thread's lifetime.
  static float* Scratch(int slot, int64_t floats) {
    struct Buf {
      float* data = nullptr;
      int64_t size = 0;
      ~Buf() { std::free(data); }
    };
    thread_local Buf bufs[3];
    Buf& buf = bufs[slot];
    if (buf.size < floats) {
      std::free(buf.data);
      int64_t bytes = ((floats * 4 + 63) / 64) * 64;
      buf.data = static_cast<float*>(std::aligned_alloc(64, static_cast<size_t>(bytes)));
      buf.size = floats;
    }
    return buf.data;
  }

  // Panels of MR rows, each stored k-major: out[panel][p][r] = A(i0 + panel * MR + r, p0 + p), zero-padded rows.
  static void PackA(const GemmProblem& P, const float* a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* out) {
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t rows = std::min(MR, mc - ir);
      float* dst = out + ir * kc;
      if (P.trans_a) {  // A stored [k, m]: row p holds A(., p) contiguously
        for (int64_t p = 0; p < kc; ++p) {
          const float* src = a + (p0 + p) * P.m + i0 + ir;
          for (int64_t r = 0; r < rows; ++r) dst[p * MR + r] = src[r];
          for (int64_t r = rows; r < MR; ++r) dst[p * MR + r] = 0.f;
        }
      } else {
        for (int64_t r = 0; r < rows; ++r) {
          const float* src = a + (i0 + ir + r) * P.k + p0;
          for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = src[p];
        }
        for (int64_t r = rows; r < MR; ++r)
          for (int64_t p = 0; p < kc; ++p) dst[p * MR + r] = 0.f;
      }
    }
  }

  // Panels of NR columns, each stored k-major: out[panel][p][j] = B(p0 + p, j0 + panel * NR + j), zero-padded.
  static void PackB(const GemmProblem& P, const float* b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* out) {
    for (int64_t jr = 0; jr < nc; jr += NR) {
      const int64_t cols = std::min(NR, nc - jr);
      float* dst = out + jr * kc;
      if (P.trans_b) {  // B stored [n, k]: row j holds B(., j) contiguously
        for (int64_t j = 0; j < cols; ++j) {
          const float* src = b + (j0 + jr + j) * P.k + p0;
          for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = src[p];
        }
        for (int64_t j = cols; j < NR; ++j)
          for (int64_t p = 0; p < kc; ++p) dst[p * NR + j] = 0.f;
      } else {
        for (int64_t p = 0; p < kc; ++p) {
          const float* src = b + (p0 + p) * P.n + j0 + jr;
          for (int64_t j = 0; j < cols; ++j) dst[p * NR + j] = src[j];
          for (int64_t j = cols; j < NR; ++j) dst[p * NR + j] = 0.f;
        }
      }
    }
  }

  // One MR x NR tile; partial tiles at the matrix edge go through a local buffer.
  static void Tile(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, int64_t rows,
                   int64_t cols, bool accumulate) {
    if (rows == MR && cols == NR) {
      Kernel::Tile(kc, a, b, ldb, c, ldc, accumulate);
      return;
    }
    alignas(64) float tmp[MR * NR];
    Kernel::Tile(kc, a, b, ldb, tmp, NR, false);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0.f) + tmp[r * NR + j];
  }

  static void Run(const GemmProblem& P, const GemmRange& R) {
    const int64_t ldc = P.n;
    for (int64_t bi = R.b0; bi < R.b1; ++bi) {
      const float* a = P.a + bi * P.batch_stride_a;
      const float* b = P.b + bi * P.batch_stride_b;
      float* c = P.c + bi * P.m * P.n;
      if (P.k == 0) {
        for (int64_t i = R.m0; i < R.m1; ++i)
          for (int64_t j = R.n0; j < R.n1; ++j) c[i * ldc + j] = 0.f;
        continue;
      }
      // With at most one row panel, packing B costs as much as the product itself: read B in place instead
      // (only when B is not transposed, so each of its rows is a contiguous run of columns).
      const bool stream_b = !P.trans_b && (R.m1 - R.m0) <= MR;
      for (int64_t jc = R.n0; jc < R.n1; jc += NC) {
        const int64_t nc = std::min(NC, R.n1 - jc);
        for (int64_t pc = 0; pc < P.k; pc += KC) {
          const int64_t kc = std::min(KC, P.k - pc);
          const bool accumulate = pc > 0;
          float* packed_b = nullptr;
          if (!stream_b) {
            packed_b = Scratch(0, KC * NC);
            PackB(P, b, pc, kc, jc, nc, packed_b);
          }
          for (int64_t ic = R.m0; ic < R.m1; ic += MC) {
            const int64_t mc = std::min(MC, R.m1 - ic);
            float* packed_a = Scratch(1, MC * KC);
            PackA(P, a, ic, mc, pc, kc, packed_a);
            for (int64_t jr = 0; jr < nc; jr += NR) {
              const int64_t cols = std::min(NR, nc - jr);
              const float* bp;
              int64_t ldb;
              if (!stream_b) {
                bp = packed_b + jr * kc;
                ldb = NR;
              } else if (cols == NR) {
                bp = b + pc * P.n + jc + jr;
                ldb = P.n;
              } else {  // the last, narrower column panel: pack it so the kernel never reads past B's row
                float* sliver = Scratch(2, KC * NR);
                PackB(P, b, pc, kc, jc + jr, cols, sliver);
                bp = sliver;
                ldb = NR;
              }
              for (int64_t ir = 0; ir < mc; ir += MR) {
                const int64_t rows = std::min(MR, mc - ir);
                Tile(kc, packed_a + ir * kc, bp, ldb, c + (ic + ir) * ldc + jc + jr, ldc, rows, cols, accumulate);
              }
            }
          }
        }
      }
    }
  }
};
