// The softmax cross-entropy row loops for AVX2 + FMA and for AVX-512 (see
// include/CVectorMathSoftmax.h).
//
// The exponential is the scheme of Training's `FastMath.expOfNonPositive`, with fused
// multiply–adds: Cody–Waite range reduction (W. J. Cody and W. Waite, *Software Manual for the
// Elementary Functions*, 1980) e^z = 2ⁿ·e^r with n = round(z·log₂e) and r = z − n·ln 2 (ln 2
// in two parts), e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln(2)/2 with the same degree-4 minimax P
// (evaluated by Horner's scheme), and 2ⁿ formed in the exponent bits (AVX2) or by `vscalefps`
// (AVX-512). Lanes with z < ln 2⁻¹²⁶ are set to 0 at the end, so the reduction needs no clamp.
#include "CVectorMathSoftmax.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <math.h>

#define CVM_AVX2_FMA __attribute__((target("avx2,fma")))

int cvm_softmax_vector_level(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    return __builtin_cpu_supports("avx512f") ? 2 : 1;
}

/// What the row maxima return for a row whose largest non-NaN value is `m`: NaN when the row
/// is all NaN.
static inline float cvm_row_maximum_result(float m, const float *x) {
    return (m == -INFINITY && isnan(x[0])) ? x[0] : m;
}

/// The reduction and polynomial of the exponential in the intrinsics of one vector width
/// (`FMADD`, `FNMADD`, `SUB`, `SET1`): for `z`, sets `t` (whose low mantissa bits hold
/// n = round(z·log₂e), as t − 1.5·2²³ = n), `n` and `p` ≈ e^r with r = z − n·ln 2, so that
/// e^z = p·2ⁿ. No clamp: the callers clear the lanes below the cut-off, whatever they hold.
#define CVM_EXP_CORE(FMADD, FNMADD, SUB, SET1, z, t, n, p)                                  \
    do {                                                                                   \
        t = FMADD(z, SET1(1.44269504f), SET1(12582912.0f));                                \
        n = SUB(t, SET1(12582912.0f));                                                     \
        /* ln 2 = 0.693147182 − 1.90465430e-9 */                                           \
        const __typeof__(z) r = FNMADD(n, SET1(-1.90465430e-9f), FNMADD(n, SET1(0.693147182f), z)); \
        /* 1 + r·(1 + r·(c₂ + r·(c₃ + r·(c₄ + r·(c₅ + r·c₆))))) */                         \
        p = FMADD(SET1(1.381461275741458e-3f), r, SET1(8.368710055947304e-3f));           \
        p = FMADD(p, r, SET1(4.166838899254799e-2f));                                      \
        p = FMADD(p, r, SET1(1.666652113199234e-1f));                                      \
        p = FMADD(p, r, SET1(4.999999403953552e-1f));                                      \
        p = FMADD(p, r, SET1(1.0f));                                                       \
        p = FMADD(p, r, SET1(1.0f));                                                       \
    } while (0)

// MARK: AVX2 + FMA (eight lanes, sixteen registers)

/// Lanes 0..<count set (all ones), the others clear, for `0 ≤ count ≤ 8`.
CVM_AVX2_FMA static inline __m256i cvm_lanes_below(ptrdiff_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), index);
}

/// The lane-wise maximum with NaN lanes of `v` ignored (`acc` holds no NaN).
CVM_AVX2_FMA static inline __m256 cvm_max_ignoring_nan(__m256 v, __m256 acc) {
    // maxps returns its second operand when either is NaN.
    return _mm256_max_ps(v, acc);
}

