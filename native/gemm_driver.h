// Cache-blocked GEMM driver in the BLIS loop order (jc -> pc -> ic -> jr -> ir), generic over a register-tile
// kernel. Included once per instruction set, inside an anonymous namespace after `#pragma GCC target`, so every
// function here is compiled for that instruction set and has internal linkage (no cross-ISA symbol sharing).
//
// Kernel must provide:
//   static constexpr int64_t MR, NR;
//   template <int R, int64_t AR, int64_t AK>
//   static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
//                    bool accumulate)
//     the R x NR tile (R <= MR) c = (accumulate ? c : 0) + sum_p A(r, p) * b[p * ldb + j], A(r, p) = a[r*AR + p*AK]
//     (AR == 0: row stride lda; AK == 0: k stride lda);
//   static void PackBTransposed(const float* src, int64_t ld, int64_t kc, int64_t cols, float* dst)
//     dst[p * NR + j] = src[j * ld + p] for j < cols, 0 for cols <= j < NR.
//   static constexpr int64_t kWideMaxRows, kWideCols; and, when kWideMaxRows > 0,
//   template <int R> static void WideTile(k, a, lda, b, ldb, c, ldc, cols)
//     c[r][j] = sum_p a[r * lda + p] * b[p * ldb + j] for r < R, j < cols <= kWideCols, B read in place;
//   static constexpr int64_t kDotRows, kDotCols (kDotRows 0: none); template <int R> static void DotTile(k, a, lda,
//     b, ldb, c, ldc, cols): c[r][j] = sum_p a[r * lda + p] * b[j * ldb + p] for r < R <= kDotRows,
//     j < cols <= kDotCols (B transposed, read in place).

template <class Kernel>
struct BlockedGemm {
  static constexpr int64_t MR = Kernel::MR;
  static constexpr int64_t NR = Kernel::NR;
  // KC x NR of packed B (32 KiB for NR = 32) stays in L1 while the ir loop streams row panels of A from L2.
  static constexpr int64_t KC = 256;
  static constexpr int64_t MC = MR * 16;
  static constexpr int64_t NC = NR * 128;

