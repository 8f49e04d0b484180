import Datasets
import Foundation
import Testing
@testable import Sampling

/// Property tests of every policy over random long-tailed shapes; each case names its seed,
/// shape and policy on failure.
@Suite struct BatchScheduleTests {
    static let seeds: [UInt64] = Array(0..<16)

    /// Counts what one quota epoch did, batch by batch, against its plan.
    struct QuotaEpochCheck {
        var badBatchCounts = 0
        var classTwice = 0
        var worstShareDeviation = 0.0
        var drawn: [Int]
        var perSample: [Int]

        init(schedule: inout BatchSchedule, epoch: Int, labels: [Int32]) {
            let plan = schedule.plan(epoch: epoch)
            let k = schedule.classCount, b = plan.batchCount, q = plan.quotas
            drawn = [Int](repeating: 0, count: k)
            perSample = [Int](repeating: 0, count: labels.count)
            var inBatch = [Int](repeating: 0, count: k)
            var touched = [Int]()
            let everyBatch = q.filter { $0 >= b }.count
            var buffer = [Int32]()
            for j in 0..<b {
                schedule.fill(epoch: epoch, batch: j, into: &buffer)
                if buffer.count != plan.batchSize { badBatchCounts += 1 }
                for i in buffer {
                    let c = Int(labels[Int(i)])
                    if inBatch[c] == 0 { touched.append(c) }
                    inBatch[c] += 1
                    perSample[Int(i)] += 1
                }
                var withFloor = 0
                for c in touched {
                    let share = Double(q[c]) / Double(b)
                    if inBatch[c] < q[c] / b || inBatch[c] > (q[c] + b - 1) / b { badBatchCounts += 1 }
                    if q[c] >= b { withFloor += 1 }
                    if inBatch[c] > 1 && q[c] < b { classTwice += 1 }
                    // The running share is furthest off just before and just after a draw.
                    let before = Double(drawn[c]) - Double(j) * share
                    drawn[c] += inBatch[c]
                    let after = Double(drawn[c]) - Double(j + 1) * share
                    worstShareDeviation = max(worstShareDeviation, abs(before), abs(after))
                    inBatch[c] = 0
                }
                if withFloor != everyBatch { badBatchCounts += 1 }
                touched.removeAll(keepingCapacity: true)
            }
        }
    }

