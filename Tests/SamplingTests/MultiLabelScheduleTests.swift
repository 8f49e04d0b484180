import Datasets
import Foundation
import Testing
@testable import Sampling

/// `BatchSchedule(multiLabels:configuration:)`: label buffers, cover, the appearance spread,
/// determinism and resume, on a seeded co-occurring long-tailed label set.
@Suite struct MultiLabelScheduleTests {
    /// N samples, K labels: label 0 on ~60 %, labels 1 and 2 mostly together with it, a tail
    /// of rare labels (down to ~0.5 %), some samples with none. Seeded.
    static func cooccurring(seed: UInt64, n: Int = 3000, k: Int = 10) throws -> MultiLabels {
        var rng = Xoshiro256StarStar(seed: seed)
        var rows = [[Int]]()
        for _ in 0..<n {
            var row = [Int]()
            if rng.nextUnitDouble() < 0.6 {
                row.append(0)
                if rng.nextUnitDouble() < 0.7 { row.append(1) }
                if rng.nextUnitDouble() < 0.5 { row.append(2) }
            }
            for l in 3..<k where rng.nextUnitDouble() < 0.1 * pow(0.6, Double(l - 3)) { row.append(l) }
            rows.append(row)
        }
        rows[0].append(k - 1)
        return try MultiLabels(rows: rows, labelCount: k)
    }

