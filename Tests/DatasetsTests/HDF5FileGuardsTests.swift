import CHDF5
import Foundation
import Testing
import TestSupport
@testable import Datasets

/// The sanity checks made before acting on what a damaged file claims. The damaged files are
/// the fuzzing harness's committed regressions (`scripts/fuzz/regressions`), each one byte away
/// from a valid file the harness writes.
@Suite struct HDF5FileGuardsTests {
    static func regression(_ name: String) -> String {
        Repository.path("scripts/fuzz/regressions/\(name)")
    }

    // MARK: - Arithmetic

    @Test func shapesConvertExactlyOrThrow() throws {
        #expect(try HDF5FileGuards.shape([hsize_t(3), 4], file: "f", object: "/x") == [3, 4])
        #expect(try HDF5FileGuards.shape([hsize_t(Int.max)], file: "f", object: "/x") == [Int.max])
        #expect(throws: HDF5GuardError.dimensionTooLarge(file: "f", object: "/x", dimension: UInt64(Int.max) + 1)) {
            try HDF5FileGuards.shape([2, hsize_t(Int.max) + 1], file: "f", object: "/x")
        }
    }

    @Test func productsReportOverflowAndNegatives() {
        #expect(HDF5FileGuards.product([3, 4, 5]) == 60)
        #expect(HDF5FileGuards.product([], times: 8) == 8)
        #expect(HDF5FileGuards.product([0, Int.max]) == 0)
        #expect(HDF5FileGuards.product([1 << 32, 1 << 31]) == nil)
        #expect(HDF5FileGuards.product([1 << 62], times: 2) == nil)
        #expect(HDF5FileGuards.product([-1, 2]) == nil)
    }

    // MARK: - Memory

    @Test func memoryLimitIsAtMostThePhysicalMemory() {
        let limit = HDF5FileGuards.memoryLimit()
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
        #expect(limit.bytes > 0 && limit.bytes <= physical, "\(limit)")
        #expect(!limit.source.isEmpty)
    }

    @Test func allocationsBeyondTheLimitAreRefusedBeforeAllocating() throws {
        let limit = HDF5FileGuards.memoryLimit()
        try HDF5FileGuards.requireMemory(count: 1000, elementBytes: 8, what: "1000 labels", file: "f", dataset: "/labels")
        let rows = limit.bytes / 8 + 1
        #expect(throws: HDF5GuardError.exceedsMemory(
            file: "f", dataset: "/labels", what: "rows", bytes: rows * 8, limit: limit.bytes, limitSource: limit.source)) {
            try HDF5FileGuards.requireMemory(count: rows, elementBytes: 8, what: "rows", file: "f", dataset: "/labels")
        }
        // 10^15 rows of 2 floats: the overflow-free count is reported, not trapped on.
        #expect(throws: HDF5GuardError.self) {
            try HDF5FileGuards.requireMemory(count: 1_000_000_000_000_000, elementBytes: 8, what: "rows", file: "f", dataset: "/x")
        }
        #expect(throws: HDF5GuardError.exceedsMemory(
            file: "f", dataset: "/x", what: "rows", bytes: Int.max, limit: limit.bytes, limitSource: limit.source)) {
            try HDF5FileGuards.requireMemory(count: Int.max / 2, elementBytes: 8, what: "rows", file: "f", dataset: "/x")
        }
    }

    // MARK: - Labels

    @Test func inferredClassCountMustNotExceedTheRows() throws {
        try HDF5FileGuards.requirePlausibleClassCount(largestLabel: 9, row: 3, rowCount: 10, file: "f", dataset: "/y")
        #expect(throws: HDF5GuardError.tooManyClasses(file: "f", dataset: "/y", row: 3, label: 10, rowCount: 10)) {
            try HDF5FileGuards.requirePlausibleClassCount(largestLabel: 10, row: 3, rowCount: 10, file: "f", dataset: "/y")
        }
    }

    @Test func aFlippedLabelBitIsRefusedUnlessTheClassCountIsGiven() throws {
        let path = Self.regression("gzip-labels-bit-flips-huge-label.h5")
        // Labels are checked as they stream by: the first implausible one is named.
        #expect(throws: HDF5GuardError.tooManyClasses(file: path, dataset: "/labels", row: 32, label: 16_777_216, rowCount: 64)) {
            try loadLabels(path: path)
        }
        // An explicit K is the caller's word (the labels are then only checked against it), up
        // to the 2²⁴ classes per-class tables are built for.
        #expect(throws: DatasetError.invalidParameter("33686019 classes is more than the 16777216 supported")) {
            try loadLabels(path: path, classCount: 33_686_019)
        }
        #expect(throws: DatasetError.labelOutOfRange(
            row: 32, label: 16_777_216, classCount: 1 << 24, origin: DataOrigin(file: path, labels: "/labels"))) {
            try loadLabels(path: path, classCount: 1 << 24)
        }
    }

    // MARK: - Stored extent

    @Test func damagedShapesAndTypesAreRefusedBeforeReading() throws {
        let cases: [(file: String, check: (HDF5GuardError) -> Bool)] = [
            ("contiguous-labels-rows-beyond-storage.h5", {
                if case .storageTooSmall(_, "/labels", [989_855_792], 1_979_711_584, 96) = $0 { return true } else { return false }
            }),
            ("contiguous-features-columns-beyond-storage.h5", {
                if case .storageTooSmall(_, "/features", [48, 989_855_746], _, 768) = $0 { return true } else { return false }
            }),
            ("compact-labels-rows-beyond-storage.h5", {
                if case .storageTooSmall(_, "/labels", _, _, 24) = $0 { return true } else { return false }
            }),
            ("compact-labels-element-size.h5", {
                if case .implausibleElementSize(_, "/labels", 452_984_833) = $0 { return true } else { return false }
            }),
            ("chunked-labels-missing-chunks.h5", {
                if case .missingChunks(_, "/labels", [2_147_483_704], [56], 38_347_924, 1) = $0 { return true } else { return false }
            }),
            ("chunked-features-columns-missing-chunks.h5", {
                if case .missingChunks(_, "/features", _, [56, 2], _, 1) = $0 { return true } else { return false }
            }),
            ("chunked-labels-shape-overflow.h5", {
                if case .shapeTooLarge(_, "/labels", _, 8) = $0 { return true } else { return false }
            }),
        ]
        for (file, check) in cases {
            let path = Self.regression(file)
            do {
                _ = try loadLabelledDataset(path: path)
                Issue.record("\(file): loaded a damaged file")
            } catch let error as HDF5GuardError {
                #expect(check(error), "\(file): \(error)")
                #expect(error.description.hasPrefix(path + ": "), "\(file): \(error)")
                #expect(error.description.contains("damaged"), "\(file): \(error)")
            }
        }
    }

    @Test func intactFilesPassTheChecks() throws {
        // The spirals datatool writes: chunked + deflate, every chunk stored.
        let data = try SpiralSpecification(counts: [40, 12, 4], noise: 0.1, seed: 3).generate()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("s.h5").path
        try writeLabelledDataset(data, to: path)
        #expect(try loadLabelledDataset(path: path) == data)
        #expect(try HDF5File(path: path).featureShape(at: "/features") == (56, 2))
    }

    @Test func byteCountsReadAsUnits() {
        #expect(HDF5GuardError.bytesText(512) == "512 bytes")
        #expect(HDF5GuardError.bytesText(1_979_711_584) == "2.0 GB")
        #expect(HDF5GuardError.bytesText(8_000_000_000_000_000) == "8.0 PB")
        #expect(HDF5GuardError.bytesText(384_000_000_000) == "384.0 GB")
        #expect(HDF5GuardError.bytesText(Int.max) == "9.2 EB")
    }
}
