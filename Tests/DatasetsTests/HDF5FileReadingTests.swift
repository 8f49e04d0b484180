import Foundation
import Testing
@testable import Datasets

/// Reading features and labels: every type and layout h5py wrote, row ranges and row lists, and
/// every dataset that must be refused.
@Suite struct HDF5FileReadingTests {
    // MARK: - Features

    @Test func everyFeatureFixtureReadsAsH5pyConvertedIt() throws {
        let expected = try HDF5Fixtures.expected()
        #expect(expected.features.count >= 15)
        for entry in expected.features {
            let file = try HDF5File(path: try HDF5Fixtures.path(entry.file))
            let what = "\(entry.file):\(entry.dataset) (\(entry.type))"
            let matrix = try file.readFeatures(at: entry.dataset)
            #expect(matrix.rowCount == entry.shape[0], "\(what)")
            #expect(matrix.dimension == (entry.shape.count == 2 ? entry.shape[1] : 1), "\(what)")
            expectClose(matrix.values, entry.values, what)
            let shape = try file.featureShape(at: entry.dataset)
            #expect(shape.rowCount == matrix.rowCount && shape.dimension == matrix.dimension, "\(what)")
        }
    }

    @Test func rowRangesAndRowListsMatchTheFullRead() throws {
        let expected = try HDF5Fixtures.expected()
        for entry in expected.features {
            let file = try HDF5File(path: try HDF5Fixtures.path(entry.file))
            let full = try file.readFeatures(at: entry.dataset)
            let n = full.rowCount
            let d = full.dimension
            for range in [0..<n, 0..<1, (n - 1)..<n, (n / 3)..<(2 * n / 3 + 1), 2..<2] {
                let part = try file.readFeatures(at: entry.dataset, rows: range)
                #expect(part.rowCount == range.count)
                #expect(part.values == Array(full.values[(range.lowerBound * d)..<(range.upperBound * d)]),
                        "\(entry.file):\(entry.dataset) rows \(range)")
            }
            // Row lists come back in the requested order, repeats included.
            let rows = [n - 1, 0, 2, 2, 1, n - 1, n / 2, 3, 4].map { min($0, n - 1) }
            let part = try file.readFeatures(at: entry.dataset, rowList: rows)
            #expect(part.rowCount == rows.count)
            #expect(part.values == rows.flatMap { Array(full.row($0)) }, "\(entry.file):\(entry.dataset) rows \(rows)")
        }
    }

    @Test func rowsOutsideTheDatasetAreRefused() throws {
        let path = try HDF5Fixtures.path("labelled.h5")
        let file = try HDF5File(path: path)
        let n = try HDF5Fixtures.expected().features("labelled.h5", "/features").shape[0]
        expectHDF5Error(.rowOutOfRange(file: path, dataset: "/features", row: n, rowCount: n),
                        mentioning: [path, "row \(n) of '/features'", "0..<\(n)"]) {
            try file.readFeatures(at: "/features", rows: (n - 2)..<(n + 1))
        }
        expectHDF5Error(.rowOutOfRange(file: path, dataset: "/features", row: -1, rowCount: n)) {
            try file.readFeatures(at: "/features", rowList: [0, -1])
        }
        expectHDF5Error(.rowOutOfRange(file: path, dataset: "/labels", row: n, rowCount: n)) {
            try file.readLabels(at: "/labels", rows: 0..<(n + 1))
        }
    }

    // MARK: - Labels

    @Test func labelsOfEveryIntegerTypeReadAsInt64() throws {
        let expected = try HDF5Fixtures.expected()
        let raw = expected.labels.filter { $0.dataset.hasPrefix("/raw/") }
        #expect(raw.count == 14, "int8…int64 and uint8…uint64, both byte orders for wider types")
        for entry in expected.labels {
            let file = try HDF5File(path: try HDF5Fixtures.path(entry.file))
            let labels = try file.readLabels(at: entry.dataset)
            #expect(labels == entry.values, "\(entry.file):\(entry.dataset) (\(entry.type))")
            #expect(try file.labelCount(at: entry.dataset) == entry.count)
            let part = try file.readLabels(at: entry.dataset, rows: 1..<(entry.count - 1))
            #expect(part == Array(entry.values[1..<(entry.count - 1)]))
        }
    }

    // MARK: - Datasets that must be refused

    @Test func missingAndMisplacedDatasetsAreNamed() throws {
        let path = try HDF5Fixtures.path("labelled.h5")
        let file = try HDF5File(path: path)
        let datasets = ["/features", "/labels"]
        expectHDF5Error(.noSuchDataset(file: path, path: "/feats", datasets: datasets),
                        mentioning: ["\(path): no dataset at '/feats'; the file has datasets /features, /labels"]) {
            try file.readFeatures(at: "/feats")
        }
        expectHDF5Error(.noSuchDataset(file: path, path: "/data/train/x", datasets: datasets)) {
            try file.readFeatures(at: "/data/train/x")
        }
        expectHDF5Error(.noSuchDataset(file: path, path: "/features/x", datasets: datasets)) {
            try file.readLabels(at: "/features/x")
        }
        let bad = try HDF5Fixtures.path("bad.h5")
        expectHDF5Error(.notADataset(file: bad, path: "/group", kind: "group"), mentioning: ["'/group' is a group, expected a dataset"]) {
            try HDF5File(path: bad).readFeatures(at: "/group")
        }
        expectHDF5Error(.notADataset(file: path, path: "/", kind: "group")) { try file.readFeatures(at: "/") }
    }

    @Test func featuresOfWrongRankAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let file = try HDF5File(path: path)
        let expected = "features must be two-dimensional [N, D] or one-dimensional [N]"
        expectHDF5Error(.wrongRank(file: path, dataset: "/rank3", shape: [2, 2, 2], expected: expected),
                        mentioning: [path, "'/rank3' has shape [2, 2, 2]", expected]) {
            try file.readFeatures(at: "/rank3")
        }
        expectHDF5Error(.wrongRank(file: path, dataset: "/scalar", shape: [], expected: expected)) {
            try file.readFeatures(at: "/scalar")
        }
        expectHDF5Error(.wrongRank(file: path, dataset: "/rank3", shape: [2, 2, 2], expected: expected)) {
            try HDF5FeatureDataset(file: file, datasetPath: "/rank3")
        }
    }

    @Test func nonNumericFeaturesAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let file = try HDF5File(path: path)
        let expected = "features must be numbers (integers or floats)"
        for (dataset, found) in [("/strings", "string"), ("/compound", "compound"), ("/enum", "enum")] {
            expectHDF5Error(.wrongType(file: path, dataset: dataset, found: found, expected: expected),
                            mentioning: [path, "'\(dataset)' holds \(found) values", expected]) {
                try file.readFeatures(at: dataset)
            }
        }
    }

    @Test func labelsThatAreNotIntegersOrNotOneDimensionalAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let file = try HDF5File(path: path)
        expectHDF5Error(
            .wrongType(file: path, dataset: "/float_labels", found: "float64 LE", expected: "labels must be integers"),
            mentioning: ["\(path): '/float_labels' holds float64 LE values; labels must be integers"]
        ) { try file.readLabels(at: "/float_labels") }
        expectHDF5Error(.wrongType(file: path, dataset: "/strings", found: "string", expected: "labels must be integers")) {
            try file.readLabels(at: "/strings")
        }
        expectHDF5Error(.wrongType(file: path, dataset: "/enum", found: "enum", expected: "labels must be integers")) {
            try file.labelCount(at: "/enum")
        }
        expectHDF5Error(
            .wrongRank(file: path, dataset: "/labels_2d", shape: [5, 1], expected: "labels must be one-dimensional [N]"),
            mentioning: ["'/labels_2d' has shape [5, 1]"]
        ) { try file.readLabels(at: "/labels_2d") }
    }

    @Test func emptyDatasetsAreRefused() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let file = try HDF5File(path: path)
        expectHDF5Error(.emptyDataset(file: path, dataset: "/empty_features", shape: [0, 3]),
                        mentioning: [path, "'/empty_features' is empty"]) {
            try file.readFeatures(at: "/empty_features")
        }
        expectHDF5Error(.emptyDataset(file: path, dataset: "/empty_labels", shape: [0]),
                        mentioning: ["'/empty_labels' is empty"]) {
            try file.readLabels(at: "/empty_labels")
        }
    }

    @Test func aMissingFilterIsReportedByIdAndName() throws {
        let path = try HDF5Fixtures.path("bad.h5")
        let file = try HDF5File(path: path)
        let bad = try HDF5Fixtures.expected().bad
        let filter = try #require(try file.object(at: "/lzf").filters.first)
        #expect(filter.id == bad.lzfFilterID)
        if filter.isAvailable {
            // An LZF plugin is installed (Debian's hdf5-plugin-lzf): the data must then read.
            expectClose(try file.readFeatures(at: "/lzf").values, bad.lzf, "/lzf through the plugin")
        } else {
            expectHDF5Error(
                .filterUnavailable(file: path, dataset: "/lzf", filterID: bad.lzfFilterID, filterName: "lzf"),
                mentioning: [path, "'/lzf'", "filter \(bad.lzfFilterID) (lzf) is not available"]
            ) { try file.readFeatures(at: "/lzf") }
        }
    }
}