    @Test("quota epochs: ⌊⌋/⌈⌉ per batch, exact quotas, running share within 2, every sample under cover, draws within a class differ by ≤ 1", arguments: seeds)
    func quotaEpochInvariants(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 100_000, maxDraws: 6_000)
        for policy in quotaPolicies(seed: seed) {
          for chunked in RandomShape.orders {
            let epochs = policy == .progressive ? 3 : 1
            let configuration = shape.configuration(policy, epochs: epochs, chunked: chunked)
            var schedule = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: configuration)
            for epoch in Set([0, epochs - 1]).sorted() {
                let context = "\(shape) \(policy) \(configuration.epochLength) chunked \(chunked) epoch \(epoch)"
                let plan = schedule.plan(epoch: epoch)
                #expect(plan.draws == plan.batchCount * shape.batchSize, "\(context)")
                #expect(plan.quotas.reduce(0, +) == plan.draws, "\(context)")
                let check = QuotaEpochCheck(schedule: &schedule, epoch: epoch, labels: shape.labels)
                #expect(check.badBatchCounts == 0, "\(context): \(check.badBatchCounts) batches off ⌊B·Q/T⌋…⌈B·Q/T⌉")
                #expect(check.drawn == plan.quotas, "\(context): epoch draws differ from the quotas")
                #expect(check.worstShareDeviation <= 2, "\(context): running share off by \(check.worstShareDeviation)")
                #expect(check.classTwice == 0, "\(context): a class with Q_c < b twice in a batch")
                var low = [Int](repeating: .max, count: shape.classCount)
                var high = [Int](repeating: 0, count: shape.classCount)
                for (row, label) in shape.labels.enumerated() {
                    low[Int(label)] = min(low[Int(label)], check.perSample[row])
                    high[Int(label)] = max(high[Int(label)], check.perSample[row])
                }
                let spread = (0..<shape.classCount).filter { high[$0] - low[$0] > 1 }
                #expect(spread.isEmpty, "\(context): classes \(spread.prefix(5)) with draws differing by more than one")
                if configuration.epochLength == .cover {
                    #expect(low.allSatisfy { $0 >= 1 }, "\(context): a sample was never drawn under cover")
                }
            }
          }
        }
    }

    @Test("progressive: first epoch instance-balanced, last class-balanced", arguments: seeds.prefix(12))
    func progressiveEndpoints(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxClasses: 300)
        let length = EpochLength.batches(7)
        for epochs in [1, 2, 5] {
            let schedule = try BatchSchedule(
                labels: shape.labels, classCount: shape.classCount,
                configuration: ScheduleConfiguration(batchSize: shape.batchSize, phases: [SchedulePhase(.progressive, epochs: epochs)], epochLength: length, seed: seed))
            let instance = try EpochPlan(policy: .instance, counts: shape.counts, batchSize: shape.batchSize, length: length)
            let balanced = try EpochPlan(policy: .balanced, counts: shape.counts, batchSize: shape.batchSize, length: length)
            #expect(schedule.plan(epoch: 0).quotas == instance.quotas, "\(shape) E=\(epochs): λ_0 = 0")
            if epochs > 1 {
                #expect(schedule.plan(epoch: epochs - 1).quotas == balanced.quotas, "\(shape) E=\(epochs): λ_{E−1} = 1")
            }
        }
    }

    @Test("natural epoch is a permutation in batches of B", arguments: seeds.prefix(12))
    func naturalEpoch(seed: UInt64) throws {
        let shape = RandomShape(seed: seed)
        for dropLast in [false, true] {
            let b = min(shape.batchSize, shape.labels.count)
            var configuration = ScheduleConfiguration(batchSize: b, sampler: .natural, epochs: 1, finetuneEpochs: 2, dropLast: dropLast, seed: seed)
            // The chunked order with drop-last, the exact one without.
            if dropLast { configuration.chunkedOrder = shape.chunkedOrder }
            var schedule = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: configuration)
            for epoch in 0...2 {
                #expect(schedule.policy(ofEpoch: epoch) == .natural)
                #expect(schedule.phaseIndex(ofEpoch: epoch) == (epoch == 0 ? 0 : 1))
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
                }
            }
        }
    }

    static let allPolicies: [SamplingPolicy] = [.balanced, .sqrt, .power(0.3), .instance, .progressive, .repeatFactor(0.01), .natural, .weighted]

    @Test("same seed, same stream; different seed, different stream", arguments: seeds.prefix(8))
    func determinism(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 2_000, maxDraws: 1_500, maxClasses: 500)
        for policy in Self.allPolicies {
          for chunked in RandomShape.orders {
            let config = shape.configuration(policy, epochs: 2, finetuneEpochs: 1, chunked: chunked)
            let a = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
            let b = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
            var other = config
            other.seed = seed &+ 1000
            let c = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: other)
            let sa = stream(a), sb = stream(b), sc = stream(c)
            #expect(sa.map(\.0) == sb.map(\.0) && sa.map(\.1) == sb.map(\.1), "\(shape) \(policy)")
            #expect(sa.map(\.1) != sc.map(\.1), "\(shape) \(policy): seeds \(seed) and \(seed + 1000) gave the same stream")
          }
        }
    }

    @Test("resuming at any (epoch, batch) reproduces the uninterrupted stream", arguments: seeds.prefix(8))
    func resume(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 2_000, maxDraws: 2_000, maxClasses: 500)
        var rng = Xoshiro256StarStar(seed: seed, stream: 99)
        for policy in Self.allPolicies {
          for chunked in RandomShape.orders {
            let config = shape.configuration(policy, epochs: 2, finetuneEpochs: 1, chunked: chunked)
            let full = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
            let reference = stream(full)
            for _ in 0..<3 {
                let start = rng.nextBounded(reference.count)
                let (tag, _) = reference[start]
                var resumed = full
                try resumed.seek(epoch: tag.epoch, batch: tag.batch)
                let tail = stream(resumed)
                #expect(tail.count == reference.count - start, "\(shape) \(policy)")
                #expect(tail.map(\.0) == reference[start...].map(\.0), "\(shape) \(policy) from \(tag)")
                #expect(tail.map(\.1) == reference[start...].map(\.1), "\(shape) \(policy) chunked \(chunked) from \(tag)")
            }
          }
        }
    }

    @Test("ranks are disjoint, equal in number, and together the padded global stream", arguments: seeds.prefix(6))
    func sharding(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 1_500, maxDraws: 1_500, maxClasses: 300)
        for policy in Self.allPolicies {
          for chunked in RandomShape.orders {
            for worldSize in [2, 5] {
                var config = shape.configuration(policy, epochs: 1, finetuneEpochs: 1, chunked: chunked)
                var global = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
                var expected = [BatchKey: [Int32]]()
                config.shard = try Shard(rank: 0, worldSize: worldSize)
                let sharded = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: config)
                for epoch in 0..<2 {
                    let padded = sharded.paddedBatchCount(epoch: epoch)
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
                #expect(Set(perRank).count == 1, "\(shape) \(policy) w=\(worldSize): ranks got \(perRank) batches")
                #expect(union == expected, "\(shape) \(policy) chunked \(chunked) w=\(worldSize): union differs from the global stream")
            }
          }
        }
    }

    @Test("tags carry epoch, phase index and policy through a schedule of phases")
    func phaseTags() throws {
        let labels = (0..<300).map { Int32($0 % 3 == 0 ? 0 : ($0 % 10 == 1 ? 2 : 1)) }
        let phases = [SchedulePhase(.natural, epochs: 2), SchedulePhase(.balanced, epochs: 1), SchedulePhase(.progressive, epochs: 3)]
        let schedule = try BatchSchedule(labels: labels, classCount: 3, configuration: ScheduleConfiguration(batchSize: 32, phases: phases, seed: 4))
        let tags = stream(schedule).map(\.0)
        #expect(tags.map(\.epoch).reduce(into: [Int]()) { if $0.last != $1 { $0.append($1) } } == [0, 1, 2, 3, 4, 5])
        for tag in tags {
            let expected = tag.epoch < 2 ? 0 : tag.epoch == 2 ? 1 : 2
            #expect(tag.phaseIndex == expected, "\(tag)")
            #expect(tag.policy == phases[expected].policy, "\(tag)")
        }
    }

    @Test("B = 256, K = 3: every batch holds 85 or 86 of each class")
    func batchLargerThanClasses() throws {
        let labels = [1000, 100, 10].enumerated().flatMap { c, n in repeatElement(Int32(c), count: n) }
        var schedule = try BatchSchedule(labels: labels, classCount: 3, configuration: ScheduleConfiguration(batchSize: 256, seed: 2))
        #expect(schedule.batchCount(epoch: 0) == 12)   // K·M = 3000 rounded up to 3072
        for batch in globalEpoch(&schedule, epoch: 0) {
            let perClass = (0..<3).map { c in batch.filter { labels[Int($0)] == c }.count }
            #expect(perClass.allSatisfy { $0 == 85 || $0 == 86 }, "\(perClass)")
        }
    }

    @Test("1,000 long-tailed classes (1280 down to 5), B = 256: no class twice, each class once per pass of the rotation")
    func thousandClasses() throws {
        let counts = (0..<1000).map { c in Int((1280 * pow(5.0 / 1280, Double(c) / 999)).rounded()) }
        let labels = counts.enumerated().flatMap { c, n in repeatElement(Int32(c), count: n) }
        var schedule = try BatchSchedule(
            labels: labels, classCount: 1000,
            configuration: ScheduleConfiguration(batchSize: 256, phases: [SchedulePhase(.balanced, epochs: 1)], epochLength: .batches(40), seed: 8))
        var lastSeen = [Int](repeating: -1, count: 1000)
        var worstGap = 0
        for (j, batch) in globalEpoch(&schedule, epoch: 0).enumerated() {
            let classes = batch.map { Int(labels[Int($0)]) }
            #expect(Set(classes).count == 256, "batch \(j) holds a class twice")
            for c in classes {
                worstGap = max(worstGap, j - lastSeen[c])
                lastSeen[c] = j
            }
        }
        // A pass of the rotation is K/B ≈ 3.9 batches; PD² keeps each class inside its window.
        #expect(worstGap <= 2 * 4, "a class waited \(worstGap) batches")
        #expect(lastSeen.allSatisfy { $0 >= 40 - 5 })
    }

    @Test("batches are shuffled, not class blocks: each position holds each class equally often")
    func positionsAreShuffled() throws {
        // K = 3, B = 12: over many batches the class at each of the 12 positions should be
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

    @Test("extreme shape: K = 20, 10⁵ vs 10 samples, B = 1280")
    func extremeShape() throws {
        var labels = [Int32](repeating: 0, count: 100_000)
        for c in 1..<20 { labels.append(contentsOf: repeatElement(Int32(c), count: 10)) }
        var schedule = try BatchSchedule(
            labels: labels, classCount: 20,
            configuration: ScheduleConfiguration(batchSize: 1280, epochs: 1, seed: 11))
        let batches = globalEpoch(&schedule, epoch: 0)
        #expect(batches.count == (100_000 + 63) / 64)
        var draws = [Int](repeating: 0, count: labels.count)
        for batch in batches { for i in batch { draws[Int(i)] += 1 } }
        #expect(draws[0..<100_000].allSatisfy { $0 == 1 || $0 == 2 })
        #expect(draws[0..<100_000].filter { $0 == 2 }.count == batches.count * 64 - 100_000)
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

    @Test func anyBatchSizeWorks() throws {
        let labels: [Int32] = [0, 1, 2, 0, 1, 2, 0]
        for b in [1, 2, 5, 10, 256] {
            var schedule = try BatchSchedule(labels: labels, classCount: 3, configuration: ScheduleConfiguration(batchSize: b))
            let all = globalEpoch(&schedule, epoch: 0).flatMap { $0 }
            #expect(Set(all) == Set(0..<7), "B = \(b)")
        }
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
        // Natural, instance and sqrt do not need every class.
        for policy in [SamplingPolicy.natural, .instance, .sqrt, .repeatFactor(0.1)] {
            #expect(throws: Never.self, "\(policy)") {
                var s = try BatchSchedule(labels: [0, 2, 0, 2], classCount: 3, configuration: ScheduleConfiguration(batchSize: 3, sampler: policy))
                _ = globalEpoch(&s, epoch: 0)
            }
        }
    }

    @Test func badEpochsRankLengthAndDropLastAreErrors() throws {
        let labels: [Int32] = [0, 1, 0, 1]
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 2, epochs: -1))
        }
        #expect(throws: SamplingError.self) { try Shard(rank: 2, worldSize: 2) }
        #expect(throws: SamplingError.self) { try Shard(rank: 0, worldSize: 0) }
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 6, finetuneEpochs: 1, dropLast: true))
        }
        // B larger than a fixed epoch length.
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 8, epochLength: .samples(5)))
        }
        #expect(throws: SamplingError.self) {
            try BatchSchedule(labels: labels, classCount: 2, configuration: ScheduleConfiguration(batchSize: 2, sampler: .power(1.5)))
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
