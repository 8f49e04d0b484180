import Datasets
import Foundation
import Testing
@testable import Sampling

@Suite struct BalanceStatisticsTests {
    @Test("statistics agree with a brute-force count of the stream, for every policy", arguments: [UInt64](0..<8))
    func agreesWithBruteForce(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 5_000, maxDraws: 5_000, maxClasses: 400)
        var members = [[Int]](repeating: [], count: shape.classCount)
        for (row, label) in shape.labels.enumerated() { members[Int(label)].append(row) }
        for policy in quotaPolicies(seed: seed) + [.natural] {
            let length = shape.length(for: policy)
            let stats = try BalanceStatistics(counts: shape.counts, batchSize: shape.batchSize, policy: policy, epochLength: length, beta: 0.99, seed: seed)
            var schedule = try BatchSchedule(
                labels: shape.labels, classCount: shape.classCount,
                configuration: ScheduleConfiguration(batchSize: shape.batchSize, phases: [SchedulePhase(policy, epochs: 1), SchedulePhase(.natural, epochs: 1)], epochLength: length, seed: seed))
            let context = "\(shape) \(policy) \(length)"
            #expect(stats.batchesPerEpoch == schedule.batchCount(epoch: 0), "\(context)")
            var draws = [Int](repeating: 0, count: shape.classCount)
            var perSample = [Int](repeating: 0, count: shape.labels.count)
            var total = 0
            for batch in globalEpoch(&schedule, epoch: 0, padded: false) {
                for i in batch {
                    draws[Int(shape.labels[Int(i)])] += 1
                    perSample[Int(i)] += 1
                }
                total += batch.count
            }
            #expect(stats.epochDraws == total, "\(context)")
            #expect(stats.sampleCount == shape.labels.count)
            let bruteCounts = members.map(\.count)
            #expect(abs(stats.imbalanceRatio - Double(bruteCounts.max()!) / Double(bruteCounts.min()!)) < 1e-12)
            for figure in stats.perClass {
                let c = figure.label
                let samples = members[c].map { perSample[$0] }.sorted()
                #expect(figure.count == bruteCounts[c])
                #expect(figure.quota == draws[c], "\(context) class \(c)")
                #expect(abs(figure.repetition - Double(draws[c]) / Double(bruteCounts[c])) < 1e-12)
                #expect(figure.drawsMin == samples.first && figure.drawsMax == samples.last, "\(context) class \(c)")
                let median = samples.count % 2 == 1 ? Double(samples[samples.count / 2])
                    : Double(samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
                #expect(figure.drawsMedian == median, "\(context) class \(c)")
                let seen = Double(samples.filter { $0 > 0 }.count) / Double(samples.count)
                #expect(abs((figure.seenShare ?? -1) - seen) < 1e-12, "\(context) class \(c)")
            }
        }
    }

    @Test func inverseFrequencyWeights() throws {
        let w = try ClassWeights.inverseFrequency(counts: [1000, 100, 10])
        // N / (K n_c) = 1110 / (3 n_c)
        let expected = [1110.0 / 3000, 1110.0 / 300, 1110.0 / 30]
        for (a, b) in zip(w, expected) { #expect(abs(a - b) < 1e-12) }
        // Sample weights of each class sum to N / K.
        #expect(abs(w[0] * 1000 - 370) < 1e-9 && abs(w[2] * 10 - 370) < 1e-9)
    }

    @Test func effectiveNumberWeights() throws {
        let counts = [1000, 100, 10]
        let beta = 0.999
        let w = try ClassWeights.effectiveNumber(counts: counts, beta: beta)
        let raw = counts.map { (1 - beta) / (1 - pow(beta, Double($0))) }
        let scale = 3 / raw.reduce(0, +)
        for (a, r) in zip(w, raw) { #expect(abs(a - r * scale) < 1e-9) }
        #expect(abs(w.reduce(0, +) - 3) < 1e-12)
        #expect(w[0] < w[1] && w[1] < w[2])
        // β = 0: all equal.
        #expect(try ClassWeights.effectiveNumber(counts: counts, beta: 0) == [1, 1, 1])
        #expect(throws: SamplingError.self) { try ClassWeights.effectiveNumber(counts: counts, beta: 1) }
        #expect(throws: DatasetError.emptyClass(label: 1, classCount: 2)) { try ClassWeights.inverseFrequency(counts: [3, 0]) }
    }
}
