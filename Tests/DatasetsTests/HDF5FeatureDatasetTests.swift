import Foundation
import Testing
@testable import Datasets

/// Gathering rows on demand: any order, repeats, long runs, every layout, and errors.
@Suite struct HDF5FeatureDatasetTests {
    /// Rows gathered from the file equal the same rows of the full read, for every fixture.
    @Test func gatheredRowsMatchTheFullRead() throws {
        let expected = try HDF5Fixtures.expected()
        for entry in expected.features {
            let source = try HDF5FeatureDataset(path: try HDF5Fixtures.path(entry.file), datasetPath: entry.dataset)
            let full = try source.readAll()
            expectClose(full, entry.values, "\(entry.file):\(entry.dataset)")
            let n = source.rowCount
            let d = source.dimension
            var rng = Xoshiro256StarStar(seed: 11)
            for trial in 0..<5 {
                let count = 1 + Int(rng.nextBounded(UInt64(3 * n)))
                let rows = (0..<count).map { _ in Int(rng.nextBounded(UInt64(n))) }
                let gathered = try source.gatherRows(rows)
                var want = [Float]()
                for row in rows { want.append(contentsOf: full[(row * d)..<((row + 1) * d)]) }
                #expect(gathered == want, "\(entry.file):\(entry.dataset) trial \(trial) rows \(rows)")
            }
        }
    }

    @Test func gatherWritesIntoTheCallersBufferInRequestedOrder() throws {
        let source = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/chunked_gzip")
        let full = try source.readAll()
        let d = source.dimension
        let rows = [99, 0, 17, 16, 15, 16, 98, 99, 50]
        var destination = [Float](repeating: .nan, count: rows.count * d + 3)
        try rows.withUnsafeBufferPointer { rowBuffer in
            try destination.withUnsafeMutableBufferPointer { try source.gatherRows(rowBuffer, into: $0) }
        }
        for (i, row) in rows.enumerated() {
            #expect(Array(destination[(i * d)..<((i + 1) * d)]) == Array(full[(row * d)..<((row + 1) * d)]), "position \(i) row \(row)")
        }
        #expect(destination.suffix(3).allSatisfy { $0.isNaN }, "nothing written past the requested rows")
    }

    @Test func everyRowInOrderIsOneLongRun() throws {
        let source = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/chunked_plain")
        #expect(try source.gatherRows(Array(0..<source.rowCount)) == (try source.readAll()))
        #expect(try source.gatherRows(Array((0..<source.rowCount).reversed())).count == source.rowCount * source.dimension)
    }

    /// Runs longer than the scratch limit are split; results must not change.
    @Test func longRunsAreSplitCorrectly() throws {
        let file = try HDF5File(path: try HDF5Fixtures.path("layouts.h5"))
        let reference = try HDF5FeatureDataset(file: file, datasetPath: "/chunked_plain")
        let full = try reference.readAll()
        let d = reference.dimension
        for limit in [1, 2, 3, 7] {
            let source = try HDF5FeatureDataset(file: file, datasetPath: "/chunked_plain", maximumRunRows: limit)
            let rows = Array(0..<source.rowCount) + [5, 5, 6, 7, 8, 9, 10, 11, 12, 0, 99, 98, 97]
            var want = [Float]()
            for row in rows { want.append(contentsOf: full[(row * d)..<((row + 1) * d)]) }
            #expect(try source.gatherRows(rows) == want, "run limit \(limit)")
        }
    }

    @Test func chunkedDatasetsGetAChunkCache() throws {
        let chunked = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/chunked_gzip")
        #expect(chunked.layout == .chunked)
        #expect(chunked.chunkShape == [16, 5])
        let cache = try #require(chunked.chunkCacheBytes)
        #expect(cache >= 8 * 16 * 5 * 4)
        // A 256 KiB chunk: the cache must hold 8 of them (2 MiB), above HDF5's 1 MiB default,
        // and HDF5 must report that size as in effect.
        let expected = try HDF5Fixtures.expected().bigChunks
        let big = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/big_chunks")
        #expect(big.chunkShape == expected.chunks)
        let chunkBytes = expected.chunks.reduce(4, *)
        #expect(big.chunkCacheBytes == 8 * chunkBytes)
        #expect(8 * chunkBytes > 1 << 20)
        let values = try big.gatherRows([63, 0, 31, 31])
        #expect(values.count == 4 * expected.shape[1])
        let sum = try big.readAll().reduce(0.0) { $0 + Double($1) }
        #expect(isClose(sum, expected.sum))
        let contiguous = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/contiguous")
        #expect(contiguous.chunkCacheBytes == nil)
        let huge = HDF5FeatureDataset.chunkCache(chunkBytes: 64 << 20)
        #expect(huge.bytes >= 64 << 20, "a cache must hold at least one chunk")
        let small = HDF5FeatureDataset.chunkCache(chunkBytes: 100)
        #expect(small.bytes >= 1 << 20 && small.slots <= 100_003)
    }

    @Test func badRequestsAreRefused() throws {
        let path = try HDF5Fixtures.path("labelled.h5")
        let source = try HDF5FeatureDataset(path: path)
        let n = source.rowCount
        expectHDF5Error(.rowOutOfRange(file: path, dataset: "/features", row: n, rowCount: n), mentioning: ["row \(n)"]) {
            try source.gatherRows([0, n])
        }
        var small = [Float](repeating: 0, count: source.dimension)
        let error = expectHDF5Error({
            try [1, 2].withUnsafeBufferPointer { rows in
                try small.withUnsafeMutableBufferPointer { try source.gatherRows(rows, into: $0) }
            }
        }) { error in
            if case .invalidArgument = error { return true }
            return false
        }
        #expect(error?.description.contains("expected at least \(2 * source.dimension)") == true)
        #expect(try source.gatherRows([]).isEmpty)
    }

    /// One instance shared by several tasks: reads are serialised by its lock and stay correct.
    @Test func aSharedInstanceServesConcurrentTasks() async throws {
        let source = try HDF5FeatureDataset(path: try HDF5Fixtures.path("layouts.h5"), datasetPath: "/chunked_gzip")
        let full = try source.readAll()
        let d = source.dimension
        let n = source.rowCount
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var rng = Xoshiro256StarStar(seed: 100 + UInt64(task))
                    var bad = 0
                    for _ in 0..<50 {
                        let rows = (0..<32).map { _ in Int(rng.nextBounded(UInt64(n))) }
                        guard let gathered = try? source.gatherRows(rows) else { bad += 1; continue }
                        for (i, row) in rows.enumerated() where Array(gathered[(i * d)..<((i + 1) * d)]) != Array(full[(row * d)..<((row + 1) * d)]) {
                            bad += 1
                        }
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
