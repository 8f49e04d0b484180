import Foundation
import Testing
import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `writeLabelledDataset`: round trips, determinism, atomicity and refusal.
@Suite struct HDF5WriterTests {
    static func spiral(seed: UInt64 = 5) throws -> LabelledDataset {
        try SpiralSpecification(counts: [300, 40, 7], noise: 0.2, seed: seed).generate()
    }

    static let attributes: [String: HDF5AttributeValue] = [
        "generator": .string("spiral"), "classes": .int(3), "counts": .intArray([300, 40, 7]),
        "noise": .double(0.2), "seed": .int(5), "weights": .doubleArray([0.25, 1.5]),
        "note": .string("ünïcödé ✓"),
    ]

    /// Names of files in `folder` (hidden ones included).
    static func entries(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func roundTripGivesTheSameDatasetAndAttributes() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let data = try Self.spiral()
        let path = folder + "/spiral.h5"
        try writeLabelledDataset(data, to: path, attributes: Self.attributes, overwrite: false)
        #expect(try Self.entries(folder) == ["spiral.h5"], "no temporary file left behind")

        let back = try loadLabelledDataset(path: path)
        #expect(back == data)

        let file = try HDF5File(path: path)
        let attributes = try file.rootAttributes()
        #expect(attributes.map(\.name) == Self.attributes.keys.sorted())
        for attribute in attributes {
            #expect(attribute.value == Self.attributes[attribute.name], "\(attribute.name)")
        }
        let features = try file.object(at: "/features")
        #expect(features.shape == [data.count, 2])
        #expect(features.elementType == .float(bytes: 4, order: .littleEndian))
        #expect(features.layout == .chunked)
        #expect(features.chunkShape.map { $0[0] <= data.count && $0[1] == 2 } == true)
        #expect(features.filters.map(\.description) == ["deflate (level 4)"])
        let labels = try file.object(at: "/labels")
        #expect(labels.shape == [data.count])
        #expect(labels.elementType == .integer(signed: true, bytes: 8, order: .littleEndian))
        #expect(labels.layout == .chunked)
        #expect(labels.filters.map(\.id) == [1])
    }

