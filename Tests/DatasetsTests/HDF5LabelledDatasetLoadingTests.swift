import Foundation
import Testing
@testable import Datasets

/// `loadLabelledDataset` and `loadLabels`: the checks a trainer relies on.
@Suite struct HDF5LabelledDatasetLoadingTests {
    @Test func canonicalFileLoads() throws {
        let expected = try HDF5Fixtures.expected()
        let features = try expected.features("labelled.h5", "/features")
        let labels = try expected.labels("labelled.h5", "/labels")
        let data = try loadLabelledDataset(path: try HDF5Fixtures.path("labelled.h5"))
        #expect(data.count == features.shape[0])
        #expect(data.dimension == features.shape[1])
        expectClose(data.features, features.values, "labelled.h5 features")
        #expect(data.labels.map(Int64.init) == labels.values)
        #expect(data.classCount == Int(labels.values.max() ?? -1) + 1)
    }

    @Test func everyIntegerLabelTypeLoads() throws {
        let expected = try HDF5Fixtures.expected()
        let path = try HDF5Fixtures.path("integer_labels.h5")
        let features = try expected.features("integer_labels.h5", "/features")
        for entry in expected.labels where entry.file == "integer_labels.h5" && entry.dataset.hasPrefix("/small/") {
            let data = try loadLabelledDataset(path: path, labelsPath: entry.dataset)
            #expect(data.labels.map(Int64.init) == entry.values, "\(entry.dataset) (\(entry.type))")
            expectClose(data.features, features.values, entry.dataset)
            let only = try loadLabels(path: path, labelsPath: entry.dataset)
            #expect(only.values == data.labels)
            #expect(only.classCount == data.classCount)
        }
    }

    @Test func nestedPathsAndRankOneFeaturesLoad() throws {
        let expected = try HDF5Fixtures.expected()
        let nested = try loadLabelledDataset(
            path: try HDF5Fixtures.path("layouts.h5"), featuresPath: "data/train/x", labelsPath: "/data/train/y")
        expectClose(nested.features, try expected.features("layouts.h5", "/data/train/x").values, "/data/train/x")
        #expect(nested.labels.map(Int64.init) == (try expected.labels("layouts.h5", "/data/train/y")).values)
        let rankOne = try loadLabelledDataset(path: try HDF5Fixtures.path("features.h5"), featuresPath: "/rank1")
        #expect(rankOne.dimension == 1)
        expectClose(rankOne.features, try expected.features("features.h5", "/rank1").values, "/rank1")
    }

