#ifndef CVECTORMATH_SOFTMAX_H
#define CVECTORMATH_SOFTMAX_H

// The row loops of the softmax cross-entropy kernel (Training's SoftmaxCrossEntropyKernel) for
// x86-64 CPUs with AVX2 and FMA, and with AVX-512, each compiled for its features function by
// function (`__attribute__((target(…)))`) so that the package itself keeps the baseline
// target. Call the `_avx2` functions only when `cvm_softmax_vector_level()` is at least 1, the
// `_avx512` ones only when it is 2; elsewhere (other CPUs, arm64) the kernel's Swift loops run
// instead, with the same results to within an ulp.
//
// The three loops of each level:
// - `row_maximum`: the maximum of `x[0..<n]`, `n ≥ 1`; NaN elements are ignored unless every
//   element is NaN (then NaN).
// - `row_exponentials`: writes g[j] = exp(x[j] − shift) for j in 0..<n and returns their sum
//   (in float, lane-wise partial sums). Results below 2⁻¹²⁶ (x[j] − shift < −87.34, −∞
//   included) are 0 and NaN propagates; the exponential is within 1 ulp of the correctly
//   rounded one for x[j] − shift ≤ 0. `g` may be `x` itself. When `next` is not NULL,
//   `*next_maximum` receives `row_maximum` of `next[0..<n]`, taken in the same sweep so that
//   the next row's load from memory overlaps this row's arithmetic.
// - `row_scale`: g[j] ← g[j] · k for j in 0..<n.

#if defined(__x86_64__)

#include <stddef.h>

/// 2 when this CPU and its operating system run AVX-512F, AVX2 and FMA code; 1 with AVX2 and
/// FMA only; else 0.
int cvm_softmax_vector_level(void);

float cvm_softmax_row_maximum_avx2(const float *x, ptrdiff_t n);
float cvm_softmax_row_exponentials_avx2(
    const float *x, float shift, float *g, ptrdiff_t n, const float *next, float *next_maximum);
void cvm_softmax_row_scale_avx2(float *g, ptrdiff_t n, float k);

float cvm_softmax_row_maximum_avx512(const float *x, ptrdiff_t n);
float cvm_softmax_row_exponentials_avx512(
    const float *x, float shift, float *g, ptrdiff_t n, const float *next, float *next_maximum);
void cvm_softmax_row_scale_avx512(float *g, ptrdiff_t n, float k);

#endif

#endif
