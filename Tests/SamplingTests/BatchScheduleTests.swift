import Datasets
import Testing
@testable import Sampling

/// Property tests of balanced and real-frequency epochs over random shapes; each case names its
/// seed and shape on failure.
@Suite struct BatchScheduleTests {
    static let seeds: [UInt64] = Array(0..<48)

    @Test("balanced epoch invariants", arguments: seeds)
    func balancedEpochInvariants(seed: UInt64) throws {
        let shape = RandomShape(seed: seed)
        var schedule = try BatchSchedule(
            labels: shape.labels, classCount: shape.classCount,
            configuration: ScheduleConfiguration(batchSize: shape.batchSize, epochs: 2, seed: seed))
        let largest = shape.counts.max()!
        let expectedBatches = (largest + shape.m - 1) / shape.m
        for epoch in 0..<2 {
            let batches = globalEpoch(&schedule, epoch: epoch)
            #expect(batches.count == expectedBatches, "\(shape)")
            var draws = [Int](repeating: 0, count: shape.labels.count)
            var repeatedInBatch = 0
            for batch in batches {
                #expect(batch.count == shape.batchSize, "\(shape)")
                var perClass = [Int](repeating: 0, count: shape.classCount)
                for index in batch {
                    perClass[Int(shape.labels[Int(index)])] += 1
                    draws[Int(index)] += 1
                }
                #expect(perClass.allSatisfy { $0 == shape.m }, "\(shape): per-class \(perClass)")
                // Distinct within the batch for classes with at least m samples.
                var seen = Set<Int32>()
                for index in batch where shape.counts[Int(shape.labels[Int(index)])] >= shape.m {
                    if !seen.insert(index).inserted { repeatedInBatch += 1 }
                }
            }
            #expect(repeatedInBatch == 0, "\(shape): \(repeatedInBatch) samples repeated within a batch")
            // Every sample at least once; within a class, draw counts differ by at most one.
            var low = [Int](repeating: .max, count: shape.classCount)
            var high = [Int](repeating: 0, count: shape.classCount)
            for (row, label) in shape.labels.enumerated() {
                low[Int(label)] = min(low[Int(label)], draws[row])
                high[Int(label)] = max(high[Int(label)], draws[row])
            }
            #expect(low.allSatisfy { $0 >= 1 }, "\(shape): a sample was never drawn (min draws \(low))")
            for c in 0..<shape.classCount {
                #expect(high[c] - low[c] <= 1, "\(shape): class \(c) draws range \(low[c])...\(high[c])")
            }
        }
    }

