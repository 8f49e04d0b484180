import Datasets
import Foundation
import Testing
@testable import Sampling

/// Repeat-factor sampling as LVIS and detectron2 define it: r = max over a sample's labels of
/// max(1, √(t / f_c)), each sample ⌊r⌋ times an epoch plus once with probability r − ⌊r⌋,
/// seeded by (seed, epoch). Every case names its seed.
@Suite struct RepeatFactorTests {
    @Test("r_c = max(1, √(t/f_c)) with f_c the fraction of samples carrying c")
    func repeatFactorsUseTheSampleFraction() {
        // 100 samples; label 0 on 90, label 1 on 9, label 2 on 1 (several labels a sample:
        // the counts sum to more than N when N is given).
        let r = SamplingPolicy.repeatFactors(threshold: 0.1, counts: [90, 9, 1, 0], sampleCount: 100)
        #expect(r[0] == 1 && r[3] == 1)
        #expect(abs(r[1] - (0.1 / 0.09).squareRoot()) < 1e-12)
        #expect(abs(r[2] - 10.0.squareRoot()) < 1e-12)
    }

    @Test("binomial draws have mean n·p and variance n·p·(1 − p)", arguments: [(7, 0.3), (40, 0.1), (1000, 0.37), (100_000, 0.999), (5, 0.0), (5, 1.0)])
    func binomialMoments(n: Int, p: Double) {
        var rng = Xoshiro256StarStar(seed: UInt64(n), stream: 77)
        let draws = 20_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<draws {
            let k = rng.nextBinomial(count: n, probability: p)
            #expect(k >= 0 && k <= n)
            sum += Double(k)
            squares += Double(k) * Double(k)
        }
        let mean = sum / Double(draws), variance = squares / Double(draws) - mean * mean
        let expected = Double(n) * p, spread = Double(n) * p * (1 - p)
        // Five standard errors of the mean; the variance within 5 %.
        #expect(abs(mean - expected) <= 5 * (spread / Double(draws)).squareRoot() + 1e-12, "n=\(n) p=\(p): mean \(mean)")
        #expect(abs(variance - spread) <= 0.05 * spread + 1e-12, "n=\(n) p=\(p): variance \(variance), expected \(spread)")
    }

    @Test("a group's extras are Binomial(g, r − ⌊r⌋): their mean over epochs is g·(r − ⌊r⌋)")
    func extrasAreBinomial() {
        let groups = [400, 37, 5]
        let repeats = [1.0, 1.7, 3.25]
        let epochs = 3000
        var totals = [0, 0, 0]
        for e in 0..<epochs {
            // B = 1: no padding, so the quotas are g·⌊r⌋ + X exactly.
            let q = EpochPlan.repeatQuotas(groups: groups, repeats: repeats, weights: [1, 1, 1], batchSize: 1, seed: UInt64(e))
            #expect(q[0] == 400)
            #expect(q[1] >= 37 && q[1] <= 74 && q[2] >= 15 && q[2] <= 20, "epoch \(e): \(q)")
            for c in 0..<3 { totals[c] += q[c] }
        }
        for c in 1..<3 {
            let frac = repeats[c] - repeats[c].rounded(.down), g = Double(groups[c])
            let mean = Double(totals[c]) / Double(epochs) - g * repeats[c].rounded(.down)
            #expect(abs(mean - g * frac) <= 5 * (g * frac * (1 - frac) / Double(epochs)).squareRoot(), "group \(c): mean extras \(mean)")
        }
    }

