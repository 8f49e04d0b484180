import Foundation
import Testing
@testable import Datasets

@Suite struct SpiralsTests {
    @Test("σ = 0: every point satisfies Eq. 1a", arguments: [[500, 500, 500], [1000, 100, 10], [7], [1, 2, 3, 4, 5]])
    func cleanSpiralMatchesEquation(counts: [Int]) throws {
        let data = try SpiralSpecification(counts: counts, noise: 0, seed: 1).generate()
        let k = Double(counts.count)
        #expect(data.count == counts.reduce(0, +))
        #expect(data.dimension == 2 && data.classCount == counts.count)
        #expect(data.classCounts == counts)
        var row = 0
        for (c, n) in counts.enumerated() {
            for i in 0..<n {
                let t = n > 1 ? Double(i) / Double(n - 1) : 0
                let theta = 2 * Double.pi / k * (2 * t + Double(c))
                #expect(data.labels[row] == Int32(c))
                #expect(abs(Double(data.features[2 * row]) - t * sin(theta)) <= 1e-6, "row \(row)")
                #expect(abs(Double(data.features[2 * row + 1]) - t * cos(theta)) <= 1e-6, "row \(row)")
                row += 1
            }
        }
    }

    @Test("σ > 0: ‖x‖ = t and the angle residuals have standard deviation σ", arguments: [0.05, 0.2, 0.5])
    func noisySpiralKeepsRadiusAndHasAngleNoise(sigma: Double) throws {
        let counts = [10_000, 10_000, 10_000]
        let data = try SpiralSpecification(counts: counts, noise: sigma, seed: 7).generate()
        var residuals = [Double]()
        var row = 0
        for (c, n) in counts.enumerated() {
            for i in 0..<n {
                let t = Double(i) / Double(n - 1)
                let x = Double(data.features[2 * row]), y = Double(data.features[2 * row + 1])
                #expect(abs((x * x + y * y).squareRoot() - t) <= 1e-6, "row \(row)")
                if t > 0.01 {
                    // θ = atan2(sin θ, cos θ) = atan2(x, y); residual wrapped to (−π, π].
                    let clean = 2 * Double.pi / 3 * (2 * t + Double(c))
                    var r = atan2(x, y) - clean
                    r = r - 2 * Double.pi * (r / (2 * Double.pi)).rounded()
                    residuals.append(r)
                }
                row += 1
            }
        }
        let n = Double(residuals.count)
        let mean = residuals.reduce(0, +) / n
        let sd = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        // The sample sd of n normals has standard error σ/√(2n) ≈ 0.004σ here; allow 6 of them.
        #expect(abs(sd - sigma) <= 6 * sigma / (2 * n).squareRoot(), "sd \(sd) vs σ \(sigma)")
        #expect(abs(mean) <= 6 * sigma / n.squareRoot(), "mean \(mean)")
    }

    @Test func sameSeedSameBytesDifferentSeedDifferent() throws {
        let a = try SpiralSpecification(counts: [100, 10], noise: 0.3, seed: 5).generate()
        let b = try SpiralSpecification(counts: [100, 10], noise: 0.3, seed: 5).generate()
        let c = try SpiralSpecification(counts: [100, 10], noise: 0.3, seed: 6).generate()
        #expect(a == b)
        #expect(a.features != c.features)
        #expect(a.labels == c.labels)
    }

    @Test func badParametersAreErrors() {
        #expect(throws: DatasetError.self) { try SpiralSpecification(counts: [], noise: 0, seed: 0) }
        #expect(throws: DatasetError.self) { try SpiralSpecification(counts: [3, 0], noise: 0, seed: 0) }
        #expect(throws: DatasetError.self) { try SpiralSpecification(counts: [3, -2], noise: 0, seed: 0) }
        #expect(throws: DatasetError.self) { try SpiralSpecification(counts: [3], noise: -0.1, seed: 0) }
        #expect(throws: DatasetError.self) { try SpiralSpecification(counts: [3], noise: .nan, seed: 0) }
    }
}
