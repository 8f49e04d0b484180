import Datasets
import Foundation
@testable import Sampling

/// A random long-tailed labelling for property tests: K log-uniform in 2...5000, B
/// log-uniform in 1...1024 (a third of the time a multiple of K when K ≤ 1024), counts
/// log-uniform between 1 and 10⁵ with max/min ratio up to 10⁴ (shrunk in proportion so N stays
/// under `maxTotal`, so a debug test stays quick). Labels are interleaved at random.
struct RandomShape: CustomStringConvertible {
    var seed: UInt64
    var counts: [Int]
    var batchSize: Int
    var labels: [Int32]
    /// Epoch draws above which ``length(for:)`` switches from `cover` to a fixed length.
    var maxDraws: Int

    var classCount: Int { counts.count }

    init(seed: UInt64, maxTotal: Int = 40_000, maxDraws: Int = 40_000, maxClasses: Int = 5000) {
        self.seed = seed
        self.maxDraws = maxDraws
        var rng = Xoshiro256StarStar(seed: seed, stream: 0xC0FFEE)
        let k = max(2, Int(pow(10, rng.nextUniform(log10(2), log10(Double(maxClasses)))).rounded()))
        let largest = Int(pow(10, rng.nextUniform(0, 5)).rounded())
        let ratio = pow(10, rng.nextUniform(0, 4))
        let smallest = max(1, Int((Double(largest) / ratio).rounded()))
        var counts = (0..<k).map { _ in
            Int(pow(10, rng.nextUniform(log10(Double(smallest)), log10(Double(largest)))).rounded())
        }
        counts[rng.nextBounded(k)] = largest
        var other = rng.nextBounded(k)
        if counts[other] == largest { other = (other + 1) % k }
        counts[other] = smallest
        let total = counts.reduce(0, +)
        if total > maxTotal {
            let scale = Double(maxTotal) / Double(total)
            counts = counts.map { max(1, Int(Double($0) * scale)) }
        }
        self.counts = counts
        var b = max(1, Int(pow(10, rng.nextUniform(0, log10(1024))).rounded()))
        if k <= 1024 && rng.nextBounded(3) == 0 { b = k * max(1, 1024 / k / (1 + rng.nextBounded(8))) }
        self.batchSize = min(b, 1024)
        var labels = [Int32]()
        for (c, n) in counts.enumerated() { labels.append(contentsOf: repeatElement(Int32(c), count: n)) }
        labels.fisherYatesShuffle(using: &rng)
        self.labels = labels
    }

    /// `cover`, unless a cover epoch of `policy` would exceed ``maxDraws``: then a fixed
    /// number of batches.
    func length(for policy: SamplingPolicy, phaseEpochs: Int = 1) -> EpochLength {
        let cover = try? EpochPlan(policy: policy, counts: counts, batchSize: batchSize, phaseEpochs: phaseEpochs)
        if let cover, cover.draws <= maxDraws { return .cover }
        // Progressive's cover is longest at its last (balanced) epoch.
        if policy == .progressive, let last = try? EpochPlan(policy: .balanced, counts: counts, batchSize: batchSize),
           last.draws <= maxDraws {
            return .cover
        }
        return .batches(max(1, maxDraws / batchSize))
    }

    func configuration(_ policy: SamplingPolicy, epochs: Int = 1, finetuneEpochs: Int = 0, seed: UInt64? = nil, chunked: Bool = false) -> ScheduleConfiguration {
        var configuration = ScheduleConfiguration(
            batchSize: batchSize,
            phases: [SchedulePhase(policy, epochs: epochs), SchedulePhase(.natural, epochs: finetuneEpochs)],
            epochLength: length(for: policy, phaseEpochs: epochs), seed: seed ?? self.seed)
        if chunked { configuration.chunkedOrder = chunkedOrder }
        return configuration
    }

    /// A chunked order over blocks of 1, 7, 64 or 500 rows, windows of 1 to 4 blocks (by seed).
    var chunkedOrder: ChunkedOrder {
        let rows = [1, 7, 64, 500][Int(seed % 4)], window = [1, 2, 4, 3][Int(seed / 4 % 4)]
        return ChunkedOrder(blocks: try! RowBlocks(rowsPerBlock: rows, rowCount: labels.count), window: window)
    }

    /// Both orders, for the property tests.
    static let orders = [false, true]

    var description: String {
        "seed \(seed): K=\(classCount) B=\(batchSize) N=\(labels.count) max=\(counts.max() ?? 0) min=\(counts.min() ?? 0)"
    }
}

/// Every quota policy, with parameters picked by the seed.
func quotaPolicies(seed: UInt64) -> [SamplingPolicy] {
    var rng = Xoshiro256StarStar(seed: seed, stream: 0x9011C1)
    return [.balanced, .sqrt, .instance, .power(rng.nextUniform(0, 1)), .progressive, .repeatFactor(pow(10, rng.nextUniform(-4, 0)))]
}

/// All batches of `epoch` (global numbering, padding included), via random access.
func globalEpoch(_ schedule: inout BatchSchedule, epoch: Int, padded: Bool = true) -> [[Int32]] {
    var out = [[Int32]]()
    var buffer = [Int32]()
    let count = padded ? schedule.paddedBatchCount(epoch: epoch) : schedule.batchCount(epoch: epoch)
    for b in 0..<count {
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
