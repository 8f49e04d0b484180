#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// sin x and cos x together, to about 1e-15 absolute for |x| < 2²⁰ (libm beyond): Cody–Waite
/// reduction by π/2 and Taylor polynomials of degree 13 and 14 on [−π/4, π/4], whose truncation
/// error there is below 2·10⁻¹⁴ relative.
///
/// Twice as fast as libm's separate `sin` and `cos`, and the same on every platform (it uses
/// only +, ×, rounding and ``Double/rounded(_:)``), which the generators rely on.
@inlinable
func sineCosine(_ x: Double) -> (sin: Double, cos: Double) {
    guard abs(x) < 1_048_576 else { return (sin(x), cos(x)) }
    let (sinR, cosR, shifted) = reducedSineCosine(x)
    switch shifted.bitPattern & 3 {
    case 0: return (sinR, cosR)
    case 1: return (cosR, -sinR)
    case 2: return (-sinR, -cosR)
    default: return (-cosR, sinR)
    }
}

/// ``sineCosine(_:)`` on four values at once (same reduction and polynomials, same results for
/// |x| < 2²⁰; lanes beyond that fall back to libm).
@inlinable
func sineCosine(_ x: SIMD4<Double>) -> (sin: SIMD4<Double>, cos: SIMD4<Double>) {
    let (sinR, cosR, shifted) = reducedSineCosine(x)
    // Quadrant q = k mod 4: odd q swaps sin and cos; q ∈ {2, 3} negates sin, q ∈ {1, 2} cos.
    let q = unsafeBitCast(shifted, to: SIMD4<UInt64>.self) & 3
    let swapped = (q & 1) .== 1
    var sine = sinR.replacing(with: cosR, where: swapped)
    var cosine = cosR.replacing(with: sinR, where: swapped)
    sine.replace(with: -sine, where: q .>= 2)
    cosine.replace(with: -cosine, where: (q .== 1) .| (q .== 2))
    let big = (x .>= 1_048_576) .| (x .<= -1_048_576)
    if any(big) {
        for i in 0..<4 where big[i] {
            sine[i] = sin(x[i])
            cosine[i] = cos(x[i])
        }
    }
    return (sine, cosine)
}

/// The arithmetic the reduction and the polynomials use, of `Double` and lane by lane of
/// `SIMD4<Double>`, so that both ``sineCosine(_:)``s run the same operations in the same order.
@usableFromInline
protocol SineCosineOperand {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func + (lhs: Self, rhs: Double) -> Self
    static func - (lhs: Self, rhs: Double) -> Self
    static func * (lhs: Self, rhs: Double) -> Self
}

extension Double: SineCosineOperand {}
extension SIMD4<Double>: SineCosineOperand {}

/// The shared core of ``sineCosine(_:)``: k = nearest integer to x / (π/2), r = x − k·π/2 ∈
/// [−π/4, π/4], and sin r, cos r by their Taylor polynomials.
///
/// - Returns: sin r, cos r, and `shifted`, whose two lowest bits are k mod 4 (the quadrant).
@inlinable @inline(__always)
func reducedSineCosine<V: SineCosineOperand>(_ x: V) -> (sinR: V, cosR: V, shifted: V) {
    // r = x − k·π/2 in three parts (π/2 = p1 + p2 + p3). k = round(x·2/π) by the 1.5·2⁵² trick
    // (plain arithmetic, no libm call); the low bits of the shifted value are k's. p1 and p2
    // have 33 significant bits, so k·p1 and k·p2 are exact for |k| < 2²⁰.
    let shifted = x * 0x1.45f306dc9c883p-1 + 0x1.8p52
    let k = shifted - 0x1.8p52
    var r = x - k * 0x1.921fb544p0
    r = r - k * 0x1.0b4611a6p-34
    r = r - k * 0x1.3198a2e037073p-69
    let r2 = r * r
    // sin r = r − r³/3! + r⁵/5! − … − r¹³/13!  (Horner in r²)
    var s = r2 * (-1.0 / 6_227_020_800) + 1.0 / 39_916_800
    s = s * r2 - 1.0 / 362_880
    s = s * r2 + 1.0 / 5_040
    s = s * r2 - 1.0 / 120
    s = s * r2 + 1.0 / 6
    let sinR = r - r * r2 * s
    // cos r = 1 − r²/2! + r⁴/4! − … + r¹⁴/14!  with the last sign −
    var c = r2 * (-1.0 / 87_178_291_200) + 1.0 / 479_001_600
    c = c * r2 - 1.0 / 3_628_800
    c = c * r2 + 1.0 / 40_320
    c = c * r2 - 1.0 / 720
    c = c * r2 + 1.0 / 24
    c = c * r2 - 0.5
    let cosR = r2 * c + 1
    return (sinR, cosR, shifted)
}
