// Instruction-set dispatch, the two-thread split and the bias/activation epilogue around the per-ISA GEMMs.
#include "gemm_api.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "worker_pool.h"

namespace posttrain {
namespace {

struct Variant {
  Isa isa;
  const char* name;
  GemmRangeFn fn;
  const TileShape* tile;
};

const Variant kVariants[] = {
    {Isa::kAvx512, "avx512", GemmRangeAvx512, &kTileAvx512},
    {Isa::kAvx2, "avx2", GemmRangeAvx2, &kTileAvx2},
    {Isa::kScalar, "scalar", GemmRangeScalar, &kTileScalar},
};

const Variant& VariantOf(Isa isa) { return kVariants[static_cast<int>(isa)]; }

Isa g_isa = BestIsa();
int g_threads = std::min(2, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

// Below this many multiply-adds (about 10 us on one core) waking the helper costs more than it saves.
constexpr int64_t kMinParallelWork = int64_t{1} << 20;

int64_t CeilDiv(int64_t x, int64_t y) { return (x + y - 1) / y; }

float Activate(float x, Activation act, float alpha) {
  switch (act) {
    case Activation::kLinear: return x;
    case Activation::kRelu: return x > 0.f ? x : 0.f;
    case Activation::kRelu6: return std::min(std::max(x, 0.f), 6.f);
    case Activation::kLeakyRelu: return x < 0.f ? alpha * x : x;
    case Activation::kSigmoid: return 1.f / (1.f + std::exp(-x));
    case Activation::kElu: return x < 0.f ? std::expm1(x) : x;
  }
  return x;
}

void Epilogue(const GemmProblem& p, const GemmRange& r) {
  if (p.bias == nullptr && p.activation == Activation::kLinear) return;
  for (int64_t bi = r.b0; bi < r.b1; ++bi) {
    for (int64_t i = r.m0; i < r.m1; ++i) {
      float* row = p.c + (bi * p.m + i) * p.n;
      for (int64_t j = r.n0; j < r.n1; ++j) {
        float v = row[j];
        if (p.bias != nullptr) v += p.bias[p.bias_len == 1 ? 0 : j];
        row[j] = Activate(v, p.activation, p.leaky_alpha);
      }
    }
  }
}

constexpr int kMaxParts = 16;
// A part of a one-batch product spans at least this many rows or columns (see SplitWork) and this much work.
constexpr int64_t kMinPartExtent = 512;
constexpr int64_t kMinPartWork = int64_t{1} << 22;
// Rows up to which a product times a transposed B reads B in place (BlockedGemm::kSkinnyRows).
constexpr int64_t kSkinnyRows = 16;

// Multiply-adds of a problem, as time: a few rows stream B from memory (L3 or DRAM) at a fraction of the
// arithmetic peak, so each element of B costs about as long as 16 multiply-adds, however few rows use it.
int64_t Work(const GemmProblem& p) {
  const int64_t rows_cost = p.m <= kSkinnyRows ? std::max<int64_t>(p.m, 16) : p.m;
  return p.batch * rows_cost * p.n * std::max<int64_t>(p.k, 1);
}

struct Job {
  const GemmProblem* problem;
  const Variant* variant;
  int parts;
  GemmRange ranges[kMaxParts];
};

void RunPart(void* context, int part) {
  const Job& job = *static_cast<const Job*>(context);
  job.variant->fn(*job.problem, job.ranges[part]);
  Epilogue(*job.problem, job.ranges[part]);
}

// Splits the output on register-tile boundaries into parts the two threads claim one at a time. Several batches:
// by batch (up to kMaxParts, so a thread slowed down by other processes hands its share over), an odd handful also
// by rows, so the two threads end together. One large batch: in up to kMaxParts / 2 parts along its longer side.
// Otherwise in two by rows or by columns, whichever leaves the busier half with fewer tiles. Returns the number of
// parts (1: too small to split).
int SplitWork(const GemmProblem& p, const TileShape& tile, GemmRange ranges[kMaxParts]) {
  const GemmRange whole = {0, p.batch, 0, p.m, 0, p.n};
  const int64_t m_cut = std::min(p.m, CeilDiv(CeilDiv(p.m, 2), tile.mr) * tile.mr);
  const int64_t n_cut = std::min(p.n, CeilDiv(CeilDiv(p.n, 2), tile.nr) * tile.nr);
  const bool rows_ok = m_cut < p.m, cols_ok = n_cut < p.n;
  if (p.batch >= 2) {
    if (p.batch % 2 == 1 && 2 * p.batch <= kMaxParts && rows_ok) {
      for (int64_t b = 0; b < p.batch; ++b) {
        ranges[2 * b] = ranges[2 * b + 1] = {b, b + 1, 0, p.m, 0, p.n};
        ranges[2 * b].m1 = ranges[2 * b + 1].m0 = m_cut;
      }
      return static_cast<int>(2 * p.batch);
    }
    const int parts = static_cast<int>(std::min<int64_t>(p.batch, kMaxParts));
    for (int i = 0; i < parts; ++i) {
      ranges[i] = whole;
      ranges[i].b0 = p.batch * i / parts;
      ranges[i].b1 = p.batch * (i + 1) / parts;
    }
    return parts;
  }
  ranges[0] = ranges[1] = whole;
  // A skinny product times a transposed B reads each row of B once for all rows of A (gemm_driver.h RunDot): split
  // by columns, so each thread streams half of B instead of both streaming all of it.
  if (!p.trans_a && p.trans_b && p.m <= kSkinnyRows && p.n >= 2) {
    ranges[0].n1 = ranges[1].n0 = std::max<int64_t>(1, (p.n / 2) & ~int64_t{3});
    return 2;
  }
  // Large products: several parts per thread, so a thread the scheduler holds back (a loaded machine) leaves its
  // unclaimed parts to the other instead of making it wait. Cut along the longer side: each part packs its own copy
  // of the other operand's block (rows: all of B; columns: all of A), a cost per multiply-add of 1 / (its extent
  // along the cut), so parts keep at least kMinPartExtent rows or columns.
  const bool by_rows = p.m >= p.n;
  const int64_t extent = by_rows ? p.m : p.n;
  const int64_t unit = by_rows ? tile.mr : tile.nr;
  const int64_t many = std::min<int64_t>(kMaxParts / 2, extent / kMinPartExtent);
  if (many > 2 && Work(p) >= kMinPartWork * many) {
    const int64_t units = CeilDiv(extent, unit);
    for (int64_t i = 0; i < many; ++i) {
      ranges[i] = whole;
      const int64_t lo = std::min(extent, units * i / many * unit), hi = std::min(extent, units * (i + 1) / many * unit);
      if (by_rows) {
        ranges[i].m0 = lo, ranges[i].m1 = hi;
      } else {
        ranges[i].n0 = lo, ranges[i].n1 = hi;
      }
    }
    return static_cast<int>(many);
  }
  const int64_t tiles_if_rows = CeilDiv(m_cut, tile.mr) * CeilDiv(p.n, tile.nr);
  const int64_t tiles_if_cols = CeilDiv(p.m, tile.mr) * CeilDiv(n_cut, tile.nr);
  if (rows_ok && (!cols_ok || tiles_if_rows <= tiles_if_cols)) {
    ranges[0].m1 = ranges[1].m0 = m_cut;
    return 2;
  }
  if (cols_ok) {
    ranges[0].n1 = ranges[1].n0 = n_cut;
    return 2;
  }
  return 1;
}

}  // namespace

Isa BestIsa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
  return Isa::kScalar;
}

bool IsaSupported(Isa isa) { return static_cast<int>(isa) >= static_cast<int>(BestIsa()); }

const char* IsaName(Isa isa) { return VariantOf(isa).name; }

Isa CurrentIsa() { return g_isa; }

bool SetIsa(Isa isa) {
  if (!IsaSupported(isa)) return false;
  g_isa = isa;
  return true;
}

int Threads() { return g_threads; }

void SetThreads(int threads) { g_threads = std::max(1, std::min(2, threads)); }

bool WorthBothThreads(const GemmProblem* const* problems, int count) {
  int64_t work = 0;
  for (int i = 0; i < count; ++i) work += Work(*problems[i]);
  return g_threads >= 2 && work >= kMinParallelWork;
}

void GemmRangeHere(const GemmProblem& p, const GemmRange& r) {
  const Variant& variant = VariantOf(g_isa);
  variant.fn(p, r);
  Epilogue(p, r);
}

void Gemm(const GemmProblem& p) { Gemm(p, g_threads); }

void Gemm(const GemmProblem& p, int max_threads) {
  if (p.batch == 0 || p.m == 0 || p.n == 0) return;
  const Variant& variant = VariantOf(g_isa);
  Job job{&p, &variant, 1, {}};
  const GemmProblem* problems[] = {&p};
  if (max_threads >= 2 && WorthBothThreads(problems, 1)) job.parts = SplitWork(p, *variant.tile, job.ranges);
  if (job.parts > 1) {
    WorkerPool::Get().Run(RunPart, &job, job.parts);
    return;
  }
  job.ranges[0] = {0, p.batch, 0, p.m, 0, p.n};
  RunPart(&job, 0);
}

}  // namespace posttrain
