import Foundation
import Testing
@testable import Datasets

/// `openLabelledFile` and `LabelledSource`: in memory and streamed, the same rows by the same
/// code.
@Suite struct LabelledSourceTests {
    /// A spiral file with every class, and its data.
    static func spiralFile() throws -> (path: String, data: LabelledDataset, folder: String) {
        let folder = try makeTemporaryFolder()
        let path = folder + "/s.h5"
        let data = try SpiralSpecification(counts: [200, 40, 9], noise: 0.2, seed: 5).generate()
        try writeLabelledDataset(data, to: path)
        return (path, data, folder)
    }

    static func gather(_ source: LabelledSource, _ rows: [Int]) throws -> [Float] {
        var out = [Float](repeating: .nan, count: rows.count * source.dimension)
        try rows.withUnsafeBufferPointer { rows in
            try out.withUnsafeMutableBufferPointer { try source.gatherRows(rows, into: $0) }
        }
        return out
    }

    @Test func memoryAndStreamHoldTheSameRowsAndLabels() throws {
        let (path, data, folder) = try Self.spiralFile()
        defer { removeTemporaryFolder(folder) }
        let memory = try openLabelledFile(path: path)
        let streamed = try openLabelledFile(path: path, reading: .stream(chunkCacheBudget: 1 << 20))
        #expect(memory.isInMemory && !streamed.isInMemory)
        #expect(memory.origin == DataOrigin(file: path, features: "/features", labels: "/labels"))
        for source in [memory, streamed] {
            #expect(source.labels == data.classLabels)
            #expect(source.dimension == 2 && source.rowCount == data.count)
            #expect(try source.materialize() == data)
            let rows = [248, 0, 17, 17, 201]
            #expect(try Self.gather(source, rows) == rows.flatMap { Array(data.row($0)) })
        }
    }

    /// The in-memory gather reads rows a few indices ahead of the one it copies: every row of a
    /// long list (past that distance, and shorter than it) lands in its place, repeats included.
    @Test func inMemoryGatherPlacesEveryRowOfLongAndShortLists() throws {
        for dimension in [1, 3, 64, 100] {
            let n = 500
            var rng = Xoshiro256StarStar(seed: UInt64(dimension))
            let features = (0..<(n * dimension)).map { _ in rng.nextUnitFloat() }
            let data = try LabelledDataset(features: features, dimension: dimension, labels: [Int32](repeating: 0, count: n))
            let source = LabelledSource(data)
            let long = (0..<300).map { _ in Int(rng.next() % UInt64(n)) } + [7, 7, 0, n - 1]
            for rows in [long, [n - 1, 2], [5], []] {
                #expect(try Self.gather(source, rows) == rows.flatMap { Array(data.row($0)) }, "D = \(dimension), \(rows.count) rows")
            }
        }
    }

    @Test func splitsAndSubsetsAreTheSameInMemoryAndStreamed() throws {
        let (path, data, folder) = try Self.spiralFile()
        defer { removeTemporaryFolder(folder) }
        let expected = try data.stratifiedSplit(testFraction: 0.25, seed: 7)
        for reading in [FeatureReading.memory, .stream()] {
            let parts = try openLabelledFile(path: path, reading: reading).stratifiedSplit(testFraction: 0.25, seed: 7)
            #expect(try parts.training.materialize() == expected.training, "\(reading)")
            #expect(try parts.test.materialize() == expected.test, "\(reading)")
            #expect(parts.training.labels.counts == expected.training.classCounts)
            // A subset of a part is rows of the part, mapped to the file's rows once.
            let picked = try parts.test.subset([3, 0, 3])
            #expect(try picked.materialize() == (try expected.test.subset([3, 0, 3])), "\(reading)")
            #expect(throws: DatasetError.invalidShape("row \(parts.test.rowCount) is out of range; expected 0..<\(parts.test.rowCount)")) {
                try parts.test.subset([parts.test.rowCount])
            }
            #expect(throws: DatasetError.self) { try Self.gather(picked, [3]) }
        }
    }

    @Test func classCountsWidenWithoutACheckAndNarrowWithOne() throws {
        let source = LabelledSource(try LabelledDataset(features: [0, 1, 2], dimension: 1, labels: [0, 2, 1]))
        #expect(try source.withClassCount(5).labels.counts == [1, 1, 1, 0, 0])
        #expect(throws: DatasetError.labelOutOfRange(row: 1, label: 2, classCount: 2)) { try source.withClassCount(2) }
    }

    @Test func streamedRowsAreCheckedForNaNAsTheyAreRead() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let bad = try HDF5Fixtures.expected().bad.nonfinite
        let origin = DataOrigin(file: path, features: "/features_nonfinite", labels: "/labels")
        // Streamed, the file opens (its labels are fine); reading the rows finds the values.
        let streamed = try openLabelledFile(path: path, featuresPath: "/features_nonfinite", reading: .stream())
        expectError(DatasetError.nonFinite(count: bad.count, firstRow: bad.firstRow, origin: origin),
                    mentioning: [path, "'/features_nonfinite'", "row \(bad.firstRow)"]) {
            try streamed.materialize()
        }
        // The same error as loading it into memory.
        expectError(DatasetError.nonFinite(count: bad.count, firstRow: bad.firstRow, origin: origin)) {
            try openLabelledFile(path: path, featuresPath: "/features_nonfinite")
        }
        let allowed = try openLabelledFile(path: path, featuresPath: "/features_nonfinite", allowNonfinite: true, reading: .stream())
        #expect(try allowed.materialize().features.filter { !$0.isFinite }.count == bad.count)
    }

    @Test func theFileIsOpenedOnceAndItsLabelsCheckedOnce() throws {
        let (path, _, folder) = try Self.spiralFile()
        defer { removeTemporaryFolder(folder) }
        // Other tests run in parallel in this process, so the counts are compared with a
        // lower bound here; `DataAccessTests` counts a whole datatool process exactly.
        let before = DataAccessCounts.shared.snapshot
        let source = try openLabelledFile(path: path, reading: .stream())
        let after = DataAccessCounts.shared.snapshot
        #expect(after.fileOpens - before.fileOpens >= 1)
        #expect(after.labelValidations - before.labelValidations >= 1)
        #expect(source.rowCount == 249)
    }
}