    @Test("real-frequency epoch is a permutation in batches of B", arguments: seeds.prefix(24))
    func realFrequencyEpoch(seed: UInt64) throws {
        let shape = RandomShape(seed: seed)
        for dropLast in [false, true] {
            let b = min(shape.batchSize, shape.labels.count)
            var schedule = try BatchSchedule(
                labels: shape.labels, classCount: shape.classCount,
                configuration: ScheduleConfiguration(batchSize: b, sampler: .natural, epochs: 1, finetuneEpochs: 2, dropLast: dropLast, seed: seed))
            #expect(schedule.phase(ofEpoch: 0) == .natural)
            for epoch in 0...2 {
                #expect(schedule.phase(ofEpoch: epoch) == (epoch == 0 ? .natural : .finetune))
                let batches = globalEpoch(&schedule, epoch: epoch)
                let n = shape.labels.count
                #expect(batches.count == (dropLast ? n / b : (n + b - 1) / b), "\(shape)")
                for batch in batches.dropLast() { #expect(batch.count == b, "\(shape)") }
                let all = batches.flatMap { $0 }
                if dropLast {
                    #expect(all.count == (n / b) * b)
                    #expect(Set(all).count == all.count, "\(shape): repeated index")
                } else {
                    #expect(all.count == n, "\(shape)")
                    #expect(Set(all) == Set(0..<Int32(n)), "\(shape): not a permutation")
                    #expect(batches.last?.count == n - (batches.count - 1) * b)
                }
            }
        }
    }

    @Test("same seed, same stream; different seed, different stream", arguments: seeds.prefix(12))
    func determinism(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 20_000)
        let config = ScheduleConfiguration(batchSize: shape.batchSize, epochs: 2, finetuneEpochs: 1, seed: seed)
        let a = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
        let b = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
        var other = config
        other.seed = seed &+ 1000
        let c = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: other)
        let sa = stream(a), sb = stream(b), sc = stream(c)
        #expect(sa.map(\.0) == sb.map(\.0) && sa.map(\.1) == sb.map(\.1), "\(shape)")
        #expect(sa.map(\.1) != sc.map(\.1), "\(shape): seeds \(seed) and \(seed + 1000) gave the same stream")
    }

    @Test("resuming at any (epoch, batch) reproduces the uninterrupted stream", arguments: seeds.prefix(16))
    func resume(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 20_000)
        var rng = Xoshiro256StarStar(seed: seed, stream: 99)
        for sampler in SamplerKind.allCases {
            let config = ScheduleConfiguration(batchSize: shape.batchSize, sampler: sampler, epochs: 2, finetuneEpochs: 2, seed: seed)
            let full = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
            let reference = stream(full)
            for _ in 0..<4 {
                let start = rng.nextBounded(reference.count)
                let (tag, _) = reference[start]
                var resumed = full
                try resumed.seek(epoch: tag.epoch, batch: tag.batch)
                let tail = stream(resumed)
                #expect(tail.count == reference.count - start, "\(shape) \(sampler)")
                #expect(tail.map(\.0) == reference[start...].map(\.0), "\(shape) \(sampler) from \(tag)")
                #expect(tail.map(\.1) == reference[start...].map(\.1), "\(shape) \(sampler) from \(tag)")
            }
        }
    }

    @Test("ranks are disjoint, equal in number, and together the padded global stream", arguments: seeds.prefix(16))
    func sharding(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 20_000)
        for sampler in SamplerKind.allCases {
            for worldSize in [2, 3, 4, 7] {
                var config = ScheduleConfiguration(batchSize: shape.batchSize, sampler: sampler, epochs: 1, finetuneEpochs: 1, seed: seed)
                var global = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
                var expected = [BatchKey: [Int32]]()
                for epoch in 0..<2 {
                    config.shard = try Shard(rank: 0, worldSize: worldSize)
                    let padded = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
                        .paddedBatchCount(epoch: epoch)
                    #expect(padded % worldSize == 0)
                    #expect(padded >= global.batchCount(epoch: epoch) && padded < global.batchCount(epoch: epoch) + worldSize)
                    for b in 0..<padded {
                        var buffer = [Int32]()
                        global.fill(epoch: epoch, batch: b, into: &buffer)
                        expected[BatchKey(epoch: epoch, batch: b)] = buffer
                    }
                }
                var union = [BatchKey: [Int32]]()
                var perRank = [Int]()
                for rank in 0..<worldSize {
                    config.shard = try Shard(rank: rank, worldSize: worldSize)
                    let batches = stream(try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config))
                    perRank.append(batches.count)
                    for (tag, indices) in batches {
                        #expect(tag.batch % worldSize == rank, "\(shape) w=\(worldSize)")
                        let key = BatchKey(epoch: tag.epoch, batch: tag.batch)
                        #expect(union[key] == nil, "\(shape) w=\(worldSize): batch \(key) on two ranks")
                        union[key] = indices
                    }
                }
                #expect(Set(perRank).count == 1, "\(shape) \(sampler) w=\(worldSize): ranks got \(perRank) batches")
                #expect(union == expected, "\(shape) \(sampler) w=\(worldSize): union differs from the global stream")
            }
        }
    }

    @Test("batches are shuffled, not class blocks: each position holds each class equally often")
    func positionsAreShuffled() throws {
        // K = 3, m = 4: over many batches the class at each of the 12 positions should be
        // uniform. 3000 batches → 3000 draws per position; a class's share has sd ≈ 0.0086,
        // so the bound 1/3 ± 0.05 is beyond 5 sd.
        let labels = (0..<3000).map { Int32($0 % 3) }
        var schedule = try BatchSchedule(
            labels: labels, classCount: 3,
            configuration: ScheduleConfiguration(batchSize: 12, epochs: 12, seed: 5))
        var hits = [[Int]](repeating: [0, 0, 0], count: 12)
        var buffer = [Int32]()
        var batches = 0
        while schedule.next(into: &buffer) != nil {
            for (position, index) in buffer.enumerated() { hits[position][Int(labels[Int(index)])] += 1 }
            batches += 1
        }
        #expect(batches == 12 * 250)
        for position in 0..<12 {
            for c in 0..<3 {
                let share = Double(hits[position][c]) / Double(batches)
                #expect(abs(share - 1.0 / 3) < 0.05, "position \(position) class \(c): \(share)")
            }
        }
    }

    @Test("extreme shape: K = 100, 10⁵ vs 10 samples, m = 64")
    func extremeShape() throws {
        var labels = [Int32](repeating: 0, count: 100_000)
        for c in 1..<100 { labels.append(contentsOf: repeatElement(Int32(c), count: 10)) }
        var schedule = try BatchSchedule(
            labels: labels, classCount: 100,
            configuration: ScheduleConfiguration(batchSize: 6400, epochs: 1, seed: 11))
        let batches = globalEpoch(&schedule, epoch: 0)
        #expect(batches.count == (100_000 + 63) / 64)
        var draws = [Int](repeating: 0, count: labels.count)
        for batch in batches { for i in batch { draws[Int(i)] += 1 } }
        #expect(draws[0..<100_000].allSatisfy { $0 == 1 || $0 == 2 })
        #expect(draws[0..<100_000].filter { $0 == 2 }.count == batches.count * 64 - 100_000)
        // A minority sample is drawn 1563·64 / 10 ≈ 10003 times, all within one of each other.
        let minority = draws[100_000...]
        #expect(minority.max()! - minority.min()! <= 1)
    }

    @Test("weighted epochs draw every class about equally often")
    func weightedIsUniformOverClasses() throws {
        let counts = [10_000, 1_000, 100, 10]
        let labels = counts.enumerated().flatMap { c, n in repeatElement(Int32(c), count: n) }
        var schedule = try BatchSchedule(
            labels: labels, classCount: 4,
            configuration: ScheduleConfiguration(batchSize: 64, sampler: .weighted, epochs: 10, seed: 3))
        var perClass = [Int](repeating: 0, count: 4)
        var buffer = [Int32]()
        var total = 0
        while schedule.next(into: &buffer) != nil {
            for i in buffer { perClass[Int(labels[Int(i)])] += 1 }
            total += buffer.count
        }
        #expect(total == 10 * labels.count)
        // 111,100 draws, p = 1/4: sd of a share ≈ 0.0013; 0.01 is beyond 7 sd.
        for c in 0..<4 {
            let share = Double(perClass[c]) / Double(total)
            #expect(abs(share - 0.25) < 0.01, "class \(c): \(share)")
        }
    }

    @Test func badBatchSizeNamesTheNearestValidSizes() {
        let labels: [Int32] = [0, 1, 2, 0, 1, 2]
        #expect(throws: SamplingError.batchSizeNotMultiple(batchSize: 10, classCount: 3)) {
            try BatchSchedule(labels: labels, classCount: 3, configuration: ScheduleConfiguration(batchSize: 10))
        }
        #expect(SamplingError.batchSizeNotMultiple(batchSize: 10, classCount: 3).description.contains("use 9 or 12"))
        #expect(SamplingError.batchSizeNotMultiple(batchSize: 2, classCount: 3).description.contains("use 3"))
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 3, configuration: ScheduleConfiguration(batchSize: 0))
        }
    }

    @Test func emptyClassAndBadLabelsAreErrors() {
        #expect(throws: DatasetError.emptyClass(label: 1, classCount: 3)) {
            try BatchSchedule(labels: [0, 2, 0, 2], classCount: 3, configuration: ScheduleConfiguration(batchSize: 3))
        }
        #expect(throws: DatasetError.labelOutOfRange(row: 2, label: 3, classCount: 3)) {
            try BatchSchedule(labels: [0, 1, 3], classCount: 3, configuration: ScheduleConfiguration(batchSize: 3))
        }
        #expect(throws: DatasetError.negativeLabel(row: 0, label: -1)) {
            try BatchSchedule(labels: [-1, 1, 2], classCount: 3, configuration: ScheduleConfiguration(batchSize: 3))
        }
        // A natural-only schedule does not need every class.
        #expect(throws: Never.self) {
            try BatchSchedule(labels: [0, 2, 0, 2], classCount: 3, configuration: ScheduleConfiguration(batchSize: 3, sampler: .natural))
        }
    }

    @Test func badEpochsRankAndDropLastAreErrors() throws {
        let labels: [Int32] = [0, 1, 0, 1]
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 2, epochs: -1))
        }
        #expect(throws: SamplingError.self) { try Shard(rank: 2, worldSize: 2) }
        #expect(throws: SamplingError.self) { try Shard(rank: 0, worldSize: 0) }
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 6, finetuneEpochs: 1, dropLast: true))
        }
        var schedule = try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 2, epochs: 1))
        #expect(throws: SamplingError.self) { try schedule.seek(epoch: 5) }
    }
}

struct BatchKey: Hashable, CustomStringConvertible {
    var epoch: Int
    var batch: Int
    var description: String { "(epoch \(epoch), batch \(batch))" }
}
