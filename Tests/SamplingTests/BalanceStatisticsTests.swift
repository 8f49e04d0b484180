import Datasets
import Foundation
import Testing
@testable import Sampling

@Suite struct BalanceStatisticsTests {
    @Test("statistics agree with a brute-force count of the stream", arguments: [UInt64](0..<12))
    func agreesWithBruteForce(seed: UInt64) throws {
        let shape = RandomShape(seed: seed, maxTotal: 30_000)
        let stats = try BalanceStatistics(counts: shape.counts, batchSize: shape.batchSize, beta: 0.99)
        var schedule = try BatchSchedule(
            labels: shape.labels, classCount: shape.classCount,
            configuration: ScheduleConfiguration(batchSize: shape.batchSize, epochs: 1, finetuneEpochs: 1, seed: seed))
        var balancedBatches = 0, finetuneBatches = 0
        var draws = [Int](repeating: 0, count: shape.classCount)
        var buffer = [Int32]()
        while let tag = schedule.next(into: &buffer) {
            if tag.phase == .balanced {
                balancedBatches += 1
                for i in buffer { draws[Int(shape.labels[Int(i)])] += 1 }
            } else {
                finetuneBatches += 1
            }
        }
        #expect(stats.sampleCount == shape.labels.count)
        #expect(stats.classCount == shape.classCount)
        #expect(stats.balancedBatchesPerEpoch == balancedBatches, "\(shape)")
        #expect(stats.finetuneBatchesPerEpoch == finetuneBatches, "\(shape)")
        let bruteCounts = (0..<shape.classCount).map { c in shape.labels.lazy.filter { $0 == c }.count }
        #expect(abs(stats.imbalanceRatio - Double(bruteCounts.max()!) / Double(bruteCounts.min()!)) < 1e-12)
        for figure in stats.perClass {
            let c = figure.label
            #expect(figure.count == bruteCounts[c])
            #expect(figure.drawsPerEpoch == draws[c], "\(shape) class \(c)")
            #expect(abs(figure.frequency - Double(bruteCounts[c]) / Double(shape.labels.count)) < 1e-12)
            #expect(abs(figure.repetition - Double(draws[c]) / Double(bruteCounts[c])) < 1e-12)
            #expect(figure.repetition >= 1)
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
