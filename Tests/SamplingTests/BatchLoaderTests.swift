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

    @Test func rowCountMismatchIsAnError() throws {
        let data = try SpiralSpecification(counts: [3, 3], noise: 0, seed: 1).generate()
        let schedule = try BatchSchedule(labels: [0, 1, 0, 1], classCount: 2, configuration: ScheduleConfiguration(batchSize: 2))
        #expect(throws: SamplingError.self) {
            try BatchLoader(schedule: schedule, source: data, labels: [0, 1, 0, 1])
        }
    }
}
