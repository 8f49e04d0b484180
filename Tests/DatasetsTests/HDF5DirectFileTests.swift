import Foundation
import Testing
@testable import Datasets

/// Reading a file's bytes beside libhdf5: the same bytes, checked bounds, truncation.
@Suite struct HDF5DirectFileTests {
    @Test func readsTheFilesBytesAndRefusesBytesPastItsEnd() throws {
        let path = try HDF5Fixtures.path("fastpath.h5")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let file = try HDF5File(path: path)
        let direct = try #require(HDF5Library.run { HDF5DirectFile(file: file) })
        #expect(direct.size == bytes.count)
        var buffer = [UInt8](repeating: 0, count: 100)
        try buffer.withUnsafeMutableBytes { try direct.read(into: $0.baseAddress!, count: 100, at: 1000, dataset: "/x", what: "test bytes") }
        #expect(buffer == Array(bytes[1000..<1100]))
        for (offset, count) in [(bytes.count - 50, 100), (-1, 10), (bytes.count + 1, 0), (Int.max - 5, 10)] {
            expectHDF5Error({
                try buffer.withUnsafeMutableBytes { try direct.read(into: $0.baseAddress!, count: count, at: offset, dataset: "/x", what: "test bytes") }
            }) { error in
                guard case .damagedData(let file, let dataset, let detail) = error else { return false }
                return file == path && dataset == "/x" && detail.contains("test bytes") && detail.contains("past the end of the file")
            }
        }
    }

    @Test func aFileTruncatedAfterOpeningIsReported() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/copy.h5"
        try FileManager.default.copyItem(atPath: try HDF5Fixtures.path("fastpath.h5"), toPath: path)
        let file = try HDF5File(path: path)
        let direct = try #require(HDF5Library.run { HDF5DirectFile(file: file) })
        #expect(truncate(path, 5000) == 0)
        var buffer = [UInt8](repeating: 0, count: 100)
        expectHDF5Error({
            try buffer.withUnsafeMutableBytes { try direct.read(into: $0.baseAddress!, count: 100, at: 4950, dataset: "/x", what: "test bytes") }
        }) { error in
            guard case .damagedData(_, _, let detail) = error else { return false }
            return detail.contains("ends at byte 5000") && detail.contains("truncated")
        }
    }
}
