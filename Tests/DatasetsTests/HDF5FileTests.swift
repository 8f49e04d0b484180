import Foundation
import Testing
import Datasets

/// Opening files (and every way that fails) and listing their contents.
@Suite struct HDF5FileTests {
    // MARK: - Opening

    @Test func missingFileIsNamed() throws {
        let path = try HDF5Fixtures.path("does-not-exist.h5")
        expectHDF5Error(.noSuchFile(file: path), mentioning: [path, "no such file"]) { try HDF5File(path: path) }
    }

    @Test func missingFolderInPathIsNoSuchFile() throws {
        let path = try HDF5Fixtures.path("no-folder/x.h5")
        expectHDF5Error(.noSuchFile(file: path), mentioning: [path]) { try HDF5File(path: path) }
    }

    @Test func directoryIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        expectHDF5Error(.isDirectory(file: folder), mentioning: [folder, "is a directory, expected an HDF5 file"]) {
            try HDF5File(path: folder)
        }
    }

    @Test func emptyFileIsRefused() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/empty.h5"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        expectHDF5Error(.emptyFile(file: path), mentioning: [path, "empty"]) { try HDF5File(path: path) }
    }

    @Test func fifoIsNotARegularFile() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/pipe.h5"
        try #require(mkfifo(path, 0o644) == 0)
        // Must not block opening the FIFO.
        expectHDF5Error(.notARegularFile(file: path), mentioning: [path, "not a regular file"]) { try HDF5File(path: path) }
    }

    @Test func unreadableFileIsPermissionDeniedUnlessRoot() throws {
        let folder = try makeTemporaryFolder()
        defer { removeTemporaryFolder(folder) }
        let path = folder + "/locked.h5"
        try FileManager.default.copyItem(atPath: try HDF5Fixtures.path("labelled.h5"), toPath: path)
        try #require(chmod(path, 0) == 0)
        if ignoresFilePermissions {
            // Root reads files whatever their mode; the file must then open normally.
            let file = try HDF5File(path: path)
            #expect(try file.datasetPaths() == ["/features", "/labels"])
        } else {
            expectHDF5Error(.permissionDenied(file: path), mentioning: [path, "permission denied"]) {
                try HDF5File(path: path)
            }
        }
    }

    @Test func textFileIsNotHDF5() throws {
        let path = try HDF5Fixtures.path("not_hdf5.h5")
        expectHDF5Error(.notHDF5(file: path), mentioning: [path, "is not an HDF5 file"]) { try HDF5File(path: path) }
    }

    @Test func truncatedFileReportsHDF5sReasonOnOneLine() throws {
        let path = try HDF5Fixtures.path("truncated.h5")
        let error = expectHDF5Error({ try HDF5File(path: path) }) { error in
            if case .unreadableFile(let file, _) = error { return file == path }
            return false
        }
        let text = try #require(error).description
        #expect(text.contains(path))
        #expect(text.contains("truncated"), "the summary should keep HDF5's own reason: \(text)")
        #expect(!text.contains("\n"))
    }

    // MARK: - Listing

    @Test func listingMatchesWhatH5pyReports() throws {
        let expected = try HDF5Fixtures.expected()
        for name in ["layouts.h5", "labelled.h5"] {
            let objects = try HDF5File(path: try HDF5Fixtures.path(name)).objects()
            for entry in expected.objects where entry.file == name {
                let object = try #require(objects.first { $0.path == entry.path }, "\(name): \(entry.path) not listed")
                #expect(object.kind.rawValue == entry.kind, "\(name):\(entry.path)")
                guard entry.kind == "dataset" else {
                    #expect(object.shape == nil && object.layout == nil && object.filters.isEmpty)
                    continue
                }
                #expect(object.shape == entry.shape, "\(name):\(entry.path)")
                #expect(object.layout?.rawValue == entry.layout, "\(name):\(entry.path)")
                #expect(object.chunkShape == entry.chunks, "\(name):\(entry.path)")
                #expect(object.filters.map(\.id) == (entry.filters ?? []).map(\.id), "\(name):\(entry.path)")
                #expect(object.filters.map(\.parameters) == (entry.filters ?? []).map(\.values), "\(name):\(entry.path)")
                #expect(object.filters.allSatisfy { $0.isAvailable })
            }
        }
    }

    @Test func listingIsRootFirstAndComplete() throws {
        let objects = try HDF5File(path: try HDF5Fixtures.path("layouts.h5")).objects()
        #expect(objects.first?.path == "/")
        #expect(objects.first?.kind == .group)
        let paths = Set(objects.map(\.path))
        let expected = try HDF5Fixtures.expected().objects.filter { $0.file == "layouts.h5" }.map(\.path)
        #expect(Set(expected).isSubset(of: paths))
        #expect(paths.count == objects.count, "no object listed twice")
    }

    @Test func elementTypesAreNamedWithByteOrder() throws {
        let expected = try HDF5Fixtures.expected()
        for entry in expected.features {
            let object = try HDF5File(path: try HDF5Fixtures.path(entry.file)).object(at: entry.dataset)
            #expect(object.elementType?.description == entry.type, "\(entry.file):\(entry.dataset)")
        }
        for entry in expected.labels {
            let object = try HDF5File(path: try HDF5Fixtures.path(entry.file)).object(at: entry.dataset)
            #expect(object.elementType?.description == entry.type, "\(entry.file):\(entry.dataset)")
        }
        let bad = try HDF5File(path: try HDF5Fixtures.path("bad.h5"))
        #expect(try bad.object(at: "/strings").elementType == .string)
        #expect(try bad.object(at: "/compound").elementType == .compound)
        #expect(try bad.object(at: "/enum").elementType == .enumeration)
        #expect(try bad.object(at: "/scalar").shape == [])
    }

    @Test func filtersAreDescribedByNameAndLevel() throws {
        let file = try HDF5File(path: try HDF5Fixtures.path("layouts.h5"))
        let filters = try file.object(at: "/chunked_gzip").filters
        let descriptions = filters.map(\.description)
        #expect(descriptions.contains("deflate (level 4)"))
        #expect(descriptions.contains("shuffle"))
        #expect(descriptions.contains("fletcher32"))
        let lzf = try HDF5File(path: try HDF5Fixtures.path("bad.h5")).object(at: "/lzf").filters
        let expectedID = try HDF5Fixtures.expected().bad.lzfFilterID
        #expect(lzf.map(\.id) == [expectedID])
        #expect(lzf.first?.description == "filter \(expectedID) (lzf)")
    }

    @Test func rootAttributesMatchH5py() throws {
        let expected = try #require(try HDF5Fixtures.expected().attributes["layouts.h5"])
        let file = try HDF5File(path: try HDF5Fixtures.path("layouts.h5"))
        let attributes = try file.rootAttributes()
        #expect(attributes.map(\.name) == expected.keys.sorted())
        for attribute in attributes {
            let want = try #require(expected[attribute.name]).value
            switch (attribute.value, want) {
            case (.double(let a), .int(let b)):  // JSON writes 3.0 as 3
                #expect(a == Double(b), "\(attribute.name)")
            default:
                #expect(attribute.value == want, "\(attribute.name)")
            }
        }
        let listedRoot = try #require(try file.objects().first)
        #expect(listedRoot.attributes == attributes)
        let train = try file.object(at: "/data/train")
        #expect(train.attributes.map(\.name) == ["split"])
        #expect(train.attributes.first?.value == .string("train"))
    }

    @Test func objectAtMissingPathListsDatasets() throws {
        let path = try HDF5Fixtures.path("labelled.h5")
        let file = try HDF5File(path: path)
        expectHDF5Error(
            .noSuchDataset(file: path, path: "/feats", datasets: ["/features", "/labels"]),
            mentioning: [path, "no dataset at '/feats'", "the file has datasets /features, /labels"]
        ) { try file.object(at: "feats") }
    }
}
