import Datasets
import Foundation
import Testing
import TestSupport

@Suite struct HDF5RowWriterTests {
    static func folder() throws -> String {
        try TemporaryFolder("rowwriter").url.path
    }

    static let datasets = [
        HDF5RowDataset(name: "ids", columns: nil, element: .int64),
        HDF5RowDataset(name: "values", columns: 3, element: .float32),
    ]

    /// Files in `folder`, temporaries included.
    static func contents(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test("blocks written in order read back as one dataset each, with the attributes", arguments: [1, 7, 10_000])
    func blocksReadBack(block: Int) throws {
        let dir = try Self.folder(), path = dir + "/rows.h5"
        let n = 25_000
        let ids = (0..<n).map { Int64($0 * 3 - 7) }
        let values = (0..<(n * 3)).map { Float($0) * 0.25 - 11 }
        let writer = try HDF5RowWriter(path: path, rowCount: n, datasets: Self.datasets, attributes: ["tau": .double(-1)])
        var start = 0
        while start < n {
            let rows = start..<min(n, start + block)
            try ids[rows].withUnsafeBufferPointer { try writer.write($0, to: "ids", rows: rows) }
            try values[(rows.lowerBound * 3)..<(rows.upperBound * 3)].withUnsafeBufferPointer { try writer.write($0, to: "values", rows: rows) }
            start = rows.upperBound
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing at the target before commit")
        try writer.commit()
        let file = try HDF5File(path: path)
        #expect(try file.readLabels(at: "/ids") == ids)
        let dataset = try HDF5FeatureDataset(file: file, datasetPath: "/values")
        #expect(dataset.dimension == 3 && dataset.rowCount == n)
        #expect(try dataset.readAll() == values)
        #expect(try file.rootAttributes().first { $0.name == "tau" }?.value == .double(-1))
        #expect(try Self.contents(dir) == ["rows.h5"], "no temporary is left")
    }

    @Test("rows out of order, wrong types or sizes, unknown names and unfinished datasets are refused; nothing is left behind")
    func refusals() throws {
        let dir = try Self.folder(), path = dir + "/rows.h5"
        let writer = try HDF5RowWriter(path: path, rowCount: 4, datasets: Self.datasets)
        let twoIds: [Int64] = [1, 2], twoRows = [Float](repeating: 1, count: 6)
        #expect(throws: HDF5Error.self) { try twoIds.withUnsafeBufferPointer { try writer.write($0, to: "ids", rows: 1..<3) } }
        #expect(throws: HDF5Error.self) { try twoIds.withUnsafeBufferPointer { try writer.write($0, to: "nope", rows: 0..<2) } }
        #expect(throws: HDF5Error.self) { try twoRows.withUnsafeBufferPointer { try writer.write($0, to: "ids", rows: 0..<2) } }
        #expect(throws: HDF5Error.self) { try twoRows.withUnsafeBufferPointer { try writer.write($0, to: "values", rows: 0..<3) } }
        try twoIds.withUnsafeBufferPointer { try writer.write($0, to: "ids", rows: 0..<2) }
        let error = try #require(throws: HDF5Error.self) { try writer.commit() }
        #expect("\(error)".contains("'ids' has 2 of its 4 rows"), "\(error)")
        #expect(try Self.contents(dir).isEmpty, "an abandoned write leaves nothing")
        #expect(throws: HDF5Error.self) { try HDF5RowWriter(path: path, rowCount: 0, datasets: Self.datasets) }
        #expect(throws: HDF5Error.self) {
            try HDF5RowWriter(path: path, rowCount: 2, datasets: [HDF5RowDataset(name: "a/b", columns: nil, element: .int64)])
        }
    }

    @Test("an existing file is kept unless overwrite; a dropped writer leaves no temporary")
    func existingFileAndDroppedWriter() throws {
        let dir = try Self.folder(), path = dir + "/rows.h5"
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8))
        #expect(throws: FileSystemError.exists(path: path)) { try HDF5RowWriter(path: path, rowCount: 2, datasets: Self.datasets) }
        do {
            let writer = try HDF5RowWriter(path: path, rowCount: 2, datasets: Self.datasets, overwrite: true)
            try [Int64(5), 6].withUnsafeBufferPointer { try writer.write($0, to: "ids", rows: 0..<2) }
            #expect(try Self.contents(dir).count == 2, "the temporary sits beside the target while writing")
        }
        #expect(try Self.contents(dir) == ["rows.h5"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("keep me".utf8))
    }
}
