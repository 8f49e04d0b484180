import Foundation
import Testing
@testable import Datasets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast read paths of `HDF5FeatureDataset` (chunks decoded here, contiguous rows read with
/// `pread`, compact datasets in memory) against h5py's values and libhdf5's own reads, bit for
/// bit; the fallbacks; damaged files; threads. Fixtures: `fastpath*.h5` and `fastpath.json`
/// from `scripts/fixtures/make_hdf5_fixtures.py`.
@Suite struct HDF5FeatureDatasetFastPathTests {
    static let files = ["fastpath.h5", "fastpath_v18.h5", "fastpath_userblock.h5"]

    /// Every dataset of every fast-path fixture takes the path the fixture script expects, and
    /// its full read equals h5py's values and libhdf5's read bit for bit.
    @Test func everyDatasetTakesItsPathAndReadsAsH5pyDoes() throws {
        try FastPathFixture.forEachDataset(in: Self.files) { file, name, dataset, expected in
            let source = try HDF5FeatureDataset(file: file, datasetPath: dataset)
            #expect(source.readPath.kind == expected.path, "\(name):\(dataset) took \(source.readPath)")
            let all = try source.readAll()
            #expect(bits(all) == expected.bits, "\(name):\(dataset) full read differs from h5py")
            let library = try HDF5FeatureDataset(file: file, datasetPath: dataset, maximumRunRows: nil, fastPaths: false)
            #expect(library.readPath.kind == "library")
            #expect(bits(try library.readAll()) == expected.bits, "\(name):\(dataset) libhdf5 read differs from h5py")
        }
    }

    /// Random row lists (unsorted, repeats, from one row to three times N) gathered along the
    /// fast paths equal the same rows of h5py's values bit for bit, whatever the thread count
    /// and cache budget, whether chunks are read with `pread` or `H5Dread_chunk` (index limit
    /// 0), and equal libhdf5's gather.
    /// (`sorted`: rows grouped by chunk with a comparison sort instead of a counting sort.)
    @Test(arguments: [
        (1, 0, nil, false), (2, 0, nil, false), (2, 1, nil, false), (2, 1 << 20, nil, false), (3, 1 << 20, nil, false),
        (2, 1, 0, false), (1, 0, 0, false), (2, 1, nil, true),
    ] as [(Int, Int, Int?, Bool)])
    func gatheredRowsMatchBitForBit(threads: Int, budgetChunks: Int, indexLimit: Int?, sorted: Bool) throws {
        try FastPathFixture.forEachDataset(in: Self.files) { file, name, dataset, expected in
            let probe = try HDF5FeatureDataset(file: file, datasetPath: dataset)
            let chunkBytes = (probe.chunkShape ?? [1]).reduce(4, *)
            let budget = budgetChunks >= 1 << 20 ? 64 << 20 : budgetChunks * chunkBytes
            let source = try HDF5FeatureDataset(
                file: file, datasetPath: dataset, maximumRunRows: nil, chunkCacheBudget: budget, threads: threads,
                chunkIndexLimit: indexLimit, countingSortBands: sorted ? 0 : nil)
            let library = try HDF5FeatureDataset(file: file, datasetPath: dataset, maximumRunRows: nil, fastPaths: false)
            let n = source.rowCount
            let d = source.dimension
            var rng = Xoshiro256StarStar(seed: 0xFA57, stream: UInt64(threads * 1000 + budgetChunks % 997))
            for trial in 0..<6 {
                let count = [1, 2, 17, n / 2, n, 3 * n][trial]
                let rows = (0..<count).map { _ in Int(rng.nextBounded(UInt64(n))) }
                let gathered = try source.gatherRows(rows)
                var want = [UInt32]()
                want.reserveCapacity(count * d)
                for row in rows { want.append(contentsOf: expected.bits[(row * d)..<((row + 1) * d)]) }
                #expect(bits(gathered) == want, "\(name):\(dataset) threads \(threads) budget \(budget) index limit \(String(describing: indexLimit)) sorted \(sorted) trial \(trial)")
                #expect(bits(try library.gatherRows(rows)) == want, "\(name):\(dataset) libhdf5 trial \(trial)")
            }
            let everyRowBackwards = Array((0..<n).reversed())
            #expect(bits(try source.gatherRows(everyRowBackwards)) == bits(try library.gatherRows(everyRowBackwards)))
        }
    }

    /// A dataset whose chunks were not all written is refused when opened, naming the
    /// missing chunks.
    @Test func datasetsWithUnwrittenChunksAreRefused() throws {
        for name in Self.files {
            let file = try HDF5File(path: try HDF5Fixtures.path(name))
            let present = try FastPathFixture.load().chunks[name]?.keys.map { "/" + $0 } ?? []
            for dataset in FastPathFixture.refused where present.contains(dataset) {
                #expect {
                    try HDF5FeatureDataset(file: file, datasetPath: dataset)
                } throws: { error in
                    guard case HDF5GuardError.missingChunks(_, dataset, _, _, _, _) = error else { return false }
                    return "\(error)".contains("chunk")
                }
            }
        }
    }

    /// Row ranges with edges inside chunks, whole chunks and single rows.
    @Test func rowRangesMatchBitForBit() throws {
        let fixture = try FastPathFixture.load()
        let file = try HDF5File(path: try HDF5Fixtures.path("fastpath.h5"))
        for dataset in try fixture.datasets(in: "fastpath.h5") {
            let expected = try fixture.dataset(dataset)
            let source = try HDF5FeatureDataset(file: file, datasetPath: dataset, threads: 2)
            let n = source.rowCount
            let d = source.dimension
            for range in [0..<n, 0..<1, (n - 1)..<n, 3..<(n - 5), 16..<32, 15..<33, 5..<5] where range.upperBound <= n {
                let values = try source.readRows(range)
                #expect(bits(values) == Array(expected.bits[(range.lowerBound * d)..<(range.upperBound * d)]), "\(dataset) rows \(range)")
            }
        }
    }

    /// The reasons the fallback gives name what keeps it there.
    @Test func fallbacksSayWhy() throws {
        let file = try HDF5File(path: try HDF5Fixtures.path("fastpath.h5"))
        let cases: [(String, String)] = [
            ("/f32be", "float32 BE"), ("/f64", "float64 LE"), ("/i16", "int16 LE"), ("/scaleoffset", "scaleoffset"),
            ("/f32be_contiguous", "float32 BE"),
        ]
        for (dataset, fragment) in cases {
            let source = try HDF5FeatureDataset(file: file, datasetPath: dataset)
            guard case .library(let reason) = source.readPath else {
                Issue.record("\(dataset) took \(source.readPath), expected libhdf5")
                continue
            }
            #expect(reason.contains(fragment), "\(dataset): \"\(reason)\" should mention \"\(fragment)\"")
        }
        // Datasets of the older fixtures keep their paths too.
        let layouts = try HDF5File(path: try HDF5Fixtures.path("layouts.h5"))
        #expect(try HDF5FeatureDataset(file: layouts, datasetPath: "/chunked_gzip").readPath == .chunks)
        #expect(try HDF5FeatureDataset(file: layouts, datasetPath: "/contiguous").readPath == .contiguous)
        #expect(try HDF5FeatureDataset(file: layouts, datasetPath: "/compact").readPath == .inMemory)
        #expect(try HDF5FeatureDataset(file: layouts, datasetPath: "/chunked_plain").readPath.kind == "library")
    }

    /// A second read of the same chunks is served from the cache; the cache never holds more
    /// than its budget, and every chunk read is decoded once per call.
    @Test func theCacheServesChunksAgainWithinItsBudget() throws {
        let path = try HDF5Fixtures.path("fastpath.h5")
        let chunkBytes = 16 * 7 * 4
        let source = try HDF5FeatureDataset(path: path, datasetPath: "/shuffle_gzip", chunkCacheBudget: 3 * chunkBytes + 10)
        let reference = try HDF5FeatureDataset(path: path, datasetPath: "/shuffle_gzip", chunkCacheBudget: 0)
        // Rows of chunks 0, 1 and 2, many per chunk: three decodes.
        let rows = [0, 5, 17, 18, 40, 33, 1, 47, 0]
        #expect(try source.gatherRows(rows) == reference.gatherRows(rows))
        var statistics = source.chunkCacheStatistics
        #expect(statistics.decodedChunks == 3 && statistics.hits == 0 && statistics.cachedChunks == 3)
        #expect(try source.gatherRows(rows.reversed()) == reference.gatherRows(rows.reversed()))
        statistics = source.chunkCacheStatistics
        #expect(statistics.decodedChunks == 3 && statistics.hits == 3)
        // All 8 chunks: the 3 cached are hits, 5 are decoded, none admitted (no room).
        let every = Array(0..<120)
        #expect(try source.gatherRows(every) == reference.gatherRows(every))
        statistics = source.chunkCacheStatistics
        #expect(statistics.decodedChunks == 8 && statistics.hits == 6 && statistics.cachedChunks == 3)
        #expect(statistics.cachedBytes <= statistics.budget)
        #expect(statistics.peakBytes >= statistics.cachedBytes)
        // Rows of chunks 5..7 only: the least recently used entries make room.
        let late = [80, 100, 119, 96]
        #expect(try source.gatherRows(late) == reference.gatherRows(late))
        statistics = source.chunkCacheStatistics
        #expect(statistics.decodedChunks == 11 && statistics.cachedChunks == 3)
        _ = try source.gatherRows(late)
        #expect(source.chunkCacheStatistics.hits == 9)
        // No budget: nothing is kept.
        _ = try reference.gatherRows(rows)
        #expect(reference.chunkCacheStatistics.cachedChunks == 0 && reference.chunkCacheStatistics.hits == 0)
        #expect(reference.chunkCacheStatistics.cachedBytes == 0)
    }

    @Test func badArgumentsAreRefused() throws {
        let path = try HDF5Fixtures.path("fastpath.h5")
        expectHDF5Error({ try HDF5FeatureDataset(path: path, datasetPath: "/gzip", chunkCacheBudget: -1) }) { error in
            if case .invalidArgument(let message) = error { return message.contains("budget") }
            return false
        }
        expectHDF5Error({ try HDF5FeatureDataset(path: path, datasetPath: "/gzip", threads: 0) }) { error in
            if case .invalidArgument(let message) = error { return message.contains("thread") }
            return false
        }
        let source = try HDF5FeatureDataset(path: path, datasetPath: "/gzip", threads: 3)
        #expect(source.threads == 3)
        #expect(try HDF5FeatureDataset(path: path, datasetPath: "/gzip").threads >= 1)
    }

    // MARK: - Damaged files

    /// A chunk whose stored bytes were overwritten does not inflate: a clean error naming the
    /// chunk. Rows of other chunks still read, and the failed chunk was not cached.
    @Test func anOverwrittenChunkGivesACleanError() throws {
        let fixture = try FastPathFixture.load()
        try withDamagedCopy(of: "fastpath.h5") { path in
            let chunk = try fixture.chunk(in: "fastpath.h5", "shuffle_gzip", index: 2)
            try overwrite(path, at: chunk.address + chunk.size / 2, with: [UInt8](repeating: 0xA5, count: 24))
            let source = try HDF5FeatureDataset(path: path, datasetPath: "/shuffle_gzip", threads: 2)
            #expect(source.readPath == .chunks)
            expectDamaged(mentioning: ["chunk 2", "inflate"]) { try source.gatherRows([1, 33, 40, 100]) }
            expectDamaged(mentioning: ["chunk 2"]) { try source.readAll() }
            let good = [0, 5, 100, 119, 50]
            let expected = try fixture.dataset("shuffle_gzip")
            for _ in 0..<2 {
                let values = try source.gatherRows(good)
                #expect(bits(values) == good.flatMap { expected.bits[($0 * 7)..<($0 * 7 + 7)] })
            }
            expectDamaged(mentioning: ["chunk 2"]) { try source.gatherRows([32]) }
            // libhdf5 refuses the chunk too.
            try expectLibraryRefuses(path, "/shuffle_gzip", row: 32)
        }
    }

    /// A flipped byte in a checksummed chunk fails the Fletcher-32 check, as in libhdf5.
    @Test func aFlippedByteFailsTheChecksum() throws {
        let fixture = try FastPathFixture.load()
        try withDamagedCopy(of: "fastpath.h5") { path in
            let chunk = try fixture.chunk(in: "fastpath.h5", "fletcher32", index: 3)
            let original = try Data(contentsOf: URL(fileURLWithPath: path))[chunk.address + 10]
            try overwrite(path, at: chunk.address + 10, with: [original ^ 0x01])
            let source = try HDF5FeatureDataset(path: path, datasetPath: "/fletcher32")
            #expect(source.readPath == .chunks)
            expectDamaged(mentioning: ["chunk 3", "Fletcher-32"]) { try source.gatherRows([50]) }
            #expect(try source.gatherRows([0, 119]).count == 14)
            try expectLibraryRefuses(path, "/fletcher32", row: 50)
        }
    }

    /// The file truncated after it was opened: reads that reach past the new end are clean
    /// errors, along both fast paths.
    @Test func aFileTruncatedAfterOpeningGivesCleanErrors() throws {
        let fixture = try FastPathFixture.load()
        try withDamagedCopy(of: "fastpath.h5") { path in
            let chunked = try HDF5FeatureDataset(path: path, datasetPath: "/gzip")
            let contiguous = try HDF5FeatureDataset(path: path, datasetPath: "/contiguous")
            #expect(chunked.readPath == .chunks && contiguous.readPath == .contiguous)
            let chunk = try fixture.chunk(in: "fastpath.h5", "gzip", index: 4)
            #expect(truncate(path, off_t(chunk.address + 5)) == 0)
            expectDamaged(mentioning: ["truncated"]) { try chunked.gatherRows([64]) }
            expectDamaged(mentioning: ["truncated"]) { try contiguous.gatherRows([119, 3]) }
            expectDamaged(mentioning: ["truncated"]) { try contiguous.readAll() }
        }
    }

    /// A chunk index entry (version-1 B-tree, which has no checksum) pointing past the end of
    /// the file, or claiming a wrong stored size: clean errors naming the chunk.
    @Test func damagedChunkIndexEntriesGiveCleanErrors() throws {
        let fixture = try FastPathFixture.load()
        let name = "fastpath_v18.h5"
        let chunk = try fixture.chunk(in: name, "gzip", index: 4)
        // Past the end of the file.
        try withDamagedCopy(of: name) { path in
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
            let position = try uniquePosition(of: UInt64(chunk.address), in: path)
            try overwrite(path, at: position, with: littleEndianBytes(UInt64(size - 100)))
            let source = try HDF5FeatureDataset(path: path, datasetPath: "/gzip")
            #expect(source.readPath == .chunks)
            expectDamaged(mentioning: ["chunk 4", "past the end of the file"]) { try source.gatherRows([70]) }
            #expect(try source.gatherRows([0, 119]).count == 14)
        }
        // A stored size larger than any chunk of this shape could have.
        try withDamagedCopy(of: name) { path in
            let position = try uniquePosition(of: UInt64(chunk.address), in: path)
            // The key before a child pointer: size (4 bytes), filter mask (4), 3 offsets (8 each).
            try overwrite(path, at: position - 32, with: littleEndianBytes(UInt32(1 << 30)))
            let source = try HDF5FeatureDataset(path: path, datasetPath: "/gzip")
            expectDamaged(mentioning: ["chunk 4", "stored bytes"]) { try source.gatherRows([70]) }
        }
        // A stored size a little short: the deflate stream ends early.
        try withDamagedCopy(of: name) { path in
            let position = try uniquePosition(of: UInt64(chunk.address), in: path)
            try overwrite(path, at: position - 32, with: littleEndianBytes(UInt32(chunk.size - 7)))
            let source = try HDF5FeatureDataset(path: path, datasetPath: "/gzip")
            expectDamaged(mentioning: ["chunk 4", "inflate"]) { try source.gatherRows([70]) }
        }
    }

    // MARK: - Threads

    /// Several threads, each with its own instance of a different dataset, and several sharing
    /// one instance with a small cache: every row right.
    @Test func concurrentReadersAndASharedInstanceStayCorrect() async throws {
        let fixture = try FastPathFixture.load()
        let path = try HDF5Fixtures.path("fastpath.h5")
        let datasets = ["gzip", "shuffle_gzip_fletcher32", "narrow", "contiguous", "rank1", "gzip_skipped", "f32be"]
        let shared = try HDF5FeatureDataset(path: path, datasetPath: "/narrow", chunkCacheBudget: 2 * 16 * 3 * 4, threads: 2)
        let sharedBits = try fixture.dataset("narrow").bits
        let expectations = try datasets.map { try fixture.dataset($0).bits }
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var rng = Xoshiro256StarStar(seed: 77, stream: UInt64(task))
                    var bad = 0
                    let own = task < datasets.count ? try? HDF5FeatureDataset(path: path, datasetPath: "/" + datasets[task], chunkCacheBudget: 1 << 10) : nil
                    for round in 0..<30 {
                        let useShared = own == nil || round % 2 == 0
                        let source = useShared ? shared : own!
                        let reference = useShared ? sharedBits : expectations[task]
                        let n = source.rowCount, d = source.dimension
                        let rows = (0..<(1 + Int(rng.nextBounded(200)))).map { _ in Int(rng.nextBounded(UInt64(n))) }
                        guard let values = try? source.gatherRows(rows) else { bad += 1; continue }
                        let got = bits(values)
                        for (i, row) in rows.enumerated() where Array(got[(i * d)..<((i + 1) * d)]) != Array(reference[(row * d)..<((row + 1) * d)]) {
                            bad += 1
                        }
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}

// MARK: - Support

/// `fastpath.json`: the datasets' values and expected paths, and each file's chunk index.
struct FastPathFixture: Decodable {
    struct Dataset: Decodable {
        let shape: [Int]
        let path: String
        let values: String

        /// The float32 values' bit patterns.
        var bits: [UInt32] {
            get throws {
                let data = try #require(Data(base64Encoded: values))
                return data.withUnsafeBytes { raw in
                    (0..<(raw.count / 4)).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
                }
            }
        }
    }

    struct Chunk: Decodable {
        let offset: [Int]
        let mask: UInt32
        let address: Int
        let size: Int
    }

    let datasets: [String: Dataset]
    let chunks: [String: [String: [Chunk]]]

    static func load() throws -> FastPathFixture {
        try fixtures.decode(FastPathFixture.self, from: "hdf5/fastpath.json")
    }

    /// The datasets of fixture file `name`, in name order.
    /// The datasets of `name` a reader opens: all but those the guards refuse on purpose
    /// (``refused``).
    func datasets(in name: String) throws -> [String] {
        try #require(chunks[name], "no file \(name) in fastpath.json").keys.sorted().map { "/" + $0 }
            .filter { !FastPathFixture.refused.contains($0) }
    }

    /// Calls `body` with every dataset a reader opens (``datasets(in:)``) of each file in
    /// `files`: the open file, the file's name, the dataset's path and h5py's values.
    static func forEachDataset(
        in files: [String], _ body: (_ file: HDF5File, _ name: String, _ dataset: String, _ expected: (path: String, bits: [UInt32])) throws -> Void
    ) throws {
        let fixture = try load()
        for name in files {
            let file = try HDF5File(path: try HDF5Fixtures.path(name))
            for dataset in try fixture.datasets(in: name) { try body(file, name, dataset, try fixture.dataset(dataset)) }
        }
    }

    /// Datasets the readers refuse: chunks never written (they would read as the fill value,
    /// which in training data means an unfinished or damaged file).
    static let refused: Set<String> = ["/unwritten_chunks"]

    func dataset(_ name: String) throws -> (path: String, bits: [UInt32]) {
        let key = name.hasPrefix("/") ? String(name.dropFirst()) : name
        let entry = try #require(datasets[key], "no dataset \(key) in fastpath.json")
        return (entry.path, try entry.bits)
    }

    func chunks(in file: String, _ dataset: String) throws -> [Chunk] {
        try #require(chunks[file]?[dataset], "no chunks of \(file):\(dataset)")
    }

    /// Chunk `index` in row-major chunk order (h5py lists them by index, which for these
    /// datasets is the same order).
    func chunk(in file: String, _ dataset: String, index: Int) throws -> Chunk {
        let list = try chunks(in: file, dataset).sorted { $0.offset.lexicographicallyPrecedes($1.offset) }
        return try #require(list.indices.contains(index) ? list[index] : nil)
    }
}

extension HDF5ReadPath {
    /// The case's name as `fastpath.json` spells it.
    var kind: String {
        switch self {
        case .chunks: return "chunks"
        case .contiguous: return "contiguous"
        case .inMemory: return "inMemory"
        case .library: return "library"
        }
    }
}

private func bits(_ values: [Float]) -> [UInt32] {
    values.map(\.bitPattern)
}

private func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Copies fixture `name` to a temporary folder, runs `body` with the copy's path, and removes it.
private func withDamagedCopy(of name: String, _ body: (String) throws -> Void) throws {
    let folder = try makeTemporaryFolder()
    defer { removeTemporaryFolder(folder) }
    let path = folder + "/" + name
    try FileManager.default.copyItem(atPath: try HDF5Fixtures.path(name), toPath: path)
    try body(path)
}

private func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data(bytes))
}

