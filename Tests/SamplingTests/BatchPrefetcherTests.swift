import Datasets
import Foundation
import Testing
@testable import Sampling

/// A row source that fails at a chosen row, to check errors reach the consumer.
struct FailingSource: FeatureRowSource, Sendable {
    struct Failure: Error, Equatable {}
    var base: LabelledDataset
    var failAfterCalls: Int
    let calls = Counter()

    var rowCount: Int { base.rowCount }
    var dimension: Int { base.dimension }

    func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        if calls.increment() > failAfterCalls { throw Failure() }
        try base.gatherRows(rows, into: destination)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}

@Suite struct BatchPrefetcherTests {
    static func loader<S: FeatureRowSource>(_ source: S, labels: [Int32], epochs: Int) throws -> BatchLoader<S> {
        let schedule = try BatchSchedule(
            labels: labels, classCount: 3,
            configuration: ScheduleConfiguration(batchSize: 9, epochs: epochs, finetuneEpochs: 1, seed: 21))
        return try BatchLoader(schedule: schedule, source: source, labels: labels)
    }

    @Test("prefetched batches equal the loader's own, in order", arguments: [1, 2, 8])
    func sameBatchesAsTheLoader(depth: Int) throws {
        let data = try SpiralSpecification(counts: [200, 40, 5], noise: 0.1, seed: 2).generate()
        var direct = try Self.loader(data, labels: data.labels, epochs: 3)
        var expected = [Batch]()
        var b = Batch()
        while try direct.next(into: &b) { expected.append(b) }

        let prefetcher = BatchPrefetcher(loader: try Self.loader(data, labels: data.labels, epochs: 3), depth: depth)
        var got = 0
        var batch = Batch()
        while try prefetcher.next(into: &batch) {
            #expect(batch.tag == expected[got].tag)
            #expect(batch.indices == expected[got].indices)
            #expect(batch.labels == expected[got].labels)
            #expect(batch.features == expected[got].features)
            got += 1
        }
        #expect(got == expected.count)
        #expect(try prefetcher.next(into: &batch) == false)
    }

    @Test func loaderErrorsReachTheConsumerAfterTheGoodBatches() throws {
        let data = try SpiralSpecification(counts: [30, 30, 30], noise: 0, seed: 1).generate()
        let source = FailingSource(base: data, failAfterCalls: 5)
        let prefetcher = BatchPrefetcher(loader: try Self.loader(source, labels: data.labels, epochs: 2), depth: 3)
        var batch = Batch()
        var good = 0
        #expect(throws: FailingSource.Failure.self) {
            while try prefetcher.next(into: &batch) { good += 1 }
        }
        #expect(good == 5)
    }

    @Test func cancelStopsEarlyAndCleanly() throws {
        let data = try SpiralSpecification(counts: [3000, 300, 30], noise: 0, seed: 1).generate()
        let prefetcher = BatchPrefetcher(loader: try Self.loader(data, labels: data.labels, epochs: 1000), depth: 2)
        var batch = Batch()
        #expect(try prefetcher.next(into: &batch))
        prefetcher.cancel()
        #expect(try prefetcher.next(into: &batch) == false)
        // Dropping a prefetcher that is mid-stream must not hang or crash either.
        do {
            let other = BatchPrefetcher(loader: try Self.loader(data, labels: data.labels, epochs: 1000), depth: 2)
            #expect(try other.next(into: &batch))
        }
    }
}