    @Test func chunksAreAbout64KiBForLargeData() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let data = try SpiralSpecification(counts: [20_000, 20_000], noise: 0.1, seed: 3).generate()
        let path = folder + "/big.h5"
        try writeLabelledDataset(data, to: path)
        let file = try HDF5File(path: path)
        let chunk = try #require(try file.object(at: "/features").chunkShape)
        #expect(chunk[0] * chunk[1] * 4 <= 64 * 1024 && chunk[0] * chunk[1] * 4 >= 32 * 1024)
        let labelChunk = try #require(try file.object(at: "/labels").chunkShape)
        #expect(labelChunk[0] * 8 <= 64 * 1024 && labelChunk[0] < data.count)
        #expect(try loadLabelledDataset(path: path) == data)
    }

    @Test func sameSeedSameContentsDifferentSeedDifferent() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        try writeLabelledDataset(try Self.spiral(seed: 9), to: folder + "/a.h5")
        try writeLabelledDataset(try Self.spiral(seed: 9), to: folder + "/b.h5")
        try writeLabelledDataset(try Self.spiral(seed: 10), to: folder + "/c.h5")
        let a = try loadLabelledDataset(path: folder + "/a.h5")
        let b = try loadLabelledDataset(path: folder + "/b.h5")
        let c = try loadLabelledDataset(path: folder + "/c.h5")
        #expect(a == b)
        #expect(a.features != c.features)
        #expect(a.labels == c.labels, "same counts, so the same labels")
    }

    @Test func existingFileIsRefusedAndLeftUntouchedWithoutOverwrite() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/precious.h5"
        let original = Data("not to be lost\n".utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: original))
        expectHDF5Error(.alreadyExists(file: path), mentioning: [path, "already exists; pass --force to overwrite"]) {
            try writeLabelledDataset(try Self.spiral(), to: path, overwrite: false)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
        #expect(try Self.entries(folder) == ["precious.h5"])

        try writeLabelledDataset(try Self.spiral(), to: path, overwrite: true)
        #expect(try loadLabelledDataset(path: path) == (try Self.spiral()))
        #expect(try Self.entries(folder) == ["precious.h5"])
    }

    @Test func directoryTargetIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/sub"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        expectHDF5Error(.isDirectory(file: path)) { try writeLabelledDataset(try Self.spiral(), to: path, overwrite: true) }
    }

    @Test func missingFolderIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/missing/x.h5"
        expectHDF5Error(.noSuchFolder(file: path, folder: folder + "/missing"), mentioning: [path, "does not exist"]) {
            try writeLabelledDataset(try Self.spiral(), to: path)
        }
    }

    @Test func readOnlyFolderIsRefusedUnlessRoot() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let readOnly = folder + "/ro"
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false)
        try #require(chmod(readOnly, 0o555) == 0)
        let path = readOnly + "/x.h5"
        if ignoresFilePermissions {
            // Root writes into any folder: the write must then simply succeed, atomically.
            try writeLabelledDataset(try Self.spiral(), to: path)
            #expect(try loadLabelledDataset(path: path) == (try Self.spiral()))
            #expect(try Self.entries(readOnly) == ["x.h5"])
        } else {
            expectHDF5Error(.folderNotWritable(file: path, folder: readOnly), mentioning: [path, "not writable"]) {
                try writeLabelledDataset(try Self.spiral(), to: path)
            }
            #expect(try Self.entries(readOnly).isEmpty)
        }
    }

    @Test func emptyDatasetIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let empty = try LabelledDataset(features: [], dimension: 2, labels: [], classCount: 2)
        expectHDF5Error({ try writeLabelledDataset(empty, to: folder + "/e.h5") }) { error in
            if case .invalidArgument(let message) = error { return message.contains("no rows") }
            return false
        }
        #expect(try Self.entries(folder).isEmpty)
    }

    @Test func aFailedWriteLeavesNoTemporaryFile() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/x.h5"
        // HDF5 refuses an empty attribute name, after the temporary file was created.
        expectHDF5Error({ try writeLabelledDataset(try Self.spiral(), to: path, attributes: ["": .int(1)]) }) { error in
            if case .library(let file, let operation, _) = error { return file == path && operation.contains("attribute") }
            return false
        }
        #expect(try Self.entries(folder).isEmpty)
    }

    @Test func staleTemporariesOfDeadProcessesAreRemoved() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        // A process that has exited: its pid names no running process.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/sh")
        finished.arguments = ["-c", "exit 0"]
        try finished.run()
        finished.waitUntilExit()
        let deadPID = finished.processIdentifier
        try #require(kill(deadPID, 0) != 0)

        let stale = ".x.h5.tmp-\(deadPID)-abc123"
        let ours = ".x.h5.tmp-\(getpid())-def456"
        let otherTarget = ".y.h5.tmp-\(deadPID)-789"
        for name in [stale, ours, otherTarget] {
            #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("partial".utf8)))
        }
        try writeLabelledDataset(try Self.spiral(), to: folder + "/x.h5")
        #expect(try Self.entries(folder) == [ours, otherTarget, "x.h5"].sorted())
    }

    /// h5py, the reference reader, opens the file as is and sees the same numbers.
    @Test func h5pyReadsTheWrittenFile() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let data = try Self.spiral()
        let path = folder + "/for-h5py.h5"
        try writeLabelledDataset(data, to: path, attributes: Self.attributes)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/h5py_readback.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            Issue.record("cannot run python3 (\(error)); install Python 3, then: pip install h5py numpy")
            return
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("""
                h5py_readback.py failed (status \(process.terminationStatus)): \(errors)
                This test needs Python 3 with h5py and NumPy: pip install h5py numpy
                """)
            return
        }
        let report = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let datasets = try #require(report["datasets"] as? [String: [String: Any]])
        let features = try #require(datasets["/features"])
        #expect(features["shape"] as? [Int] == [data.count, data.dimension])
        #expect(features["dtype"] as? String == "<f4")
        #expect(features["compression"] as? String == "gzip")
        #expect(features["compression_opts"] as? Int == 4)
        #expect((features["chunks"] as? [Int])?.count == 2)
        let sum = data.features.reduce(0.0) { $0 + Double($1) }
        let squares = data.features.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(isClose(try #require(features["sum"] as? Double), sum, relative: 1e-9, absolute: 1e-9))
        #expect(isClose(try #require(features["sum_of_squares"] as? Double), squares, relative: 1e-9, absolute: 1e-9))
        let first = try #require(features["first"] as? [Double])
        // Compared as Float32: JSON parsing may differ from Python's repr in the last double bit.
        #expect(first.map { Float($0) } == Array(data.features.prefix(4)))

        let labels = try #require(datasets["/labels"])
        #expect(labels["shape"] as? [Int] == [data.count])
        #expect(labels["dtype"] as? String == "<i8")
        #expect(labels["compression"] as? String == "gzip")
        let counts = try #require(report["label_counts"] as? [String: Int])
        #expect(counts == Dictionary(uniqueKeysWithValues: data.classCounts.enumerated().map { (String($0.offset), $0.element) }))

        let attributes = try #require(report["attributes"] as? [String: Any])
        let types = try #require(report["attribute_types"] as? [String: String])
        #expect(Set(attributes.keys) == Set(Self.attributes.keys))
        for (name, value) in Self.attributes {
            switch value {
            case .int(let int): #expect(attributes[name] as? Int == int, "\(name)")
            case .double(let double): #expect(attributes[name] as? Double == double, "\(name)")
            case .string(let string):
                #expect(attributes[name] as? String == string, "\(name)")
                #expect(types[name] == "str", "h5py must read \(name) as str, not bytes")
            case .intArray(let ints): #expect(attributes[name] as? [Int] == ints, "\(name)")
            case .doubleArray(let doubles): #expect(attributes[name] as? [Double] == doubles, "\(name)")
            }
        }
    }
}
