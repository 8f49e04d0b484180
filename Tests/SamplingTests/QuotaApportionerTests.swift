import Datasets
import Foundation
import Testing
@testable import Sampling

/// The apportionment alone, on random quotas: per-batch ⌊⌋/⌈⌉, exact totals, R extra slots to
/// distinct classes, and PD²'s lag bound (within 1 of the share after every batch).
@Suite struct QuotaApportionerTests {
    @Test("PD² apportionment keeps every class within 1 of its share", arguments: [UInt64](0..<60))
    func lagWithinOne(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed, stream: 7)
        let k = 1 + rng.nextBounded(600)
        let batchSize = 1 + rng.nextBounded(300)
        let batches = 1 + rng.nextBounded(400)
        let weights = (0..<k).map { _ in pow(10, rng.nextUniform(0, 4)) }
        let quotas = EpochPlan.largestRemainder(total: batches * batchSize, weights: weights)
        var apportioner = QuotaApportioner(quotas: quotas, batchCount: batches, batchSize: batchSize, rotationSeed: seed)
        let floors = apportioner.floors.map(Int.init)
        var given = [Int](repeating: 0, count: k)
        var worst = 0.0, repeated = 0, wrongSize = 0, wrongCount = 0
        for j in 0..<(2 * batches) {
            var calls = [Int](repeating: 0, count: k)
            var extrasOfBatch = 0, drawsOfBatch = 0
            apportioner.nextBatch { c, m in
                calls[c] += 1
                drawsOfBatch += m
                let extra = m - floors[c]
                if extra != 0 && extra != 1 { wrongCount += 1 }
                extrasOfBatch += extra
                given[c] += extra
            }
            if calls.contains(where: { $0 > 1 }) { repeated += 1 }
            // Every class with f_c > 0 is drawn in every batch.
            if zip(calls, floors).contains(where: { $0 == 0 && $1 > 0 }) { wrongCount += 1 }
            if extrasOfBatch != apportioner.extrasPerBatch || drawsOfBatch != batchSize { wrongSize += 1 }
            // Extras so far against (j + 1)·r_c / b, within this pass of the plan.
            let slot = j % batches
            for c in 0..<k {
                let r = Double(quotas[c] % batches)
                let mine = Double(given[c] - (j >= batches ? quotas[c] % batches : 0))
                worst = max(worst, abs(mine - Double(slot + 1) * r / Double(batches)))
            }
            if j == batches - 1 {
                #expect(zip(given, quotas).allSatisfy { $0 == $1 % batches }, "seed \(seed): extras of the plan not exact")
            }
        }
        let context = "seed \(seed): K=\(k) B=\(batchSize) b=\(batches)"
        #expect(repeated == 0, "\(context): a class handed out twice in a batch")
        #expect(wrongCount == 0, "\(context): a class drawn other than f_c or f_c + 1 times in a batch")
        #expect(wrongSize == 0, "\(context): a batch with the wrong number of extras or draws")
        #expect(worst < 1, "\(context): lag \(worst)")
        #expect(zip(given, quotas).allSatisfy { $0 == 2 * ($1 % batches) }, "\(context): padding does not repeat the plan")
    }
}
