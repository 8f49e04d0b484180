import Foundation
import Testing
@testable import Datasets

/// `loadMultiLabels`: [N, K] 0/1 datasets of any integer type or bool, against h5py's reading
/// (`scripts/fixtures/make_multilabel_fixtures.py`).
@Suite struct MultiLabelLoadingTests {
    struct Expected: Decodable {
        let small: [[Int]]
        let labels: [[Int]]
        let bad_row: Int
        let bad_label: Int
    }

    static func expected() throws -> Expected {
        let url = URL(fileURLWithPath: try HDF5Fixtures.path("multilabel.json"))
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }

    static func rows(_ labels: MultiLabels) -> [[Int]] {
        (0..<labels.sampleCount).map { labels.labels(ofSample: $0).map(Int.init) }
    }

    @Test func everyIntegerTypeAndBoolReadAsH5pyDoes() throws {
        let expected = try Self.expected()
        let path = try HDF5Fixtures.path("multilabel.h5")
        for dataset in ["/small/uint8", "/small/int8", "/small/uint16be", "/small/int64", "/small/bool"] {
            let labels = try loadMultiLabels(path: path, labelsPath: dataset)
            #expect(labels.labelCount == 5, "\(dataset)")
            #expect(Self.rows(labels) == expected.small, "\(dataset)")
        }
        let big = try loadMultiLabels(path: path)
        #expect(Self.rows(big) == expected.labels)
        #expect(big.counts == (0..<8).map { l in expected.labels.filter { $0.contains(l) }.count })
    }

    @Test func aValueOtherThanZeroOrOneNamesFileDatasetRowAndValue() throws {
        let expected = try Self.expected()
        let path = try HDF5Fixtures.path("multilabel.h5")
        #expect(throws: DatasetError.nonBinaryLabel(
            row: expected.bad_row, column: expected.bad_label, value: 2,
            origin: DataOrigin(file: path, labels: "/value2"))) {
            try loadMultiLabels(path: path, labelsPath: "/value2")
        }
        let text = "\(DatasetError.nonBinaryLabel(row: 4, column: 2, value: 2, origin: DataOrigin(file: path, labels: "/value2")))"
        #expect(text.contains("multilabel.h5") && text.contains("'/value2'") && text.contains("row 4") && text.contains("value 2"))
    }

    @Test func rankOneAndFloatsAreRefused() throws {
        let path = try HDF5Fixtures.path("multilabel.h5")
        do {
            _ = try loadMultiLabels(path: path, labelsPath: "/rank1")
            Issue.record("rank 1 was accepted")
        } catch let error as HDF5Error {
            #expect("\(error)".contains("/rank1") && "\(error)".contains("[N, K]"), "\(error)")
        }
        do {
            _ = try loadMultiLabels(path: path, labelsPath: "/float")
            Issue.record("floats were accepted")
        } catch let error as HDF5Error {
            #expect("\(error)".contains("/float") && "\(error)".contains("integers or bool"), "\(error)")
        }
    }

    @Test func rowsInitialiserSortsDeduplicatesAndChecksRange() throws {
        let labels = try MultiLabels(rows: [[2, 0, 2], [], [1]], labelCount: 3)
        #expect(Self.rows(labels) == [[0, 2], [], [1]])
        #expect(labels.counts == [1, 1, 1] && labels.membershipCount == 3)
        #expect(throws: DatasetError.labelOutOfRange(row: 1, label: 3, classCount: 3)) {
            try MultiLabels(rows: [[0], [3]], labelCount: 3)
        }
    }
}
