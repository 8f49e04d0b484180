import Foundation
import Testing
import TestSupport
import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HDF5 fixtures (`Fixtures/hdf5`, written by `scripts/fixtures/make_hdf5_fixtures.py`)
/// and the numbers h5py read back from them (`expected.json`).
enum HDF5Fixtures {
    /// The path of fixture `name`.
    static func path(_ name: String) throws -> String {
        try fixtures.path("hdf5/\(name)")
    }

    /// `expected.json`, decoded once.
    static func expected() throws -> HDF5Expected {
        try fixtures.decode(HDF5Expected.self, from: "hdf5/expected.json")
    }
}

/// The shape of `expected.json`.
struct HDF5Expected: Decodable {
    struct Features: Decodable {
        let file: String
        let dataset: String
        let shape: [Int]
        let type: String
        let values: [Double]
    }

    struct Labels: Decodable {
        let file: String
        let dataset: String
        let count: Int
        let type: String
        let values: [Int64]
    }

    struct Filter: Decodable {
        let id: Int
        let values: [UInt32]
    }

    struct Object: Decodable {
        let file: String
        let path: String
        let kind: String
        let shape: [Int]?
        let layout: String?
        let chunks: [Int]?
        let filters: [Filter]?
    }

    struct RowLabel: Decodable {
        let row: Int
        let label: Int64
    }

    struct NonFinite: Decodable {
        let count: Int
        let firstRow: Int
    }

    struct Bad: Decodable {
        let nonfinite: NonFinite
        let negative: RowLabel
        let huge: RowLabel
        let lzfFilterID: Int
        let lzf: [Double]
    }

    /// An attribute value as h5py read it: integers, floats, strings and arrays of them.
    struct Attribute: Decodable {
        let value: HDF5AttributeValue

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let int = try? container.decode(Int.self) {
                value = .int(int)
            } else if let double = try? container.decode(Double.self) {
                value = .double(double)
            } else if let string = try? container.decode(String.self) {
                value = .string(string)
            } else if let ints = try? container.decode([Int].self) {
                value = .intArray(ints)
            } else {
                value = .doubleArray(try container.decode([Double].self))
            }
        }
    }

    struct BigChunks: Decodable {
        let shape: [Int]
        let chunks: [Int]
        let sum: Double
    }

    let bigChunks: BigChunks
    let features: [Features]
    let labels: [Labels]
    let objects: [Object]
    let attributes: [String: [String: Attribute]]
    let bad: Bad

    func features(_ file: String, _ dataset: String) throws -> Features {
        try #require(features.first { $0.file == file && $0.dataset == dataset }, "no expected features \(file):\(dataset)")
    }

    func labels(_ file: String, _ dataset: String) throws -> Labels {
        try #require(labels.first { $0.file == file && $0.dataset == dataset }, "no expected labels \(file):\(dataset)")
    }
}

/// |a − b| ≤ absolute + relative·max(|a|, |b|).
func isClose(_ a: Double, _ b: Double, relative: Double = 1e-6, absolute: Double = 1e-6) -> Bool {
    abs(a - b) <= absolute + relative * max(abs(a), abs(b))
}

/// Expects `actual` to match `expected` element by element within tolerance, naming the first
/// index that differs.
func expectClose(
    _ actual: [Float], _ expected: [Double], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    if let index = actual.indices.first(where: { $0 < expected.count && !isClose(Double(actual[$0]), expected[$0]) }) {
        Issue.record("\(what): value \(index) is \(actual[index]), expected \(expected[index])", sourceLocation: sourceLocation)
    }
}

/// Runs `body`, expecting it to throw an ``HDF5Error`` matching `expected` whose description
/// contains every fragment.
func expectHDF5Error<T>(
    _ expected: HDF5Error, mentioning fragments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    expectError(expected, mentioning: fragments, sourceLocation: sourceLocation, body)
}

/// Runs `body`, expecting exactly `expected` (a ``DatasetError``, a ``FileSystemError``, …)
/// whose description mentions every fragment.
func expectError<T, E: Error & Equatable & CustomStringConvertible>(
    _ expected: E, mentioning fragments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    do {
        _ = try body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\"\(error)\" should mention \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected \(E.self) \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Runs `body`, expecting an ``HDF5Error`` for which `matches` holds, and returns it.
@discardableResult
func expectHDF5Error<T>(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T,
    where matches: (HDF5Error) -> Bool
) -> HDF5Error? {
    do {
        _ = try body()
        Issue.record("expected an HDF5Error, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HDF5Error {
        #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected an HDF5Error, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A fresh empty temporary folder; removed by the caller with `removeTemporaryFolder`.
func makeTemporaryFolder() throws -> String {
    try TemporaryFolder("hdf5-tests").url.path
}

func removeTemporaryFolder(_ path: String) {
    _ = chmod(path, 0o755)
    try? FileManager.default.removeItem(atPath: path)
}

/// Whether this process ignores file permissions (root does).
var ignoresFilePermissions: Bool { geteuid() == 0 }
