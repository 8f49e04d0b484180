import Foundation
import Testing
@testable import Training

/// The vectorised exp/log against the C library's `expf`/`logf` (through Foundation), over dense
/// sweeps of bit patterns. Bound: 2 ulp everywhere (the implementation reaches 1).
@Suite struct FastMathTests {
    /// Distance in units in the last place between two floats of the same sign (0 for equal
    /// values, including two infinities; `Int.max` if exactly one is NaN).
    static func ulps(_ a: Float, _ b: Float) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
        if a == b { return 0 }
        func ordered(_ x: Float) -> Int {
            let bits = Int(Int32(bitPattern: x.bitPattern))
            return bits < 0 ? Int(Int32.min) - bits : bits
        }
        return abs(ordered(a) - ordered(b))
    }

    /// Evaluates `fast` on `inputs` eight at a time and returns the worst ulp error against
    /// `reference`, with its input.
    static func worst(
        _ inputs: [Float], _ fast: (SIMD8<Float>) -> SIMD8<Float>, _ reference: (Float) -> Float
    ) -> (ulps: Int, input: Float) {
        var result = (ulps: 0, input: Float.nan)
        var start = 0
        while start < inputs.count {
            var v = SIMD8<Float>()
            let n = min(8, inputs.count - start)
            for k in 0..<n { v[k] = inputs[start + k] }
            let out = fast(v)
            for k in 0..<n {
                let error = ulps(out[k], reference(inputs[start + k]))
                if error > result.ulps { result = (error, inputs[start + k]) }
            }
            start += 8
        }
        return result
    }

    /// Every `stride`-th float bit pattern from `low` up to `high` (both non-negative bit
    /// patterns), with `sign` applied.
    static func sweep(from low: UInt32, to high: UInt32, stride: UInt32, negative: Bool) -> [Float] {
        var values: [Float] = []
        var bits = low
        while bits <= high {
            values.append(Float(bitPattern: negative ? bits | 0x8000_0000 : bits))
            let (next, overflow) = bits.addingReportingOverflow(stride)
            if overflow { break }
            bits = next
        }
        return values
    }

    @Test func expIsWithinTwoUlpOverTheWholeRange() {
        // |x| from the smallest subnormal to 104 (beyond: 0 or +∞), both signs: ~1.3 M points.
        let high = Float(104).bitPattern
        for negative in [false, true] {
            let inputs = Self.sweep(from: 1, to: high, stride: 1_637, negative: negative)
            let (error, input) = Self.worst(inputs, FastMath.exp, Foundation.exp)
            #expect(error <= 2, "exp(\(input)) is \(error) ulp from expf")
        }
        // A fine sweep across the subnormal results and the underflow to 0.
        let fine = stride(from: Float(-104.5), through: -86, by: 1e-4).map { $0 }
        let (error, input) = Self.worst(fine, FastMath.exp, Foundation.exp)
        #expect(error <= 2, "exp(\(input)) is \(error) ulp from expf")
    }

    @Test func expLimitsAndSpecialValues() {
        let inputs: [Float] = [-.infinity, -1e30, -1000, -104, -103.98, 0, -0.0, 89, 1000, .infinity, .nan, 88.72, 88.73]
        let expected: [Float] = [0, 0, 0, 0, 0, 1, 1, .infinity, .infinity, .infinity, .nan,
                                 Foundation.exp(Float(88.72)), .infinity]
        for (x, e) in zip(inputs, expected) {
            let y = FastMath.exp(x)
            #expect(Self.ulps(y, e) == 0, "exp(\(x)) = \(y), expected \(e)")
        }
    }

    @Test func expOfNonPositiveIsWithinTwoUlpAndFlushesBelowTheNormals() {
        let inputs = Self.sweep(from: 0, to: Float(87.336).bitPattern, stride: 811, negative: true)
        let (error, input) = Self.worst(inputs, FastMath.expOfNonPositive, Foundation.exp)
        #expect(error <= 2, "expOfNonPositive(\(input)) is \(error) ulp from expf")
        for x: Float in [-87.34, -90, -103, -1000, -.infinity] {
            #expect(FastMath.expOfNonPositive(SIMD8(repeating: x))[0] == 0, "x = \(x)")
        }
        #expect(FastMath.expOfNonPositive(SIMD8(repeating: .nan))[0].isNaN)
        #expect(FastMath.expOfNonPositive(SIMD8(repeating: 0))[0] == 1)
    }

    @Test func logIsWithinTwoUlpForEveryPositiveFloat() {
        // Subnormals to the largest finite float: ~1.3 M points.
        let inputs = Self.sweep(from: 1, to: Float.greatestFiniteMagnitude.bitPattern, stride: 1_601, negative: false)
        let (error, input) = Self.worst(inputs, FastMath.log, Foundation.log)
        #expect(error <= 2, "log(\(input)) is \(error) ulp from logf")
        // Densely around 1, where log is small and relative accuracy is hardest.
        let nearOne = stride(from: Float(0.5), through: 2, by: 1e-5).map { $0 }
        let (errorNearOne, inputNearOne) = Self.worst(nearOne, FastMath.log, Foundation.log)
        #expect(errorNearOne <= 2, "log(\(inputNearOne)) is \(errorNearOne) ulp from logf")
    }

    @Test func logSpecialValues() {
        let inputs: [Float] = [0, -0.0, -1, -.infinity, .infinity, .nan, 1, .leastNonzeroMagnitude]
        let expected: [Float] = [-.infinity, -.infinity, .nan, .nan, .infinity, .nan, 0,
                                 Foundation.log(Float.leastNonzeroMagnitude)]
        for (x, e) in zip(inputs, expected) {
            let y = FastMath.log(x)
            #expect(Self.ulps(y, e) == 0, "log(\(x)) = \(y), expected \(e)")
        }
    }

    @Test func inPlaceExponentialCoversTails() {
        for count in [0, 1, 7, 8, 9, 23] {
            let values = (0..<count).map { -Float($0) * 0.37 }
            var shifted = values
            shifted.withUnsafeMutableBufferPointer { FastMath.expOfNonPositiveInPlace($0) }
            for k in 0..<count {
                #expect(Self.ulps(shifted[k], Foundation.exp(values[k])) <= 2, "count \(count), element \(k)")
            }
        }
    }
}
