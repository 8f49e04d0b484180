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
/// ``Xoshiro256StarStar`` seeded with `seed`: Box–Muller pairs, consumed in row order (rows 0
/// and 1 share a pair, and so on), so the same parameters give the same bytes everywhere.
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
    /// - Complexity: O(N): one sine–cosine pair a point and, when σ > 0, half a Box–Muller pair.
    public func generate() -> LabelledDataset {
        let total = counts.reduce(0, +)
        var rng = Xoshiro256StarStar(seed: seed)
        var labels = [Int32]()
        labels.reserveCapacity(total)
        for (c, n) in counts.enumerated() { labels.append(contentsOf: repeatElement(Int32(c), count: n)) }
        let scale = 2.0 * Double.pi / Double(counts.count)
        let noise = self.noise
        let counts = self.counts
        let steps = counts.map { $0 > 1 ? 1.0 / Double($0 - 1) : 0 }
        // Blocks of rows: angles θ = (2π/K)(2t + c) + σ·z and radii t into a small scratch
        // buffer (z from Box–Muller pairs in row order), then x = t·(sin θ, cos θ) four rows at
        // a time.
        let block = 512
        let features = [Float](unsafeUninitializedCapacity: total * 2) { buffer, initialised in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * block + 8) { scratch in
                guard let theta = scratch.baseAddress else { return }
                let radius = theta + block + 4
                var pendingNormal = 0.0, hasPending = false
                var row = 0
                for (c, n) in counts.enumerated() {
                    let step = steps[c]
                    let offset = scale * Double(c)
                    var i = 0
                    while i < n {
                        let rows = Swift.min(block, n - i)
                        for j in 0..<rows {
                            let t = Double(i + j) * step
                            radius[j] = t
                            theta[j] = offset + 2 * scale * t
                        }
                        if noise > 0 {
                            var j = 0
                            if hasPending {
                                theta[0] += noise * pendingNormal
                                hasPending = false
                                j = 1
                            }
                            while j + 1 < rows {
                                let (z0, z1) = rng.nextNormalPair()
                                theta[j] += noise * z0
                                theta[j + 1] += noise * z1
                                j += 2
                            }
                            if j < rows {
                                let (z0, z1) = rng.nextNormalPair()
                                theta[j] += noise * z0
                                pendingNormal = z1
                                hasPending = true
                            }
                        }
                        for j in rows..<(rows + 4) {
                            theta[j] = 0
                            radius[j] = 0
                        }
                        Self.writePoints(theta: theta, radius: radius, rows: rows, into: buffer.baseAddress! + 2 * row)
                        i += rows
                        row += rows
                    }
                }
            }
            initialised = total * 2
        }
        return LabelledDataset(
            unchecked: features, dimension: 2, labels: labels, classCount: counts.count)
    }

    /// x = t·(sin θ, cos θ) for `rows` rows, four at a time; `theta` and `radius` are padded
    /// to a multiple of four.
    @inline(__always)
    private static func writePoints(theta: UnsafePointer<Double>, radius: UnsafePointer<Double>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < rows {
            let angle = UnsafeRawPointer(theta + j).loadUnaligned(as: SIMD4<Double>.self)
            let t = UnsafeRawPointer(radius + j).loadUnaligned(as: SIMD4<Double>.self)
            let (sine, cosine) = sineCosine(angle)
            let x = SIMD4<Float>(t * sine)
            let y = SIMD4<Float>(t * cosine)
            let lanes = Swift.min(4, rows - j)
            if lanes == 4 {
                let interleaved = SIMD8<Float>(x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3])
                UnsafeMutableRawPointer(out + 2 * j).storeBytes(of: interleaved, as: SIMD8<Float>.self)
            } else {
                for lane in 0..<lanes {
                    out[2 * (j + lane)] = x[lane]
                    out[2 * (j + lane) + 1] = y[lane]
                }
            }
            j += 4
        }
    }
}