/// The largest lane of `v` (no NaN lanes).
CVM_AVX2_FMA static inline float cvm_horizontal_max(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/// The sum of the lanes of `v`.
CVM_AVX2_FMA static inline float cvm_horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// e^z lane by lane for z ≤ 0: 0 below ln 2⁻¹²⁶ (no subnormal results), NaN propagates.
CVM_AVX2_FMA static inline __m256 cvm_exp_nonpositive8(__m256 z) {
    __m256 t, n, p;
    CVM_EXP_CORE(_mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_sub_ps, _mm256_set1_ps, z, t, n, p);
    (void)n;
    // 2ⁿ: t's bits shifted by 23 are n << 23 (the magic number's bits fall off); add the bias.
    const __m256i bits = _mm256_add_epi32(_mm256_slli_epi32(_mm256_castps_si256(t), 23), _mm256_set1_epi32(127 << 23));
    const __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
    // Lanes with z < ln 2⁻¹²⁶ (−∞ included) become 0; NaN compares false and is kept.
    return _mm256_andnot_ps(_mm256_cmp_ps(z, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ), result);
}

CVM_AVX2_FMA float cvm_softmax_row_maximum_avx2(const float *x, ptrdiff_t n) {
    const __m256 lowest = _mm256_set1_ps(-INFINITY);
    __m256 m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
    ptrdiff_t j = 0;
    for (; j + 32 <= n; j += 32) {
        m0 = cvm_max_ignoring_nan(_mm256_loadu_ps(x + j), m0);
        m1 = cvm_max_ignoring_nan(_mm256_loadu_ps(x + j + 8), m1);
        m2 = cvm_max_ignoring_nan(_mm256_loadu_ps(x + j + 16), m2);
        m3 = cvm_max_ignoring_nan(_mm256_loadu_ps(x + j + 24), m3);
    }
    for (; j + 8 <= n; j += 8) m0 = cvm_max_ignoring_nan(_mm256_loadu_ps(x + j), m0);
    if (j < n) {
        const __m256i mask = cvm_lanes_below(n - j);
        const __m256 v = _mm256_blendv_ps(lowest, _mm256_maskload_ps(x + j, mask), _mm256_castsi256_ps(mask));
        m1 = cvm_max_ignoring_nan(v, m1);
    }
    const __m256 m = _mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3));
    return cvm_row_maximum_result(cvm_horizontal_max(m), x);
}

CVM_AVX2_FMA float cvm_softmax_row_exponentials_avx2(
    const float *x, float shift, float *g, ptrdiff_t n, const float *next, float *next_maximum
) {
    // Eight lanes a step: the exponential's constants take most of the sixteen registers.
    const __m256 s = _mm256_set1_ps(shift);
    const __m256 lowest = _mm256_set1_ps(-INFINITY);
    __m256 sum = _mm256_setzero_ps();
    __m256 m = lowest;
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
        if (next) m = cvm_max_ignoring_nan(_mm256_loadu_ps(next + j), m);
        const __m256 e = cvm_exp_nonpositive8(_mm256_sub_ps(_mm256_loadu_ps(x + j), s));
        _mm256_storeu_ps(g + j, e);
        sum = _mm256_add_ps(sum, e);
    }
    if (j < n) {
        const __m256i mask = cvm_lanes_below(n - j);
        const __m256 lanes = _mm256_castsi256_ps(mask);
        // The lanes past the row give exp(−∞) = 0, adding nothing to the sum.
        const __m256 v = _mm256_blendv_ps(lowest, _mm256_maskload_ps(x + j, mask), lanes);
        const __m256 e = cvm_exp_nonpositive8(_mm256_sub_ps(v, s));
        _mm256_maskstore_ps(g + j, mask, e);
        sum = _mm256_add_ps(sum, e);
        if (next) m = cvm_max_ignoring_nan(_mm256_blendv_ps(lowest, _mm256_maskload_ps(next + j, mask), lanes), m);
    }
    if (next) *next_maximum = cvm_row_maximum_result(cvm_horizontal_max(m), next);
    return cvm_horizontal_sum(sum);
}

CVM_AVX2_FMA void cvm_softmax_row_scale_avx2(float *g, ptrdiff_t n, float k) {
    const __m256 v = _mm256_set1_ps(k);
    ptrdiff_t j = 0;
    for (; j + 16 <= n; j += 16) {
        _mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(g + j), v));
        _mm256_storeu_ps(g + j + 8, _mm256_mul_ps(_mm256_loadu_ps(g + j + 8), v));
    }
    for (; j + 8 <= n; j += 8) _mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(g + j), v));
    for (; j < n; j++) g[j] *= k;
}

// MARK: AVX-512 (sixteen lanes, 32 registers, masked tails)

#define CVM_AVX512 __attribute__((target("avx512f")))

