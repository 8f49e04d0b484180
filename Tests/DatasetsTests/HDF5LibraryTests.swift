import Foundation
import Testing
@testable import Datasets

/// The single door to libhdf5: thread safety and error reporting.
@Suite struct HDF5LibraryTests {
    /// Several tasks read the same files at once (each opening its own handle, and all sharing
    /// one `HDF5File`); every result must equal what h5py read.
    @Test func concurrentReadersGetCorrectResults() async throws {
        let expected = try HDF5Fixtures.expected()
        let labelledPath = try HDF5Fixtures.path("labelled.h5")
        let wantFeatures = try expected.features("labelled.h5", "/features").values
        let wantLabels = try expected.labels("labelled.h5", "/labels").values
        let shared = try HDF5File(path: try HDF5Fixtures.path("features.h5"))
        let sharedEntries = expected.features.filter { $0.file == "features.h5" }

        let problems = await withTaskGroup(of: [String].self) { group in
            for task in 0..<12 {
                group.addTask {
                    var problems: [String] = []
                    for round in 0..<10 {
                        do {
                            let data = try loadLabelledDataset(path: labelledPath)
                            if data.labels.map(Int64.init) != wantLabels { problems.append("task \(task) round \(round): labels differ") }
                            if zip(data.features, wantFeatures).contains(where: { !isClose(Double($0), $1) }) {
                                problems.append("task \(task) round \(round): features differ")
                            }
                            let entry = sharedEntries[(task + round) % sharedEntries.count]
                            let values = try shared.readFeatures(at: entry.dataset).values
                            if values.count != entry.values.count || zip(values, entry.values).contains(where: { !isClose(Double($0), $1) }) {
                                problems.append("task \(task) round \(round): \(entry.dataset) differs")
                            }
                            // Errors on other threads must be reported, not printed or lost.
                            do {
                                _ = try shared.readFeatures(at: "/missing")
                                problems.append("task \(task): /missing did not throw")
                            } catch let error as HDF5Error {
                                if case .noSuchDataset = error {} else { problems.append("task \(task): \(error)") }
                            }
                        } catch {
                            problems.append("task \(task) round \(round): \(error)")
                        }
                    }
                    return problems
                }
            }
            var all: [String] = []
            for await problems in group { all += problems }
            return all
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    /// The locked path (taken when libhdf5 is not thread-safe): bodies never overlap, and
    /// reads inside them are correct.
    @Test func lockedRunsExcludeEachOther() async throws {
        final class Occupancy: @unchecked Sendable {
            // Only touched inside HDF5Library.runLocked, which is what is under test.
            var inside = 0
            var overlaps = 0
        }
        let occupancy = Occupancy()
        let path = try HDF5Fixtures.path("labelled.h5")
        let want = try HDF5Fixtures.expected().labels("labelled.h5", "/labels").values
        let wrong = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for _ in 0..<20 {
                        let labels: [Int64]? = HDF5Library.runLocked {
                            occupancy.inside += 1
                            if occupancy.inside != 1 { occupancy.overlaps += 1 }
                            defer { occupancy.inside -= 1 }
                            return try? HDF5File(path: path).readLabels()
                        }
                        if labels != want { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
        #expect(occupancy.overlaps == 0)
    }

    @Test func libraryReportsItsThreadSafety() {
        // Either answer is fine; the value must be stable and `run` must work with it.
        let first = HDF5Library.isThreadSafe
        #expect(HDF5Library.isThreadSafe == first)
        #expect(HDF5Library.run { 42 } == 42)
    }

    @Test func nestedRunsDoNotDeadlock() throws {
        let value = try HDF5Library.run {
            try HDF5Library.run { try HDF5File(path: try HDF5Fixtures.path("labelled.h5")).datasetPaths() }
        }
        #expect(value == ["/features", "/labels"])
    }

    @Test func errorDescriptionsNameFileDatasetAndExpectation() {
        #expect(HDF5Error.noSuchDataset(file: "/tmp/x.h5", path: "/feats", datasets: ["/features", "/labels"]).description
            == "/tmp/x.h5: no dataset at '/feats'; the file has datasets /features, /labels")
        #expect(HDF5Error.noSuchDataset(file: "/tmp/x.h5", path: "/feats", datasets: []).description
            == "/tmp/x.h5: no dataset at '/feats'; the file has no datasets")
        #expect(HDF5Error.wrongType(file: "/tmp/x.h5", dataset: "/labels", found: "float64 LE", expected: "labels must be integers").description
            == "/tmp/x.h5: '/labels' holds float64 LE values; labels must be integers")
        #expect(HDF5Error.notHDF5(file: "/tmp/x.h5").description == "/tmp/x.h5 is not an HDF5 file")
        #expect(HDF5Error.noSuchFile(file: "/tmp/x.h5").description == "/tmp/x.h5: no such file")
        #expect(HDF5Error.isDirectory(file: "/tmp/x.h5").description == "/tmp/x.h5 is a directory, expected an HDF5 file")
        #expect(HDF5Error.filterUnavailable(file: "/tmp/x.h5", dataset: "/f", filterID: 32000, filterName: "lzf").description
            .contains("filter 32000 (lzf)"))
        // Flags are the command line's words, not the library's.
        #expect(FileSystemError.exists(path: "/tmp/x.h5").description == "/tmp/x.h5 already exists")
    }
}
