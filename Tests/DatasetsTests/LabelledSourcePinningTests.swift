import Foundation
import Testing
@testable import Datasets

/// `LabelledSource.pinningClasses(budgetBytes:)` and `rowBlocks()`: whole classes held in
/// memory and never read from the file again; the chunk band of every row.
@Suite struct LabelledSourcePinningTests {
    /// 2,000 rows × 64 (chunks of 256 rows: 8 bands), classes 1,700 / 250 / 50 interleaved.
    static func file() throws -> (path: String, data: LabelledDataset, folder: String) {
        let folder = try makeTemporaryFolder()
        let path = folder + "/pin.h5"
        var rng = Xoshiro256StarStar(seed: 4)
        var labels = [Int32](repeating: 0, count: 1_700) + [Int32](repeating: 1, count: 250) + [Int32](repeating: 2, count: 50)
        labels.fisherYatesShuffle(using: &rng)
        let features = (0..<(labels.count * 64)).map { _ in Float(rng.nextUniform(-1, 1)) }
        let data = try LabelledDataset(features: features, dimension: 64, labels: labels, classCount: 3)
        try writeLabelledDataset(data, to: path)
        return (path, data, folder)
    }

    static func dataset(_ source: LabelledSource) throws -> HDF5FeatureDataset {
        guard case .file(let dataset, _) = source.storage else { throw DatasetError.invalidParameter("not streamed") }
        return dataset
    }

    @Test func theSmallestClassesThatFitArePinnedAndNeverReadAgain() throws {
        let (path, data, folder) = try Self.file()
        defer { removeTemporaryFolder(folder) }
        let streamed = try openLabelledFile(path: path, reading: .stream())
        let rowBytes = 64 * 4
        #expect(try streamed.pinningClasses(budgetBytes: 300 * rowBytes).pinnedClasses == [1, 2])
        #expect(try streamed.pinningClasses(budgetBytes: 300 * rowBytes - 1).pinnedClasses == [2])
        #expect(try streamed.pinningClasses(budgetBytes: 49 * rowBytes).pinnedClasses == [])
        let pinned = try streamed.pinningClasses(budgetBytes: 300 * rowBytes)
        #expect(pinned.pinnedBytes == 300 * rowBytes)
        let file = try Self.dataset(pinned)
        let rare = data.labels.indices.filter { data.labels[$0] != 0 }
        let head = data.labels.indices.filter { data.labels[$0] == 0 }
        let before = file.rowsRead
        let rareRows = Array(rare.reversed()) + [rare[0], rare[0]]
        #expect(try LabelledSourceTests.gather(pinned, rareRows) == rareRows.flatMap { Array(data.row($0)) })
        #expect(file.rowsRead == before, "pinned rows were read from the file again")
        let mixed = [head[5], rare[3], head[0], rare[7], head[5]]
        #expect(try LabelledSourceTests.gather(pinned, mixed) == mixed.flatMap { Array(data.row($0)) })
        #expect(file.rowsRead == before + 3, "only the 3 unpinned rows are read")
        // A part of a pinned source keeps the pins: its rows map to the same base rows.
        let part = try pinned.stratifiedSplit(testFraction: 0.5, seed: 1).training
        #expect(try part.materialize() == (try data.stratifiedSplit(testFraction: 0.5, seed: 1).training))
    }

    @Test func inMemoryRowsAndBadBudgets() throws {
        let (path, _, folder) = try Self.file()
        defer { removeTemporaryFolder(folder) }
        let memory = try openLabelledFile(path: path)
        #expect(try memory.pinningClasses(budgetBytes: 1 << 30).pinnedClasses == [])
        #expect(throws: DatasetError.invalidParameter("the pinning budget must be 0 or more bytes, got -1")) {
            try openLabelledFile(path: path, reading: .stream()).pinningClasses(budgetBytes: -1)
        }
    }

    @Test func rowBlocksFollowTheChunkBands() throws {
        let (path, _, folder) = try Self.file()
        defer { removeTemporaryFolder(folder) }
        #expect(try openLabelledFile(path: path).rowBlocks() == nil)
        let streamed = try openLabelledFile(path: path, reading: .stream())
        let blocks = try #require(try streamed.rowBlocks())
        #expect(blocks.rowsPerBlock == 256 && blocks.blockCount == 8 && blocks.rowCount == 2_000)
        let rows = try stratifiedSplitRows(streamed.labels, testFraction: 0.3, seed: 2).test
        let part = try #require(try streamed.subset(rows).rowBlocks())
        #expect(part.rowsPerBlock == nil && part.blockCount == 8)
        #expect((0..<rows.count).map { part.block(ofRow: $0) } == rows.map { $0 / 256 })
    }
}