/// Lanes 0..<count set, for `0 ≤ count ≤ 16`.
CVM_AVX512 static inline __mmask16 cvm_mask_below(ptrdiff_t count) {
    return (__mmask16)((1u << count) - 1u);
}

/// `cvm_exp_nonpositive8` on sixteen lanes, with `vscalefps` forming p·2ⁿ.
CVM_AVX512 static inline __m512 cvm_exp_nonpositive16(__m512 z) {
    __m512 t, n, p;
    CVM_EXP_CORE(_mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_sub_ps, _mm512_set1_ps, z, t, n, p);
    (void)t;
    // Lanes with z < ln 2⁻¹²⁶ (−∞ included) become 0; NaN compares unordered and is kept.
    const __mmask16 keep = _mm512_cmp_ps_mask(z, _mm512_set1_ps(-87.33654f), _CMP_NLT_UQ);
    return _mm512_maskz_scalef_ps(keep, p, n);
}

CVM_AVX512 float cvm_softmax_row_maximum_avx512(const float *x, ptrdiff_t n) {
    const __m512 lowest = _mm512_set1_ps(-INFINITY);
    __m512 m0 = lowest, m1 = lowest;
    ptrdiff_t j = 0;
    for (; j + 32 <= n; j += 32) {
        m0 = _mm512_max_ps(_mm512_loadu_ps(x + j), m0);
        m1 = _mm512_max_ps(_mm512_loadu_ps(x + j + 16), m1);
    }
    if (j + 16 <= n) {
        m0 = _mm512_max_ps(_mm512_loadu_ps(x + j), m0);
        j += 16;
    }
    if (j < n) m1 = _mm512_max_ps(_mm512_mask_loadu_ps(lowest, cvm_mask_below(n - j), x + j), m1);
    return cvm_row_maximum_result(_mm512_reduce_max_ps(_mm512_max_ps(m0, m1)), x);
}

CVM_AVX512 float cvm_softmax_row_exponentials_avx512(
    const float *x, float shift, float *g, ptrdiff_t n, const float *next, float *next_maximum
) {
    const __m512 s = _mm512_set1_ps(shift);
    const __m512 lowest = _mm512_set1_ps(-INFINITY);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    __m512 m0 = lowest, m1 = lowest;
    ptrdiff_t j = 0;
    for (; j + 32 <= n; j += 32) {
        if (next) {
            m0 = _mm512_max_ps(_mm512_loadu_ps(next + j), m0);
            m1 = _mm512_max_ps(_mm512_loadu_ps(next + j + 16), m1);
        }
        const __m512 e0 = cvm_exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(x + j), s));
        const __m512 e1 = cvm_exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(x + j + 16), s));
        _mm512_storeu_ps(g + j, e0);
        _mm512_storeu_ps(g + j + 16, e1);
        s0 = _mm512_add_ps(s0, e0);
        s1 = _mm512_add_ps(s1, e1);
    }
    for (; j < n; j += 16) {
        // The last lanes past the row give exp(−∞) = 0, adding nothing to the sum.
        const __mmask16 lanes = n - j >= 16 ? (__mmask16)0xFFFF : cvm_mask_below(n - j);
        if (next) m0 = _mm512_max_ps(_mm512_mask_loadu_ps(lowest, lanes, next + j), m0);
        const __m512 e = cvm_exp_nonpositive16(_mm512_sub_ps(_mm512_mask_loadu_ps(lowest, lanes, x + j), s));
        _mm512_mask_storeu_ps(g + j, lanes, e);
        s0 = _mm512_add_ps(s0, e);
    }
    if (next) *next_maximum = cvm_row_maximum_result(_mm512_reduce_max_ps(_mm512_max_ps(m0, m1)), next);
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

CVM_AVX512 void cvm_softmax_row_scale_avx512(float *g, ptrdiff_t n, float k) {
    const __m512 v = _mm512_set1_ps(k);
    ptrdiff_t j = 0;
    for (; j + 16 <= n; j += 16) _mm512_storeu_ps(g + j, _mm512_mul_ps(_mm512_loadu_ps(g + j), v));
    if (j < n) {
        const __mmask16 lanes = cvm_mask_below(n - j);
        _mm512_mask_storeu_ps(g + j, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, g + j), v));
    }
}

#endif
