// Dispatch and two-thread split of the element-wise kernels; portable bodies for CPUs without AVX-512.
#include "elementwise.h"

#include <algorithm>
#include <cmath>

#include "gemm_api.h"
#include "worker_pool.h"

namespace posttrain {

void ExpF32Avx512(const float* x, float* y, int64_t n);
void SumRowsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols);
void MaxRowsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols);
void SumColsF32Avx512(const float* x, float* y, int64_t rows, int64_t cols, int64_t j0, int64_t j1);

namespace {

void ExpF32Portable(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

void SumRowsF32Portable(const float* x, float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float sum = 0.f;
    for (int64_t j = 0; j < cols; ++j) sum += x[r * cols + j];
    y[r] = sum;
  }
}

void MaxRowsF32Portable(const float* x, float* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float best = x[r * cols];
    for (int64_t j = 0; j < cols && !std::isnan(best); ++j) {
      const float value = x[r * cols + j];
      if (std::isnan(value) || value > best) best = value;
    }
    y[r] = best;
  }
}

void SumColsF32Portable(const float* x, float* y, int64_t rows, int64_t cols, int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j) y[j] = 0.f;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = j0; j < j1; ++j) y[j] += x[r * cols + j];
}

// Below this many elements a kernel takes a few microseconds: one thread, no hand-off.
constexpr int64_t kMinParallelElements = int64_t{1} << 16;
constexpr int kParts = 4;

bool UseAvx512() { return CurrentIsa() == Isa::kAvx512; }

struct ExpJob {
  const float* x;
  float* y;
  int64_t n;
};

void ExpPart(void* context, int part) {
  const ExpJob& job = *static_cast<const ExpJob*>(context);
  // Parts start on 16-element boundaries so every part but the last runs whole vectors.
  const int64_t begin = (job.n * part / kParts) & ~int64_t{15};
  const int64_t end = part == kParts - 1 ? job.n : (job.n * (part + 1) / kParts) & ~int64_t{15};
  if (UseAvx512()) {
    ExpF32Avx512(job.x + begin, job.y + begin, end - begin);
  } else {
    ExpF32Portable(job.x + begin, job.y + begin, end - begin);
  }
}

using RowsFn = void (*)(const float* x, float* y, int64_t rows, int64_t cols);

struct SumJob {
  const float* x;
  float* y;
  int64_t rows, cols;
  RowsFn rows_fn;  // row reductions: the kernel for this instruction set
};

void RowsPart(void* context, int part) {
  const SumJob& job = *static_cast<const SumJob*>(context);
  const int64_t begin = job.rows * part / kParts;
  const int64_t end = job.rows * (part + 1) / kParts;
  job.rows_fn(job.x + begin * job.cols, job.y + begin, end - begin, job.cols);
}

void ReduceRows(const float* x, float* y, int64_t rows, int64_t cols, RowsFn fn) {
  SumJob job{x, y, rows, cols, fn};
  if (Threads() >= 2 && rows >= 2 && rows * cols >= kMinParallelElements) {
    WorkerPool::Get().Run(RowsPart, &job, kParts);
  } else {
    for (int part = 0; part < kParts; ++part) RowsPart(&job, part);
  }
}

void SumColsPart(void* context, int part) {
  const SumJob& job = *static_cast<const SumJob*>(context);
  // Column ranges on 16-column boundaries, so no vector straddles two parts.
  const int64_t j0 = (job.cols * part / kParts) & ~int64_t{15};
  const int64_t j1 = part == kParts - 1 ? job.cols : (job.cols * (part + 1) / kParts) & ~int64_t{15};
  if (UseAvx512()) {
    SumColsF32Avx512(job.x, job.y, job.rows, job.cols, j0, j1);
  } else {
    SumColsF32Portable(job.x, job.y, job.rows, job.cols, j0, j1);
  }
}

}  // namespace

void ExpF32(const float* x, float* y, int64_t n) {
  ExpJob job{x, y, n};
  if (Threads() >= 2 && n >= kMinParallelElements) {
    WorkerPool::Get().Run(ExpPart, &job, kParts);
  } else {
    for (int part = 0; part < kParts; ++part) ExpPart(&job, part);
  }
}

void SumRowsF32(const float* x, float* y, int64_t rows, int64_t cols) {
  ReduceRows(x, y, rows, cols, UseAvx512() ? SumRowsF32Avx512 : SumRowsF32Portable);
}

void MaxRowsF32(const float* x, float* y, int64_t rows, int64_t cols) {
  ReduceRows(x, y, rows, cols, UseAvx512() ? MaxRowsF32Avx512 : MaxRowsF32Portable);
}

void SumColsF32(const float* x, float* y, int64_t rows, int64_t cols) {
  SumJob job{x, y, rows, cols, nullptr};
  if (Threads() >= 2 && cols >= 64 && rows * cols >= kMinParallelElements) {
    WorkerPool::Get().Run(SumColsPart, &job, kParts);
  } else {
    for (int part = 0; part < kParts; ++part) SumColsPart(&job, part);
  }
}

}  // namespace posttrain