/// The one position in the file where `value` is stored as 8 little-endian bytes.
private func uniquePosition(of value: UInt64, in path: String) throws -> Int {
    let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let pattern = littleEndianBytes(value)
    var found: [Int] = []
    for start in 0...(data.count - 8) where data[start] == pattern[0] && Array(data[start..<(start + 8)]) == pattern {
        found.append(start)
    }
    return try #require(found.count == 1 ? found[0] : nil, "address \(value) found at \(found)")
}

/// Expects ``HDF5Error/damagedData(file:dataset:detail:)`` whose description mentions every
/// fragment.
private func expectDamaged<T>(
    mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) {
    let error = expectHDF5Error(sourceLocation: sourceLocation, body) { error in
        if case .damagedData = error { return true }
        return false
    }
    for fragment in fragments where error?.description.contains(fragment) == false {
        Issue.record("\"\(error.map { "\($0)" } ?? "")\" should mention \"\(fragment)\"", sourceLocation: sourceLocation)
    }
}

/// libhdf5 itself (no fast path) refuses to read `row` of the damaged `dataset` too.
private func expectLibraryRefuses(_ path: String, _ dataset: String, row: Int) throws {
    let library = try HDF5FeatureDataset(file: HDF5File(path: path), datasetPath: dataset, maximumRunRows: nil, fastPaths: false)
    #expect(throws: HDF5Error.self) { try library.gatherRows([row]) }
}
