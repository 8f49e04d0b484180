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
            #expect(only.labels == data.labels)
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
        expectHDF5Error(
            .labelOutOfRange(file: path, dataset: "/labels", row: row, label: maximum, classCount: Int(maximum)),
            mentioning: [path, "'/labels'", "row \(row)", "0..<\(maximum)"]
        ) { try loadLabelledDataset(path: path, classCount: Int(maximum)) }
        expectHDF5Error(.labelOutOfRange(file: path, dataset: "/labels", row: row, label: maximum, classCount: Int(maximum))) {
            try loadLabels(path: path, classCount: Int(maximum))
        }
        expectHDF5Error({ try loadLabels(path: path, classCount: 0) }) { error in
            if case .invalidArgument(let message) = error { return message.contains("at least 1") }
            return false
        }
    }

    @Test func rowCountMismatchIsRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        expectHDF5Error(
            .rowCountMismatch(file: path, features: "/features", featureRows: 5, labels: "/labels_short", labelRows: 4),
            mentioning: [path, "'/features' has 5 rows but '/labels_short' has 4"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_short") }
    }

    @Test func negativeAndHugeLabelsAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let bad = try HDF5Fixtures.expected().bad
        expectHDF5Error(
            .negativeLabel(file: path, dataset: "/labels_negative", row: bad.negative.row, label: bad.negative.label),
            mentioning: [path, "label \(bad.negative.label) at row \(bad.negative.row)", "≥ 0"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_negative") }
        expectHDF5Error(.negativeLabel(file: path, dataset: "/labels_negative", row: bad.negative.row, label: bad.negative.label)) {
            try loadLabels(path: path, labelsPath: "labels_negative")
        }
        expectHDF5Error(
            .labelBeyondInt32(file: path, dataset: "/labels_huge", row: bad.huge.row, label: bad.huge.label),
            mentioning: ["label \(bad.huge.label) at row \(bad.huge.row)", "Int32"]
        ) { try loadLabelledDataset(path: path, labelsPath: "/labels_huge") }
    }

    @Test func nonFiniteFeaturesAreRefusedUnlessAllowed() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let bad = try HDF5Fixtures.expected().bad.nonfinite
        expectHDF5Error(
            .nonFinite(file: path, dataset: "/features_nonfinite", count: bad.count, firstRow: bad.firstRow),
            mentioning: [path, "'/features_nonfinite'", "\(bad.count) NaN or infinite values", "row \(bad.firstRow)"]
        ) { try loadLabelledDataset(path: path, featuresPath: "/features_nonfinite") }
        let allowed = try loadLabelledDataset(path: path, featuresPath: "/features_nonfinite", allowNonfinite: true)
        #expect(allowed.features.filter { !$0.isFinite }.count == bad.count)
    }

    @Test func badDatasetsSurfaceThroughTheLoader() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        expectHDF5Error(
            .wrongType(file: path, dataset: "/float_labels", found: "float64 LE", expected: "labels must be integers")
        ) { try loadLabelledDataset(path: path, labelsPath: "/float_labels") }
        expectHDF5Error({ try loadLabelledDataset(path: path, featuresPath: "/rank3") }) { error in
            if case .wrongRank(_, "/rank3", [2, 2, 2], _) = error { return true }
            return false
        }
        expectHDF5Error(.noSuchFile(file: path + ".missing")) { try loadLabels(path: path + ".missing") }
    }
}
