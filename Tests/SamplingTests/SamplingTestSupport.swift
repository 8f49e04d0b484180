import Datasets
import Foundation
@testable import Sampling

/// A random imbalanced labelling for property tests: K in 2...100, m in 1...64, counts
/// log-uniform between 1 and 10⁵ with max/min ratio up to 10⁴, total N bounded so a debug test
/// stays quick. Labels are interleaved at random (not grouped by class).
struct RandomShape: CustomStringConvertible {
    var seed: UInt64
    var counts: [Int]
    var m: Int
    var labels: [Int32]

    var classCount: Int { counts.count }
    var batchSize: Int { classCount * m }

    init(seed: UInt64, maxTotal: Int = 120_000) {
        self.seed = seed
        var rng = Xoshiro256StarStar(seed: seed, stream: 0xC0FFEE)
        let k = 2 + rng.nextBounded(99)
        let largest = Int(pow(10, rng.nextUniform(0, 5)).rounded())
        let ratio = pow(10, rng.nextUniform(0, 4))
        let smallest = max(1, Int((Double(largest) / ratio).rounded()))
        var counts = (0..<k).map { _ in
            Int(pow(10, rng.nextUniform(log10(Double(smallest)), log10(Double(largest)))).rounded())
        }
        counts[rng.nextBounded(k)] = largest
        var other = rng.nextBounded(k)
        if counts[other] == largest && k > 1 { other = (other + 1) % k }
        counts[other] = smallest
        // Bound N by shrinking every class in proportion (keeping at least 1).
        let total = counts.reduce(0, +)
        if total > maxTotal {
            let scale = Double(maxTotal) / Double(total)
            counts = counts.map { max(1, Int(Double($0) * scale)) }
        }
        self.counts = counts
        self.m = 1 + rng.nextBounded(64)
        var labels = [Int32]()
        for (c, n) in counts.enumerated() { labels.append(contentsOf: repeatElement(Int32(c), count: n)) }
        labels.fisherYatesShuffle(using: &rng)
        self.labels = labels
    }

    var description: String {
        "seed \(seed): K=\(classCount) m=\(m) N=\(labels.count) max=\(counts.max() ?? 0) min=\(counts.min() ?? 0)"
    }
}

/// All batches of `epoch` (global numbering, padding included), via random access.
func globalEpoch(_ schedule: inout BatchSchedule, epoch: Int) -> [[Int32]] {
    var out = [[Int32]]()
    var buffer = [Int32]()
    for b in 0..<schedule.paddedBatchCount(epoch: epoch) {
        schedule.fill(epoch: epoch, batch: b, into: &buffer)
        out.append(buffer)
    }
    return out
}

/// The whole sequential stream of a schedule as (tag, indices).
func stream(_ schedule: BatchSchedule) -> [(BatchTag, [Int32])] {
    var schedule = schedule
    var out = [(BatchTag, [Int32])]()
    var buffer = [Int32]()
    while let tag = schedule.next(into: &buffer) { out.append((tag, buffer)) }
    return out
}