    @Test func givenClassCountIsKeptAndChecked() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let labels = try HDF5Fixtures.expected().labels("bad.h5", "/labels").values
        let maximum = try #require(labels.max())
        let wide = try loadLabelledDataset(path: path, classCount: Int(maximum) + 3)
        #expect(wide.classCount == Int(maximum) + 3)
        let row = try #require(labels.firstIndex(of: maximum))
        let origin = DataOrigin(file: path, features: "/features", labels: "/labels")
        expectError(
            DatasetError.labelOutOfRange(row: row, label: maximum, classCount: Int(maximum), origin: origin),
            mentioning: [path, "'/labels'", "row \(row)", "0..<\(maximum)"]
        ) { try loadLabelledDataset(path: path, classCount: Int(maximum)) }
        expectError(DatasetError.labelOutOfRange(
            row: row, label: maximum, classCount: Int(maximum), origin: DataOrigin(file: path, labels: "/labels"))) {
            try loadLabels(path: path, classCount: Int(maximum))
        }
        expectError(DatasetError.invalidParameter("the number of classes must be at least 1, got 0"), mentioning: ["at least 1"]) {
            try loadLabels(path: path, classCount: 0)
        }
    }

    @Test func rowCountMismatchIsRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        expectError(
            DatasetError.lengthMismatch(
                features: 5, labels: 4, origin: DataOrigin(file: path, features: "/features", labels: "/labels_short")),
            mentioning: [path, "'/features' has 5 rows but '/labels_short' has 4"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_short") }
    }

    @Test func negativeAndHugeLabelsAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let bad = try HDF5Fixtures.expected().bad
        expectError(
            DatasetError.negativeLabel(
                row: bad.negative.row, label: bad.negative.label,
                origin: DataOrigin(file: path, features: "/features", labels: "/labels_negative")),
            mentioning: [path, "label \(bad.negative.label) at row \(bad.negative.row)", "≥ 0"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_negative") }
        expectError(DatasetError.negativeLabel(
            row: bad.negative.row, label: bad.negative.label, origin: DataOrigin(file: path, labels: "/labels_negative"))) {
            try loadLabels(path: path, labelsPath: "labels_negative")
        }
        expectError(
            DatasetError.labelBeyondInt32(
                row: bad.huge.row, label: bad.huge.label,
                origin: DataOrigin(file: path, features: "/features", labels: "/labels_huge")),
            mentioning: ["label \(bad.huge.label) at row \(bad.huge.row)", "Int32"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_huge") }
    }

    @Test func nonFiniteFeaturesAreRefusedUnlessAllowed() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let bad = try HDF5Fixtures.expected().bad.nonfinite
        expectError(
            DatasetError.nonFinite(
                count: bad.count, firstRow: bad.firstRow,
                origin: DataOrigin(file: path, features: "/features_nonfinite", labels: "/labels")),
            mentioning: [path, "'/features_nonfinite'", "\(bad.count) NaN or infinite values", "row \(bad.firstRow)"]
        ) { try loadLabelledDataset(path: path, featuresPath: "/features_nonfinite") }
        let allowed = try loadLabelledDataset(path: path, featuresPath: "/features_nonfinite", allowNonfinite: true)
        #expect(allowed.features.filter { !$0.isFinite }.count == bad.count)
    }

    /// The two readers of a labelled file's labels: the one that keeps them and the counter.
    enum LabelReader: CaseIterable {
        case loadLabelledDataset, labelledFileClassCounts

        func read(_ path: String, _ features: String, _ labels: String) throws {
            switch self {
            case .loadLabelledDataset: _ = try Datasets.loadLabelledDataset(path: path, featuresPath: features, labelsPath: labels)
            case .labelledFileClassCounts: _ = try Datasets.labelledFileClassCounts(path: path, featuresPath: features, labelsPath: labels)
            }
        }
    }

    @Test(arguments: LabelReader.allCases)
    func badDatasetsSurfaceThroughTheLoader(reader: LabelReader) throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let read = reader.read
        expectHDF5Error(
            .wrongType(file: path, dataset: "/float_labels", found: "float64 LE", expected: "labels must be integers")
        ) { try read(path, "/features", "/float_labels") }
        expectHDF5Error({ try read(path, "/rank3", "/labels") }) { error in
            if case .wrongRank(_, "/rank3", [2, 2, 2], _) = error { return true }
            return false
        }
        expectHDF5Error(.noSuchFile(file: path + ".missing")) { try loadLabels(path: path + ".missing") }
        expectHDF5Error(.noSuchFile(file: path + ".missing")) { try read(path + ".missing", "/features", "/labels") }
    }

    @Test("labelledFileClassCounts gives the opened file's counts and refuses what opening refuses")
    func classCountsWithoutKeepingTheLabels() throws {
        let expected = try HDF5Fixtures.expected()
        let integer = try HDF5Fixtures.path("integer_labels.h5")
        var compared = 0
        for entry in expected.labels where entry.file == "integer_labels.h5" && entry.dataset.hasPrefix("/small/") {
            let opened = try openLabelledFile(path: integer, labelsPath: entry.dataset, reading: .stream())
            #expect(try labelledFileClassCounts(path: integer, labelsPath: entry.dataset) == opened.labels.counts, "\(entry.dataset)")
            compared += 1
        }
        #expect(compared > 0, "the fixture lists no /small/ label datasets")
        let nested = try HDF5Fixtures.path("layouts.h5")
        #expect(try labelledFileClassCounts(path: nested, featuresPath: "data/train/x", labelsPath: "/data/train/y")
                == (try openLabelledFile(path: nested, featuresPath: "data/train/x", labelsPath: "/data/train/y").labels.counts))
        // Several blocks of 2¹⁶ labels, and a K above the largest label (empty classes at the end).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("counts-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try writeLabelledDataset(try SpiralSpecification(counts: [70_000, 500, 3], noise: 0.1, seed: 3).generate(), to: file)
        #expect(try labelledFileClassCounts(path: file) == [70_000, 500, 3])
        #expect(try labelledFileClassCounts(path: file, classCount: 5) == [70_000, 500, 3, 0, 0])

        let bad = try HDF5Fixtures.path("bad.h5")
        let labels = try expected.labels("bad.h5", "/labels").values
        let maximum = try #require(labels.max())
        let row = try #require(labels.firstIndex(of: maximum))
        let origin = DataOrigin(file: bad, features: "/features", labels: "/labels")
        expectError(DatasetError.labelOutOfRange(row: row, label: maximum, classCount: Int(maximum), origin: origin)) {
            try labelledFileClassCounts(path: bad, classCount: Int(maximum))
        }
        expectError(DatasetError.lengthMismatch(
            features: 5, labels: 4, origin: DataOrigin(file: bad, features: "/features", labels: "/labels_short"))) {
            try labelledFileClassCounts(path: bad, labelsPath: "/labels_short")
        }
        let negative = expected.bad.negative
        expectError(DatasetError.negativeLabel(
            row: negative.row, label: negative.label,
            origin: DataOrigin(file: bad, features: "/features", labels: "/labels_negative"))) {
            try labelledFileClassCounts(path: bad, labelsPath: "/labels_negative")
        }
        // Wrong types and ranks: badDatasetsSurfaceThroughTheLoader(reader:).
    }
}
