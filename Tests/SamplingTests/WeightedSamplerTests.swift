import Datasets
import Testing
@testable import Sampling

@Suite struct WeightedSamplerTests {
    @Test("draw frequencies converge to the weights", arguments: [UInt64(1), 2, 3])
    func frequenciesMatchWeights(seed: UInt64) throws {
        var rng = Xoshiro256StarStar(seed: seed)
        let weights = (0..<20).map { _ in rng.nextUniform(0, 10) } + [0]
        let sampler = try WeightedSampler(weights: weights)
        let draws = 400_000
        var hits = [Int](repeating: 0, count: weights.count)
        for _ in 0..<draws { hits[sampler.draw(using: &rng)] += 1 }
        let total = weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            let p = w / total
            let sd = (p * (1 - p) / Double(draws)).squareRoot()
            let share = Double(hits[i]) / Double(draws)
            // 6 standard deviations (plus a hair for p = 0).
            #expect(abs(share - p) <= 6 * sd + 1e-9, "seed \(seed) item \(i): \(share) vs \(p)")
        }
        #expect(hits.last == 0, "a zero weight was drawn")
    }

    @Test func inverseFrequencyClassWeightsMakeClassesUniform() throws {
        let counts = [5000, 50, 5]
        let sampler = try WeightedSampler(classWeights: ClassWeights.inverseFrequency(counts: counts), counts: counts)
        var rng = Xoshiro256StarStar(seed: 9)
        var hits = [0, 0, 0]
        for _ in 0..<90_000 { hits[sampler.draw(using: &rng)] += 1 }
        // p = 1/3, sd ≈ 0.0016; bound 0.01.
        for c in 0..<3 { #expect(abs(Double(hits[c]) / 90_000 - 1.0 / 3) < 0.01, "class \(c)") }
    }

    @Test func badWeightsAreErrors() {
        #expect(throws: SamplingError.self) { try WeightedSampler(weights: []) }
        #expect(throws: SamplingError.self) { try WeightedSampler(weights: [1, -1]) }
        #expect(throws: SamplingError.self) { try WeightedSampler(weights: [0, 0]) }
        #expect(throws: SamplingError.self) { try WeightedSampler(weights: [1, .nan]) }
        #expect(throws: SamplingError.self) { try WeightedSampler(classWeights: [1, 1], counts: [3]) }
    }
}
