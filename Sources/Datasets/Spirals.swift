#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The spiral data of the course notes (seed 003, Eq. 1a/1b), with per-class counts so the
/// classes can be imbalanced.
///
/// Class `c ∈ 0..<K` has `n_c` points with `t` evenly spaced on [0, 1] (`t_i = i / (n_c − 1)`,
/// a single point sits at `t = 0`) and
///
///     x = t · (sin θ, cos θ),   θ = (2π / K)(2t + c) + ε,   ε ~ N(0, σ²)
///
/// With σ = 0 that is Eq. 1a; otherwise Eq. 1b. The noise is inside the angle, so ‖x‖ = t.
/// Rows come class by class (all of class 0, then class 1, …). The noise draws come from
/// ``Xoshiro256StarStar`` seeded with `seed`, one normal per point in row order, so the same
/// parameters give the same bytes everywhere.
///
/// ```swift
/// let spec = try SpiralSpecification(counts: [1000, 100, 10], noise: 0.2, seed: 1)
/// let data = spec.generate()     // 1110 rows, D = 2, K = 3
/// ```
public struct SpiralSpecification: Sendable, Equatable {
    /// Points per class, in label order.
    public let counts: [Int]
    /// σ, the standard deviation of the angle noise in radians.
    public let noise: Double
    /// The generator seed.
    public let seed: UInt64

    /// K.
    public var classCount: Int { counts.count }

    /// Checks and stores the parameters.
    ///
    /// - Throws: ``DatasetError/invalidParameter(_:)`` when there are no classes, a count is
    ///   below 1, or σ is negative or not finite.
    public init(counts: [Int], noise: Double, seed: UInt64) throws {
        guard !counts.isEmpty else {
            throw DatasetError.invalidParameter("a spiral needs at least 1 class, got 0")
        }
        if let bad = counts.firstIndex(where: { $0 < 1 }) {
            throw DatasetError.invalidParameter(
                "class \(bad) has \(counts[bad]) points; every class needs at least 1")
        }
        guard noise.isFinite, noise >= 0 else {
            throw DatasetError.invalidParameter("noise must be a finite number ≥ 0, got \(noise)")
        }
        self.counts = counts
        self.noise = noise
        self.seed = seed
    }

    /// Generates the points.
    ///
    /// - Complexity: O(N), one `sin`/`cos` pair and, when σ > 0, one normal draw per point.
    public func generate() -> LabelledDataset {
        let total = counts.reduce(0, +)
        var rng = Xoshiro256StarStar(seed: seed)
        let k = Double(counts.count)
        var labels = [Int32](repeating: 0, count: total)
        let features = [Float](unsafeUninitializedCapacity: total * 2) { buffer, initialised in
            var row = 0
            for (c, n) in counts.enumerated() {
                let step = n > 1 ? 1.0 / Double(n - 1) : 0
                let scale = 2.0 * Double.pi / k
                for i in 0..<n {
                    let t = Double(i) * step
                    var theta = scale * (2.0 * t + Double(c))
                    if noise > 0 { theta += noise * rng.nextNormal() }
                    buffer[2 * row] = Float(t * sin(theta))
                    buffer[2 * row + 1] = Float(t * cos(theta))
                    labels[row] = Int32(c)
                    row += 1
                }
            }
            initialised = total * 2
        }
        return LabelledDataset(
            unchecked: features, dimension: 2, labels: labels, classCount: counts.count)
    }
}
