import Datasets
import Foundation
import Testing
@testable import Sampling

@Suite struct EpochPlanTests {
    @Test("largest remainder: sums to T, each quota ⌊T·p⌋ or ⌈T·p⌉", arguments: [UInt64](0..<40))
    func largestRemainder(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        let k = 1 + rng.nextBounded(2000)
        let weights = (0..<k).map { _ in pow(10, rng.nextUniform(-3, 5)) }
        let total = rng.nextBounded(1_000_000)
        let quotas = EpochPlan.largestRemainder(total: total, weights: weights)
        let w = weights.reduce(0, +)
        #expect(quotas.reduce(0, +) == total, "seed \(seed)")
        let off = (0..<k).filter { c in
            let exact = Double(total) * weights[c] / w
            return Double(quotas[c]) < exact.rounded(.down) - 1e-6 || Double(quotas[c]) > exact.rounded(.up) + 1e-6
        }
        #expect(off.isEmpty, "seed \(seed): classes \(off.prefix(5)) not rounded to a neighbour")
    }

    @Test("cover: the shortest multiple of B with T·p_c ≥ n_c, so every quota ≥ n_c", arguments: [UInt64](0..<16))
    func coverIsMinimal(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 200_000)
        for policy in quotaPolicies(seed: seed) where policy != .progressive {
            guard case .repeatFactor = policy else {
                let plan = try EpochPlan(policy: policy, counts: shape.counts, batchSize: shape.batchSize)
                let weights = policy.weights(counts: shape.counts)
                #expect(plan.draws % shape.batchSize == 0)
                #expect(zip(plan.quotas, shape.counts).allSatisfy { $0 >= $1 }, "\(shape) \(policy)")
                // T − B falls short of some class's n_c in real terms: (T − B)·p_c < n_c.
                let w = weights.reduce(0, +)
                let shorter = Double(plan.draws - shape.batchSize)
                #expect(plan.draws == shape.batchSize || zip(weights, shape.counts).contains { shorter * $0 / w < Double($1) * (1 + 1e-9) },
                        "\(shape) \(policy): T − B also covers")
                continue
            }
            // Repeat factor: Σ n_c·⌊r_c⌋ plus the random extras (at most n_c each), rounded up
            // to B; every class at least n_c·⌊r_c⌋ (so every sample at least once).
            let plan = try EpochPlan(policy: policy, counts: shape.counts, batchSize: shape.batchSize, seed: seed)
            guard case .repeatFactor(let t) = policy else { continue }
            let r = SamplingPolicy.repeatFactors(threshold: t, counts: shape.counts, sampleCount: shape.labels.count)
            let floors = zip(shape.counts, r).map { $0 * Int($1.rounded(.down)) }
            let ceilings = zip(shape.counts, r).map { $0 * Int($1.rounded(.up)) }
            #expect(plan.draws % shape.batchSize == 0 && plan.draws >= floors.reduce(0, +) && plan.draws < ceilings.reduce(0, +) + shape.batchSize, "\(shape) \(policy)")
            #expect(zip(plan.quotas, floors).allSatisfy { $0 >= $1 } && zip(plan.quotas, shape.counts).allSatisfy { $0 >= $1 }, "\(shape) \(policy)")
        }
    }

    @Test("balanced cover is K·M rounded up to B; fixed lengths; errors")
    func lengths() throws {
        let counts = [1000, 100, 10]
        let cover = try EpochPlan(policy: .balanced, counts: counts, batchSize: 256)
        #expect(cover.draws == 3072 && cover.batchCount == 12 && cover.quotas == [1024, 1024, 1024])
        let samples = try EpochPlan(policy: .sqrt, counts: counts, batchSize: 100, length: .samples(250))
        #expect(samples.draws == 300 && samples.batchCount == 3)
        let batches = try EpochPlan(policy: .instance, counts: counts, batchSize: 10, length: .batches(7))
        #expect(batches.draws == 70 && batches.quotas.reduce(0, +) == 70)
        let natural = try EpochPlan(policy: .natural, counts: counts, batchSize: 256)
        #expect(natural.draws == 1110 && natural.batchCount == 5 && natural.quotas.isEmpty)
        #expect(throws: SamplingError.self) { try EpochPlan(policy: .balanced, counts: counts, batchSize: 256, length: .samples(100)) }
        #expect(throws: DatasetError.emptyClass(label: 1, classCount: 3)) { try EpochPlan(policy: .balanced, counts: [5, 0, 5], batchSize: 4) }
        #expect(throws: SamplingError.self) { try EpochPlan(policy: .repeatFactor(0), counts: counts, batchSize: 4) }
    }

    @Test("repeat factor: r_c = max(1, √(t/f_c))")
    func repeatFactor() {
        let counts = [900, 90, 10]
        let w = SamplingPolicy.repeatFactor(0.1).weights(counts: counts)
        // f = 0.9, 0.09, 0.01: r = 1, √(0.1/0.09), √10.
        #expect(abs(w[0] - 900) < 1e-9)
        #expect(abs(w[1] - 90 * (0.1 / 0.09).squareRoot()) < 1e-9)
        #expect(abs(w[2] - 10 * 10.0.squareRoot()) < 1e-9)
    }
}