    @Test("cover epochs: every sample ⌊r_c⌋ or ⌈r_c⌉ times (more only by the padding to B), lengths vary by epoch, fixed by (seed, epoch)", arguments: Array(0..<16 as Range<UInt64>))
    func coverEpochRounding(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 30_000)
        var rng = Xoshiro256StarStar(seed: seed, stream: 5)
        let t = pow(10, rng.nextUniform(-4, -0.5))
        let r = SamplingPolicy.repeatFactors(threshold: t, counts: shape.counts, sampleCount: shape.labels.count)
        let expected = zip(shape.counts, r).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        guard expected <= 60_000 else { return }
        let context = "\(shape) t=\(t)"
        let configuration = ScheduleConfiguration(batchSize: shape.batchSize, phases: [SchedulePhase(.repeatFactor(t), epochs: 4)], seed: seed)
        var schedule = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: configuration)
        var lengths = Set<Int>()
        for epoch in 0..<4 {
            let plan = schedule.plan(epoch: epoch)
            lengths.insert(plan.draws)
            #expect(plan.draws % shape.batchSize == 0 && plan.draws == plan.quotas.reduce(0, +), "\(context)")
            var perSample = [Int](repeating: 0, count: shape.labels.count)
            for batch in globalEpoch(&schedule, epoch: epoch, padded: false) { for i in batch { perSample[Int(i)] += 1 } }
            var low = [Int](repeating: .max, count: shape.classCount), high = [Int](repeating: 0, count: shape.classCount)
            for (row, label) in shape.labels.enumerated() {
                low[Int(label)] = min(low[Int(label)], perSample[row])
                high[Int(label)] = max(high[Int(label)], perSample[row])
            }
            var overshoot = 0
            for c in 0..<shape.classCount {
                let floor = Int(r[c].rounded(.down)), ceiling = Int(r[c].rounded(.up))
                #expect(low[c] >= floor, "\(context) epoch \(epoch): class \(c) drawn \(low[c]) < ⌊r⌋ = \(floor) times")
                #expect(high[c] - low[c] <= 1, "\(context) epoch \(epoch): class \(c) draws \(low[c])…\(high[c])")
                overshoot += max(0, plan.quotas[c] - shape.counts[c] * ceiling)
                if plan.quotas[c] <= shape.counts[c] * ceiling {
                    #expect(high[c] <= ceiling, "\(context) epoch \(epoch): class \(c) drawn \(high[c]) > ⌈r⌉ = \(ceiling) times")
                }
            }
            #expect(overshoot < shape.batchSize, "\(context) epoch \(epoch): \(overshoot) draws past ⌈r⌉, more than the padding to B")
        }
        // Another schedule over the same seed agrees epoch by epoch without drawing earlier epochs.
        let again = try BatchSchedule(labels: shape.labels, classCount: shape.classCount, configuration: configuration)
        for epoch in (0..<4).reversed() { #expect(again.plan(epoch: epoch) == schedule.plan(epoch: epoch), "\(context)") }
        if extrasDeviation(groups: shape.counts, repeats: r) >= 4 * Double(shape.batchSize) {
            #expect(lengths.count > 1, "\(context): every epoch has the same length \(lengths)")
        }
    }

    /// The standard deviation of an epoch's random extras, √Σ g·f·(1 − f) with f = r − ⌊r⌋.
    func extrasDeviation(groups: [Int], repeats: [Double]) -> Double {
        zip(groups, repeats).reduce(0.0) { sum, item in
            let f = item.1 - item.1.rounded(.down)
            return sum + Double(item.0) * f * (1 - f)
        }.squareRoot()
    }

    @Test("several labels a sample: r is the largest of a sample's labels; unlabelled samples are not drawn; resume and shards hold", arguments: [1 as UInt64, 2, 3])
    func multiLabelTakesTheMaximum(seed: UInt64) throws {
        let labels = try MultiLabelScheduleTests.cooccurring(seed: seed)
        let counts = labels.counts
        let t = 0.3
        let r = SamplingPolicy.repeatFactors(threshold: t, counts: counts, sampleCount: labels.sampleCount)
        let b = 2
        let configuration = ScheduleConfiguration(batchSize: b, phases: [SchedulePhase(.repeatFactor(t), epochs: 3), SchedulePhase(.natural, epochs: 1)], seed: seed)
        var schedule = try BatchSchedule(multiLabels: labels, configuration: configuration)
        let groups = labels.rarestLabelCounts
        try #require(extrasDeviation(groups: groups, repeats: r) >= 4 * Double(b), "seed \(seed): too few random extras to test")
        #expect(groups.reduce(0, +) == (0..<labels.sampleCount).filter { !labels.labels(ofSample: $0).isEmpty }.count)
        var lengths = Set<Int>()
        for epoch in 0..<3 {
            let plan = schedule.plan(epoch: epoch)
            lengths.insert(plan.draws)
            #expect(plan.draws % b == 0 && plan.quotas.reduce(0, +) == plan.draws, "seed \(seed) epoch \(epoch)")
            let batches = globalEpoch(&schedule, epoch: epoch, padded: false)
            #expect(batches.allSatisfy { $0.count == b })
            var perSample = [Int](repeating: 0, count: labels.sampleCount)
            for batch in batches { for i in batch { perSample[Int(i)] += 1 } }
            var overshoot = 0
            for sample in 0..<labels.sampleCount {
                let carried = labels.labels(ofSample: sample)
                guard let rarest = carried.map({ Int($0) }).min(by: { (counts[$0], $0) < (counts[$1], $1) }) else {
                    #expect(perSample[sample] == 0, "seed \(seed): sample \(sample) has no label but was drawn")
                    continue
                }
                let repeatFactor = carried.map { r[Int($0)] }.max()!
                #expect(r[rarest] == repeatFactor)
                #expect(perSample[sample] >= Int(repeatFactor.rounded(.down)), "seed \(seed) epoch \(epoch): sample \(sample) drawn \(perSample[sample]) times, r = \(repeatFactor)")
                overshoot += max(0, perSample[sample] - Int(repeatFactor.rounded(.up)))
            }
            #expect(overshoot < b, "seed \(seed) epoch \(epoch): \(overshoot) draws past ⌈r⌉")
        }
        #expect(lengths.count > 1, "seed \(seed): epoch lengths \(lengths) do not vary")
        // Resume from any (epoch, batch) and two ranks give what one uninterrupted run gives.
        let whole = stream(schedule)
        var resumed = try BatchSchedule(multiLabels: labels, configuration: configuration)
        let start = whole.count / 2
        try resumed.seek(epoch: whole[start].0.epoch, batch: whole[start].0.batch)
        #expect(stream(resumed).map(\.1) == whole[start...].map(\.1), "seed \(seed): resume differs")
        var shards = [[Int32]]()
        for rank in 0..<2 {
            var sharded = configuration
            sharded.shard = try Shard(rank: rank, worldSize: 2)
            shards.append(contentsOf: stream(try BatchSchedule(multiLabels: labels, configuration: sharded)).filter { $0.0.phaseIndex == 0 }.map(\.1))
        }
        var twoRanks = configuration
        twoRanks.shard = try Shard(rank: 0, worldSize: 2)
        var padded = try BatchSchedule(multiLabels: labels, configuration: twoRanks)
        var expected = [[Int32]]()
        for epoch in 0..<3 { expected += globalEpoch(&padded, epoch: epoch) }
        #expect(shards.count == expected.count && Set(shards.map { $0.description }) == Set(expected.map { $0.description }), "seed \(seed): ranks' union is not the padded stream")
    }

    @Test("statistics of a multi-label repeat epoch: per rarest-label group, the drawn epoch's quotas and per-sample draws", arguments: [4 as UInt64, 5])
    func multiLabelStatisticsMatchTheDraws(seed: UInt64) throws {
        let labels = try MultiLabelScheduleTests.cooccurring(seed: seed)
        let counts = labels.counts, groups = labels.rarestLabelCounts
        let policy = SamplingPolicy.repeatFactor(0.3)
        let stats = try BalanceStatistics(
            counts: counts, batchSize: 7, policy: policy, naturalSamples: labels.sampleCount, groupCounts: groups, seed: seed)
        var schedule = try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(batchSize: 7, phases: [SchedulePhase(policy, epochs: 1)], seed: seed))
        var perSample = [Int](repeating: 0, count: labels.sampleCount)
        for batch in globalEpoch(&schedule, epoch: 0, padded: false) { for i in batch { perSample[Int(i)] += 1 } }
        #expect(stats.epochDraws == perSample.reduce(0, +), "seed \(seed)")
        for figure in stats.perClass {
            let c = figure.label
            let members = (0..<labels.sampleCount).filter { labels.rarestLabel(ofSample: $0, counts: counts) == c }
            #expect(members.count == groups[c])
            let draws = members.map { perSample[$0] }.sorted()
            #expect(figure.quota == draws.reduce(0, +), "seed \(seed) label \(c)")
            guard !draws.isEmpty else {
                #expect(figure.drawsMin == nil && figure.repetition == 0, "seed \(seed) label \(c)")
                continue
            }
            let median = draws.count % 2 == 1 ? Double(draws[draws.count / 2]) : Double(draws[draws.count / 2 - 1] + draws[draws.count / 2]) / 2
            #expect(figure.drawsMin == draws.first && figure.drawsMax == draws.last && figure.drawsMedian == median, "seed \(seed) label \(c): \(draws)")
            #expect(abs(figure.repetition - Double(figure.quota) / Double(groups[c])) < 1e-12)
        }
    }
}
