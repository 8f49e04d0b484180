/// Vectorised single-precision `exp` and `log` on `SIMD8<Float>`, for the hot loops of the losses.
///
/// Both use the classic scheme: Cody–Waite range reduction (W. J. Cody and W. Waite, *Software
/// Manual for the Elementary Functions*, 1980) followed by a short polynomial: for `exp` a
/// degree-6 minimax fit of our own, for `log` the coefficients of S. L. Moshier's Cephes library
/// (*Methods and Programs for Mathematical Functions*, 1989). Error is within 2 ulp of the correctly rounded result over the whole
/// `Float` range (the tests sweep it densely against the C library), including subnormal results
/// and the limits: `exp` overflows to `+∞` above ≈ 88.72 and underflows to `0` below ≈ −103.97;
/// `log(0) = −∞`, `log(x < 0) = NaN`, `log(+∞) = +∞`; NaN propagates.
///
/// Only operations that the baseline x86-64 (SSE2) and arm64 targets vectorise are used: no
/// `rounded()` (a libm call per lane without SSE4.1), no fused multiply–add, no integer↔float
/// conversions; rounding and conversions go through the 1.5·2²³ "magic number" trick.
enum FastMath {
    /// 1.5 · 2²³: adding it to a float of magnitude < 2²² rounds to an integer held in the low
    /// mantissa bits.
    static var magicFloat: Float { 12_582_912 }
    /// The bit pattern of `magicFloat`.
    static var magicBits: Int32 { 0x4B40_0000 }

    /// `eˣ` lane by lane.
    ///
    /// - Complexity: about 20 vector operations for 8 lanes.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp so that n = round(x / ln 2) stays in [-150, 128]; beyond these the result is
        // 0 or +∞ anyway, which the scaling below produces by itself. NaN compares false and
        // passes through unclamped, and propagates through the polynomial.
        var xc = x.replacing(with: 88.8, where: x .> 88.8)
        xc = xc.replacing(with: -104, where: xc .< -104)

        let (t, y) = reduce(xc)

