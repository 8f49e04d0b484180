import Testing
@testable import Training

/// The SIMD kernels at every length up to 40, so each vector body and scalar tail runs.
@Suite struct VectorKernelsTests {
    @Test func kernelsMatchScalarLoopsAtEveryLength() {
        for n in 0...40 {
            let x = (0..<n).map { Float($0) * 0.5 - 3 }
            let y = (0..<n).map { Float(n - $0) * 0.25 + 1 }
            var axpy = y
            VectorKernels.axpy(n, 1.5, x, &axpy)
            #expect(axpy == zip(x, y).map { $1 + 1.5 * $0 }, "axpy n=\(n)")
            var added = y
            VectorKernels.add(n, x, &added)
            #expect(added == zip(x, y).map { $1 + $0 }, "add n=\(n)")
            var scaled = y
            VectorKernels.scale(n, -2, &scaled)
            #expect(scaled == y.map { $0 * -2 }, "scale n=\(n)")
            let dot = VectorKernels.dot(n, x, y)
            let expected = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(Double(dot) - expected) <= 1e-5 * max(1, abs(expected)), "dot n=\(n)")
        }
    }
}
