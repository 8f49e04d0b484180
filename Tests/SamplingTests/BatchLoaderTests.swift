import Datasets
import Testing
@testable import Sampling

@Suite struct BatchLoaderTests {
    @Test func gathersTheScheduledRowsAndLabels() throws {
        let data = try SpiralSpecification(counts: [300, 30, 3], noise: 0.1, seed: 4).generate()
        let config = ScheduleConfiguration(batchSize: 6, epochs: 2, finetuneEpochs: 1, seed: 8)
        let schedule = try BatchSchedule(labels: data.labels, classCount: 3, configuration: config)
        let reference = stream(schedule)
        var loader = try BatchLoader(schedule: schedule, source: data, labels: data.labels)
        var batch = Batch()
        var seen = 0
        var capacity = 0
        while try loader.next(into: &batch) {
            let (tag, indices) = reference[seen]
            #expect(batch.tag == tag)
            #expect(batch.indices == indices)
            #expect(batch.dimension == 2)
            #expect(batch.features.count == batch.count * 2)
            for (i, row) in indices.enumerated() {
                #expect(batch.labels[i] == data.labels[Int(row)])
                #expect(Array(batch.features[(2 * i)..<(2 * i + 2)]) == Array(data.row(Int(row))))
            }
            if seen == 1 { capacity = batch.features.capacity }
            seen += 1
        }
        #expect(seen == reference.count)
        // Buffers are reused, not regrown.
        #expect(batch.features.capacity == capacity)
    }

    @Test("look-ahead windows give the same batches, bit for bit", arguments: [2, 5, 64])
    func lookaheadGivesTheSameBatches(lookahead: Int) throws {
        let data = try SpiralSpecification(counts: [120, 30, 4], noise: 0.3, seed: 5).generate()
        let config = ScheduleConfiguration(batchSize: 9, epochs: 2, finetuneEpochs: 1, seed: 2)
        let schedule = try BatchSchedule(labels: data.labels, classCount: 3, configuration: config)
        var plain = try BatchLoader(schedule: schedule, source: data, labels: data.labels)
        var ahead = try BatchLoader(schedule: schedule, source: CountingSource(base: data), labels: data.labels, lookahead: lookahead)
        var a = Batch(), b = Batch()
        var batches = 0
        while try plain.next(into: &a) {
            #expect(try ahead.next(into: &b))
            #expect(a.tag == b.tag && a.indices == b.indices && a.labels == b.labels && a.features == b.features)
            batches += 1
        }
        #expect(try ahead.next(into: &b) == false)
        // One call to the source per window.
        #expect(ahead.source.calls.value == (batches + lookahead - 1) / lookahead)
        // Seeking drops what was read ahead.
        try ahead.seek(epoch: 1, batch: 3)
        try plain.seek(epoch: 1, batch: 3)
        #expect(try plain.next(into: &a) && ahead.next(into: &b))
        #expect(a.indices == b.indices && a.features == b.features)
    }

    @Test func rowCountMismatchIsAnError() throws {
        let data = try SpiralSpecification(counts: [3, 3], noise: 0, seed: 1).generate()
        let schedule = try BatchSchedule(labels: [0, 1, 0, 1], classCount: 2, configuration: ScheduleConfiguration(batchSize: 2))
        #expect(throws: SamplingError.self) {
            try BatchLoader(schedule: schedule, source: data, labels: [0, 1, 0, 1])
        }
    }
}

/// Counts calls to `gatherRows`.
struct CountingSource: FeatureRowSource, Sendable {
    var base: LabelledDataset
    let calls = CallCounter()
    var rowCount: Int { base.rowCount }
    var dimension: Int { base.dimension }
    func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        calls.value += 1
        try base.gatherRows(rows, into: destination)
    }
}

final class CallCounter: @unchecked Sendable {
    var value = 0
}
