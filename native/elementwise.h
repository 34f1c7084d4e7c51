// Element-wise and reduction kernels that dominate a training step outside the matmuls (the exponential, row max
// and row sums of the log-softmax over the vocabulary, the token sums of normalisation weight gradients), on both
// threads.
#pragma once
#include <cstdint>

namespace posttrain {

// y[i] = exp(x[i]); y may equal x.
void ExpF32(const float* x, float* y, int64_t n);

// y[r] = sum of x[r * cols .. r * cols + cols).
void SumRowsF32(const float* x, float* y, int64_t rows, int64_t cols);

// y[r] = max of x[r * cols .. r * cols + cols), NaN if any is NaN (as the wasm kernel); cols >= 1.
void MaxRowsF32(const float* x, float* y, int64_t rows, int64_t cols);

// y[j] = sum over r of x[r * cols + j] (the weight gradients of normalisations: a sum over every token).
void SumColsF32(const float* x, float* y, int64_t rows, int64_t cols);

}  // namespace posttrain
