#ifndef CVECTORMATH_H
#define CVECTORMATH_H

#include <stddef.h>
#include <stdint.h>

// Vector operations Swift cannot spell without a per-lane fallback, as `static inline`
// functions that the Swift compiler inlines into the callers' loops.
//
// Swift's `Float.squareRoot()` is the C `__builtin_sqrtf`, which on Linux keeps `errno`
// semantics (clang's default `-fmath-errno`): every lane is tested for a negative input, with
// a call to libm's `sqrtf` on that path, so `SIMD8<Float>.squareRoot()` becomes eight scalar
// square roots with branches. The element-wise builtin has no `errno` and compiles to the
// vector instruction (`sqrtps` on x86-64, `fsqrt` on arm64), correctly rounded like the scalar.

/// Eight floats, imported into Swift as `SIMD8<Float>`.
typedef float cvm_float8 __attribute__((ext_vector_type(8)));

/// The correctly rounded square root of each lane (NaN for a negative lane, no `errno`).
static inline cvm_float8 cvm_sqrt8(cvm_float8 x) {
#if __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#else
    cvm_float8 r;
    for (int i = 0; i < 8; i++) r[i] = __builtin_sqrtf(x[i]);
    return r;
#endif
}

/// Asks the processor to bring the cache line holding `address` into the cache, about to be
/// written (`__builtin_prefetch(address, 1, 3)`). A hint only: it changes no value and never
/// faults, whatever the address.
static inline void cvm_prefetch_for_writing(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// Copies rows `rows[0], …, rows[count − 1]` of `dimension` floats out of the row-major
/// `source` into `destination`, row i of the result at `destination + i · dimension`.
///
/// A gather of rows scattered over a large buffer waits on memory (cache and TLB misses), so the
/// loop asks for the start of the row a few indices ahead while it copies the current one.
/// The caller guarantees that every row is in range and that `destination` holds
/// `count · dimension` floats not overlapping `source`; nothing is checked here.
void cvm_gather_rows(const float *source, size_t dimension, const intptr_t *rows, size_t count,
                     float *destination);

#include "CVectorMathSoftmax.h"

#endif