        // 2ⁿ as two normal powers of two, so that results down to the subnormals are formed
        // with one rounding and 2¹²⁸ overflows to +∞ as it should.
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- magicBits
        let n1 = ni &>> 1
        let n2 = ni &- n1
        let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: SIMD8<Float>.self)
        let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: SIMD8<Float>.self)
        return y * s1 * s2
    }

    /// The shared core of ``exp(_:)`` and ``expOfNonPositive(_:)`` for clamped `xc`: `t`, whose
    /// low mantissa bits hold n = round(x·log₂e) (as `t − magic` is n as a float), and
    /// y = e^r ≈ eʳ for r = x − n·ln 2, so that eˣ = y·2ⁿ.
    @inline(__always)
    static func reduce(_ xc: SIMD8<Float>) -> (t: SIMD8<Float>, y: SIMD8<Float>) {
        let magic = SIMD8<Float>(repeating: magicFloat)
        let t = xc * 1.442_695_04 + magic
        let n = t - magic                                   // round(x·log₂e) as a float
        // r = x − n·ln 2, with ln 2 split so that n·ln2Hi is exact (ln2Hi has 9 bits).
        let r = (xc - n * 0.693_359_375) - n * -2.121_944_40e-4

        // e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln(2)/2, P of degree 4: a minimax fit (Lawson's
        // iteration on relative error) whose own error is 0.05 ulp.
        var p = r * 1.381_461_275_741_458e-3 + 8.368_710_055_947_304e-3
        p = p * r + 4.166_838_899_254_799e-2
        p = p * r + 1.666_652_113_199_234e-1
        p = p * r + 4.999_999_403_953_552e-1
        return (t, p * (r * r) + r + 1)
    }

    /// `eˣ` lane by lane for x ≤ 0, the shifted logits of a softmax: cheaper than ``exp(_:)``
    /// because results below 2⁻¹²⁶ (x < −87.34) are flushed to 0 instead of being formed as
    /// subnormals, and no overflow can occur. Within 1 ulp of the correctly rounded result for
    /// −87.34 ≤ x ≤ 0 (also fine for small positive x); `−∞` gives 0 and NaN propagates.
    /// The AVX2 and AVX-512 row loops of `CVectorMath` (the softmax cross-entropy's long rows
    /// on CPUs that have them) compute the same function by the same scheme, with fused
    /// multiply–adds.
    ///
    /// - Complexity: about 16 vector operations for 8 lanes.
    @inline(__always)
    static func expOfNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lowest: Float = -87.336_54                      // just above ln 2⁻¹²⁶
        let xc = x.replacing(with: lowest, where: x .< lowest)
        let (t, y) = reduce(xc)
        // The low bits of t hold n, and (t's bits) << 23 is n << 23: 2ⁿ after adding the bias.
        let scale = unsafeBitCast(
            (unsafeBitCast(t, to: SIMD8<Int32>.self) &<< 23) &+ (127 << 23), to: SIMD8<Float>.self)
        return (y * scale).replacing(with: 0, where: x .< lowest)
    }

    /// The natural logarithm lane by lane: `log(0) = −∞`, negative or NaN lanes give NaN,
    /// `log(+∞) = +∞`.
    ///
    /// - Complexity: about 30 vector operations for 8 lanes.
    @inline(__always)
    static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Subnormals: scale into the normal range first, and take 23 off the exponent.
        let tiny = x .< Float.leastNormalMagnitude
        var result = logOfNormal(
            x.replacing(with: x * 8_388_608, where: tiny),
            exponentBias: SIMD8<Int32>(repeating: 0).replacing(with: -23, where: tiny))
        result = result.replacing(with: -.infinity, where: x .== 0)
        result = result.replacing(with: .nan, where: x .< 0)
        result = result.replacing(with: x, where: (x .!= x) .| (x .== .infinity))
        return result
    }

    /// The natural logarithm of positive, normal, finite lanes (other lanes give meaningless
    /// finite values), plus `exponentBias` times ln 2.
    @inline(__always)
    static func logOfNormal(_ x: SIMD8<Float>, exponentBias: SIMD8<Int32> = .zero) -> SIMD8<Float> {
        var bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        var e = ((bits &>> 23) & 0xFF) &- 126 &+ exponentBias   // x = m · 2ᵉ, m ∈ [0.5, 1)
        bits = (bits & 0x007F_FFFF) | 0x3F00_0000
        let m = unsafeBitCast(bits, to: SIMD8<Float>.self)

        // Centre the mantissa on 1: m ∈ [√½, √2) after doubling the small ones.
        let small = m .< 0.707_106_781_186_547_5
        e = e.replacing(with: e &- 1, where: small)
        let f = (m - 1).replacing(with: m + m - 1, where: small)
        let ef = unsafeBitCast(e &+ magicBits, to: SIMD8<Float>.self) - SIMD8(repeating: magicFloat)

        // log(1 + f) = f − f²/2 + f³·P(f) (Cephes logf coefficients).
        let z = f * f
        var p = f * 7.037_683_629_2e-2 - 1.151_461_031_0e-1
        p = p * f + 1.167_699_874_0e-1
        p = p * f - 1.242_014_084_6e-1
        p = p * f + 1.424_932_278_7e-1
        p = p * f - 1.666_805_766_5e-1
        p = p * f + 2.000_071_476_5e-1
        p = p * f - 2.499_999_399_3e-1
        p = p * f + 3.333_333_117_4e-1
        var y = p * f * z
        y += ef * -2.121_944_40e-4
        y += z * -0.5
        return (f + y) + ef * 0.693_359_375
    }

    /// Loads eight floats from `pointer` (no alignment needed).
    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores eight floats at `pointer` (no alignment needed).
    @inline(__always)
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// The lane-wise maximum; NaN lanes of `b` are ignored.
    @inline(__always)
    static func max(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: a .< b)
    }

    /// `eˣ` for one value, by the same method as the vector version.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(SIMD8(repeating: x))[0]
    }

    /// The natural logarithm of one value, by the same method as the vector version.
    @inline(__always)
    static func log(_ x: Float) -> Float {
        log(SIMD8(repeating: x))[0]
    }

    /// Replaces every element of `buffer`, all ≤ 0 (shifted logits), by its exponential, with
    /// ``expOfNonPositive(_:)``.
    ///
    /// - Complexity: O(n), eight lanes at a time.
    static func expOfNonPositiveInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        var i = 0
        while i + 8 <= count {
            store(expOfNonPositive(load(base + i)), base + i)
            i += 8
        }
        if i < count {
            var v = SIMD8<Float>()
            for k in 0..<(count - i) { v[k] = base[i + k] }
            v = expOfNonPositive(v)
            for k in 0..<(count - i) { base[i + k] = v[k] }
        }
    }
}
