#ifndef CVECTORMATH_H
#define CVECTORMATH_H

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
#include "CVectorMathSoftmax.h"

#endif
}

#include "CVectorMathSoftmax.h"

#endif