    static func spread(_ appearances: [Int]) -> Double {
        Double(appearances.max()!) / Double(max(1, appearances.min()!))
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func coverDrawsEveryLabelledSampleEachEpochAndNaturalDrawsAll(seed: UInt64) throws {
        let labels = try Self.cooccurring(seed: seed)
        let counts = labels.counts
        var schedule = try BatchSchedule(
            multiLabels: labels,
            configuration: ScheduleConfiguration(
                batchSize: 64, phases: [SchedulePhase(.balanced, epochs: 2), SchedulePhase(.natural, epochs: 1)], seed: seed))
        let labelled = Set((0..<labels.sampleCount).filter { !labels.labels(ofSample: $0).isEmpty })
        #expect(labelled.count < labels.sampleCount, "the set has samples with no label")
        // Balanced, cover: equal quotas per label (within the one of rounding T up to B), each
        // at least the largest label.
        let plan = schedule.plan(epoch: 0)
        #expect(plan.quotas.max()! - plan.quotas.min()! <= 1 && plan.quotas.min()! >= counts.max()!, "\(plan.quotas)")
        var indices = [Int32]()
        var seen = [Int: Set<Int>]()
        while let tag = schedule.next(into: &indices) {
            seen[tag.epoch, default: []].formUnion(indices.map(Int.init))
        }
        for epoch in 0..<2 { #expect(seen[epoch] == labelled, "epoch \(epoch) left labelled samples out or drew unlabelled ones") }
        #expect(seen[2] == Set(0..<labels.sampleCount), "a natural epoch draws every sample, labelled or not")
        #expect(schedule.batchCount(epoch: 2) == (labels.sampleCount + 63) / 64)
    }

    @Test(arguments: [4 as UInt64, 5])
    func balancedAppearanceSpreadIsFiveTimesSmallerThanNatural(seed: UInt64) throws {
        let labels = try Self.cooccurring(seed: seed)
        var schedule = try BatchSchedule(
            multiLabels: labels,
            configuration: ScheduleConfiguration(
                batchSize: 32, phases: [SchedulePhase(.balanced, epochs: 1), SchedulePhase(.natural, epochs: 1)], seed: seed))
        let balanced = schedule.labelAppearances(epoch: 0)
        let natural = schedule.labelAppearances(epoch: 1)
        #expect(natural == labels.counts, "a natural epoch shows each label as often as it is carried")
        let (b, n) = (Self.spread(balanced), Self.spread(natural))
        #expect(b * 5 <= n, "balanced spread \(b) vs natural \(n)")
    }

    @Test func tiedExtrasGoToTheLabelsWithTheFewestAppearances() {
        // Four labels, one extra each over four batches of one: every batch is a four-way tie
        // that PD² leaves open, so the appearances decide (the rotation only between equals).
        var apportioner = QuotaApportioner(quotas: [1, 1, 1, 1], batchCount: 4, batchSize: 1, rotationSeed: 3)
        var chosen = [Int32]()
        for (appearances, expected) in [([5, 0, 3, 9], 1), ([5, 0, 3, 9], 2), ([0, 9, 9, 9], 0), ([9, 9, 9, 9], 3)] {
            chosen.removeAll()
            appearances.withUnsafeBufferPointer { apportioner.nextBatch(appearances: $0) { c, _ in chosen.append(Int32(c)) } }
            #expect(chosen == [Int32(expected)], "appearances \(appearances)")
        }
        // Two slots a batch out of three tied labels: the two least seen.
        var two = QuotaApportioner(quotas: [1, 1, 1, 1, 1, 1], batchCount: 3, batchSize: 2, rotationSeed: 4)
        chosen.removeAll()
        [7, 1, 4, 8, 8, 8].withUnsafeBufferPointer { two.nextBatch(appearances: $0) { c, _ in chosen.append(Int32(c)) } }
        #expect(Set(chosen) == [1, 2])
    }

    @Test func sameSeedSameStreamAndResumeFromAnyBatch() throws {
        let labels = try Self.cooccurring(seed: 6, n: 800)
        let configuration = ScheduleConfiguration(
            batchSize: 24, phases: [SchedulePhase(.sqrt, epochs: 1), SchedulePhase(.balanced, epochs: 2), SchedulePhase(.natural, epochs: 1)], seed: 11)
        func stream(from epoch: Int = 0, batch: Int = 0) throws -> [(BatchTag, [Int32])] {
            var schedule = try BatchSchedule(multiLabels: labels, configuration: configuration)
            try schedule.seek(epoch: epoch, batch: batch)
            var out = [(BatchTag, [Int32])]()
            var indices = [Int32]()
            while let tag = schedule.next(into: &indices) { out.append((tag, indices)) }
            return out
        }
        let full = try stream()
        let again = try stream()
        #expect(full.map(\.0) == again.map(\.0) && full.map(\.1) == again.map(\.1))
        var other = try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(
            batchSize: 24, phases: configuration.phases, seed: 12))
        var indices = [Int32]()
        other.fill(epoch: 1, batch: 0, into: &indices)
        #expect(indices != full.first { $0.0.epoch == 1 }!.1, "another seed, another stream")
        for (epoch, batch) in [(1, 0), (1, 7), (2, 13), (3, 2)] {
            let resumed = try stream(from: epoch, batch: batch)
            let start = try #require(full.firstIndex { $0.0.epoch == epoch && $0.0.batch == batch })
            #expect(resumed.map(\.0) == full[start...].map(\.0), "tags from (\(epoch), \(batch))")
            #expect(resumed.map(\.1) == full[start...].map(\.1), "indices from (\(epoch), \(batch))")
        }
    }

    @Test func ranksTakeTheirShareOfTheSameBatches() throws {
        let labels = try Self.cooccurring(seed: 7, n: 500)
        let phases = [SchedulePhase(.balanced, epochs: 1), SchedulePhase(.natural, epochs: 1)]
        var single = try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(batchSize: 16, phases: phases, seed: 2))
        var indices = [Int32]()
        for rank in 0..<3 {
            var shard = try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(
                batchSize: 16, phases: phases, seed: 2, shard: try Shard(rank: rank, worldSize: 3)))
            var tags = [BatchTag]()
            var expected = [Int32]()
            while let tag = shard.next(into: &indices) {
                tags.append(tag)
                single.fill(epoch: tag.epoch, batch: tag.batch, into: &expected)
                #expect(indices == expected, "rank \(rank), epoch \(tag.epoch), batch \(tag.batch)")
            }
            #expect(tags.count == (0..<2).map { (single.batchCount(epoch: $0) + 2) / 3 }.reduce(0, +))
            #expect(tags.allSatisfy { $0.batch % 3 == rank })
        }
    }

    @Test func aLabelNoSampleCarriesIsAnEmptyClassForBalanced() throws {
        let labels = try MultiLabels(rows: [[0], [0, 2], []], labelCount: 3)
        #expect(throws: DatasetError.emptyClass(label: 1, classCount: 3)) {
            try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(batchSize: 2, phases: [SchedulePhase(.balanced, epochs: 1)]))
        }
    }
}