  using TileFn = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool);

  // Tile kernels by row count (index 1..MR), for A packed row-major with row stride KC (copied from a plain A), for
  // A packed in MR-row panels stored k-major (gathered from a transposed A, whose columns are contiguous), and for
  // A read in place (plain: row stride k; transposed: k stride m) when each row panel meets a single column panel,
  // so packing would buy nothing.
  template <int64_t AR, int64_t AK, size_t... R>
  static constexpr std::array<TileFn, MR + 1> MakeTiles(std::index_sequence<R...>) {
    return {nullptr, &Kernel::template Tile<static_cast<int>(R) + 1, AR, AK>...};
  }
  static constexpr std::array<TileFn, MR + 1> kRowMajorTiles = MakeTiles<KC, 1>(std::make_index_sequence<MR>());
  static constexpr std::array<TileFn, MR + 1> kPanelTiles = MakeTiles<1, MR>(std::make_index_sequence<MR>());
  static constexpr std::array<TileFn, MR + 1> kInPlaceTiles = MakeTiles<0, 1>(std::make_index_sequence<MR>());
  static constexpr std::array<TileFn, MR + 1> kInPlaceTransTiles = MakeTiles<1, 0>(std::make_index_sequence<MR>());

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
      if (buf.data == nullptr) std::abort();  // a few MiB: if even that fails the process cannot go on
      buf.size = floats;
    }
    return buf.data;
  }

  // Plain A: rows copied whole (row stride KC). Transposed A: MR-row panels, out[panel][p][r] = A(row, p0 + p).
  static void PackA(const GemmProblem& P, const float* a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* out) {
    if (!P.trans_a) {
      // Rows lie k floats apart (the logits' gradient times lm_head: a row per token, the vocabulary long): fetch
      // the row after next while this one is copied, as the prefetchers start afresh on every row.
      constexpr int64_t kRowsAhead = 2;
      for (int64_t r = 0; r < mc; ++r) {
        if (r + kRowsAhead < mc) {
          const char* ahead = reinterpret_cast<const char*>(a + (i0 + r + kRowsAhead) * P.k + p0);
          for (int64_t byte = 0; byte < kc * int64_t{sizeof(float)}; byte += 64) __builtin_prefetch(ahead + byte);
        }
        std::memcpy(out + r * KC, a + (i0 + r) * P.k + p0, kc * sizeof(float));
      }
      return;
    }
    // Row p of a transposed A holds the block's mc values contiguously. Taken kGroup rows at a time, panel by panel:
    // the group's rows stay in L1 while each panel's run of kGroup * MR values is written in one sequential stream
    // (writing every panel row by row would interleave mc / MR streams kc * MR floats apart, the same L1 set for
    // KC = 256), and each run is a fixed-size copy the compiler turns into vector moves. Rows lie m floats apart,
    // too far for the hardware prefetchers to follow (the logits' gradient of an lm_head product is tens of MiB, read
    // from memory): the next group's rows are fetched while this one is copied.
    constexpr int64_t kGroup = 16;
    const int64_t full = mc - mc % MR;
    const int64_t bytes = mc * int64_t{sizeof(float)};
    for (int64_t g = 0; g < kc; g += kGroup) {
      const int64_t rows = std::min(kGroup, kc - g);
      for (int64_t p = g + kGroup; p < std::min(g + 2 * kGroup, kc); ++p) {
        const char* ahead = reinterpret_cast<const char*>(a + (p0 + p) * P.m + i0);
        for (int64_t byte = 0; byte < bytes; byte += 64) __builtin_prefetch(ahead + byte);
      }
      const float* src = a + (p0 + g) * P.m + i0;
      for (int64_t ir = 0; ir < full; ir += MR) {
        float* dst = out + ir * kc + g * MR;
        for (int64_t p = 0; p < rows; ++p) std::memcpy(dst + p * MR, src + p * P.m + ir, MR * sizeof(float));
      }
      if (full < mc) {
        float* dst = out + full * kc + g * MR;
        for (int64_t p = 0; p < rows; ++p) std::memcpy(dst + p * MR, src + p * P.m + full, (mc - full) * sizeof(float));
      }
    }
  }

  // Panels of NR columns, each stored k-major: out[panel][p][j] = B(p0 + p, j0 + panel * NR + j), zero-padded.
  static void PackB(const GemmProblem& P, const float* b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* out) {
    for (int64_t jr = 0; jr < nc; jr += NR) {
      const int64_t cols = std::min(NR, nc - jr);
      float* dst = out + jr * kc;
      if (P.trans_b) {  // B stored [n, k]: row j holds B(., j) contiguously
        Kernel::PackBTransposed(b + (j0 + jr) * P.k + p0, P.k, kc, cols, dst);
      } else if (cols == NR) {  // a fixed-size copy, so the compiler emits vector moves instead of `rep movs`
        for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * NR, b + (p0 + p) * P.n + j0 + jr, NR * sizeof(float));
      } else {
        for (int64_t p = 0; p < kc; ++p) {
          const float* src = b + (p0 + p) * P.n + j0 + jr;
          std::memcpy(dst + p * NR, src, cols * sizeof(float));
          for (int64_t j = cols; j < NR; ++j) dst[p * NR + j] = 0.f;
        }
      }
    }
  }

  // One tile of `rows` x `cols`; a partial column panel goes through a local buffer.
  static void Tile(const std::array<TileFn, MR + 1>& tiles, int64_t kc, const float* a, int64_t lda, const float* b,
                   int64_t ldb, float* c, int64_t ldc, int64_t rows, int64_t cols, bool accumulate) {
    if (cols == NR) {
      tiles[rows](kc, a, lda, b, ldb, c, ldc, accumulate);
      return;
    }
    alignas(64) float tmp[MR * NR];
    tiles[rows](kc, a, lda, b, ldb, tmp, NR, false);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        c[r * ldc + j] = (accumulate ? c[r * ldc + j] : 0.f) + tmp[r * NR + j];
  }

  // rows x [n0, n1) of C = A (rows x k, row stride k) * B (k x ldc) through Kernel::WideTile, B read in place.
  static void RunWide(const float* a, const float* b, float* c, int64_t k, int64_t ldc, int64_t rows, int64_t n0,
                      int64_t n1) {
    if constexpr (Kernel::kWideMaxRows > 0) {
      for (int64_t j = n0; j < n1; j += Kernel::kWideCols) {
        const int64_t cols = std::min(Kernel::kWideCols, n1 - j);
        switch (rows) {
          case 1: Kernel::template WideTile<1>(k, a, k, b + j, ldc, c + j, ldc, cols); break;
          case 2: Kernel::template WideTile<2>(k, a, k, b + j, ldc, c + j, ldc, cols); break;
          case 3: Kernel::template WideTile<3>(k, a, k, b + j, ldc, c + j, ldc, cols); break;
          default: Kernel::template WideTile<4>(k, a, k, b + j, ldc, c + j, ldc, cols); break;
        }
      }
    }
  }

  // Skinny products (decoding: one row per sequence) times a transposed B (weights stored [out, in]) read B in
  // place, each block of kDotCols rows of B once for all rows of A: packing B would double the memory traffic of
  // what is a memory-bound product. Up to this many rows of A.
  static constexpr int64_t kSkinnyRows = 16;

  // rows x [n0, n1) of C = A (rows x k, row stride k) * Bᵀ (B stored n x k) through Kernel::DotTile, kDotRows rows of
  // A at a time; the kDotCols rows of B a column block reads stay in L1 between the row blocks.
  static void RunDot(const float* a, const float* b, float* c, int64_t k, int64_t ldc, int64_t rows, int64_t n0,
                     int64_t n1) {
    if constexpr (Kernel::kDotRows > 0) {
      constexpr int64_t RB = Kernel::kDotRows;
      for (int64_t j = n0; j < n1; j += Kernel::kDotCols) {
        const int64_t cols = std::min(Kernel::kDotCols, n1 - j);
        const float* bj = b + j * k;
        for (int64_t r = 0; r < rows; r += RB) {
          const float* ar = a + r * k;
          float* cr = c + r * ldc + j;
          switch (std::min(RB, rows - r)) {
            case 1: Kernel::template DotTile<1>(k, ar, k, bj, k, cr, ldc, cols); break;
            case 2: Kernel::template DotTile<2>(k, ar, k, bj, k, cr, ldc, cols); break;
            case 3: Kernel::template DotTile<(RB >= 3 ? 3 : 1)>(k, ar, k, bj, k, cr, ldc, cols); break;
            default: Kernel::template DotTile<(RB >= 4 ? 4 : 1)>(k, ar, k, bj, k, cr, ldc, cols); break;
          }
        }
      }
    }
  }

  static void Run(const GemmProblem& P, const GemmRange& R) {
    const int64_t ldc = P.n;
    const bool a_in_place = R.n1 - R.n0 <= NR;
    const int64_t lda = P.trans_a ? P.m : P.k;
    const auto& tiles = a_in_place ? (P.trans_a ? kInPlaceTransTiles : kInPlaceTiles)
                                   : (P.trans_a ? kPanelTiles : kRowMajorTiles);
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
      // The few-rows paths sum in another order than the blocked one: they are chosen by the whole problem's row
      // count, not the range's, so an output is computed the same way whichever part of a split owns it.
      if constexpr (Kernel::kDotRows > 0) {
        if (!P.trans_a && P.trans_b && P.m <= kSkinnyRows) {
          RunDot(a + R.m0 * P.k, b, c + R.m0 * ldc, P.k, ldc, R.m1 - R.m0, R.n0, R.n1);
          continue;
        }
      }
      if constexpr (Kernel::kWideMaxRows > 0) {
        if (!P.trans_a && !P.trans_b && P.m <= Kernel::kWideMaxRows) {
          RunWide(a + R.m0 * P.k, b, c + R.m0 * ldc, P.k, ldc, R.m1 - R.m0, R.n0, R.n1);
          continue;
        }
      }
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
            float* packed_a = nullptr;
            if (!a_in_place) {
              packed_a = Scratch(1, MC * KC);
              PackA(P, a, ic, mc, pc, kc, packed_a);
            }
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
                const float* ap = !a_in_place ? packed_a + (P.trans_a ? ir * kc : ir * KC)
                                  : P.trans_a ? a + pc * P.m + ic + ir
                                              : a + (ic + ir) * P.k + pc;
                Tile(tiles, kc, ap, lda, bp, ldb, c + (ic + ir) * ldc + jc + jr, ldc, rows, cols, accumulate);
              }
            }
          }
        }
      }
    }
  }
};
