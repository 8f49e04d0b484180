#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5
import CVectorMath

/// A features dataset kept open for reading rows on demand: the out-of-core
/// ``FeatureRowSource`` the batch gatherers use when the data does not fit in memory.
///
/// ```swift
/// let source = try HDF5FeatureDataset(path: "big.h5", datasetPath: "/features")
/// var batch = [Float](repeating: 0, count: 3 * source.dimension)
/// try [17, 3, 17].withUnsafeBufferPointer { rows in
///     try batch.withUnsafeMutableBufferPointer { try source.gatherRows(rows, into: $0) }
/// }
/// ```
///
/// This is the one public way to read features: all rows (``readAll()``), a range
/// (``readRows(_:)``) or a list (``gatherRows(_:)``, ``gatherRows(_:into:)``). Labels are read
/// from ``file`` with ``HDF5File/readLabels(at:rows:)``.
///
/// Any integer or float element type in either byte order is read as `Float`. How the rows are
/// read is chosen once, when the dataset is opened, behind this type (inside the package,
/// `readPath` says which):
///
/// - **float32 little-endian, chunked, filters only deflate / shuffle / fletcher32**: the
///   chunk index is read once; a call reads each chunk its rows need once (`pread`, no libhdf5
///   call), inflates, unshuffles and checks it on up to `threads` threads, and copies the rows
///   out. A least-recently-used cache of decoded chunks (`chunkCacheBudget` bytes) serves
///   chunks again across calls. Ask for many rows per call (``FeatureRowSource`` users: a
///   window of batches) so each chunk is decoded once for all of them.
/// - **float32 little-endian, contiguous**: rows are read with `pread` at the dataset's
///   offset, nearby rows in one read.
/// - **compact**: read once when opened, kept in memory.
/// - **anything else**: other element types or byte orders, other filters (lzf, szip, nbit,
///   …), unwritten chunks: libhdf5 reads and converts, one hyperslab per run of adjacent rows,
///   with a chunk cache big enough for several chunks.
///
/// Every path gives the same values bit for bit. A damaged file (truncated, a chunk past the
/// end, a chunk that does not inflate to its size or fails its checksum) gives an
/// ``HDF5Error``, never a crash.
///
/// **Threads.** One instance may be shared between threads: every read takes the instance's
/// lock (the scratch buffers and the cache are per instance), so reads from several threads
/// run one after another, each using up to `threads` threads inside. For parallel reads give
/// each thread its own instance.
public final class HDF5FeatureDataset: FeatureRowSource, @unchecked Sendable {
    /// The decoded-chunk cache budget used when none is given: 64 MiB.
    public static let defaultChunkCacheBudget = 64 << 20

    /// The file the rows come from; kept open while this object lives.
    public let file: HDF5File
    /// The dataset's absolute path.
    public let datasetPath: String
    /// N.
    public let rowCount: Int
    /// D (1 for a one-dimensional dataset).
    public let dimension: Int
    /// The element type stored in the file.
    public let elementType: HDF5ElementType
    /// The storage layout.
    package let layout: HDF5ObjectInfo.Layout?
    /// The chunk shape of a chunked dataset.
    package let chunkShape: [Int]?
    /// The libhdf5 chunk cache size in bytes in effect for the dataset (`nil` when not
    /// chunked), used by the ``HDF5ReadPath/library(reason:)`` path. When the same dataset is
    /// already open elsewhere in the process, HDF5 keeps the cache of that first opening.
    package let chunkCacheBytes: Int?
    /// How rows are read; see the type's description.
    package let readPath: HDF5ReadPath
    /// The most bytes of decoded chunks kept between reads on the ``HDF5ReadPath/chunks``
    /// path (0: none).
    package let chunkCacheBudget: Int
    /// The most threads one read uses (decoding chunks, reading rows).
    package let threads: Int

    private let rank: Int
    private let dataset: HDF5Handle
    private let fileSpace: HDF5Handle
    /// The longest run of adjacent rows read with one call (bounds the scratch buffer).
    private let maximumRunRows: Int
    private let reader: Reader
    /// Guards `scratch`, the selection on `fileSpace` and the readers' state.
    private let lock = RecursiveLock()
    private var scratch: [Float] = []
    private var rowsReadCount = 0

    /// Rows read so far by ``readRows(_:)``, ``readAll()`` and ``gatherRows(_:into:)`` (tests
    /// use it to see which reads reach the file).
    package var rowsRead: Int { lock.withLock { rowsReadCount } }

    /// The reader behind ``readPath``.
    private enum Reader {
        case chunks(HDF5ChunkedReader)
        case contiguous(HDF5ContiguousReader)
        case inMemory([Float])
        case library
    }

    /// Opens `datasetPath` in the file at `path`.
    ///
    /// - Parameters:
    ///   - path: The HDF5 file.
    ///   - datasetPath: A one- or two-dimensional numeric dataset.
    ///   - chunkCacheBudget: The most bytes of decoded chunks kept between reads (chunked
    ///     datasets read along the chunk path); 0 keeps none.
    ///   - threads: The most threads a read uses; `nil` for the number of processors (at most 8).
    /// - Throws: ``HDF5Error`` as ``HDF5File/init(path:)`` and ``init(file:datasetPath:chunkCacheBudget:threads:)``.
    public convenience init(
        path: String, datasetPath: String = "/features", chunkCacheBudget: Int = HDF5FeatureDataset.defaultChunkCacheBudget,
        threads: Int? = nil
    ) throws {
        try self.init(
            file: HDF5File(path: path), datasetPath: datasetPath, maximumRunRows: nil,
            chunkCacheBudget: chunkCacheBudget, threads: threads)
    }

    /// Opens `datasetPath` in an open file.
    ///
    /// - Parameters:
    ///   - file: An open file.
    ///   - datasetPath: A one- or two-dimensional numeric dataset.
    ///   - chunkCacheBudget: The most bytes of decoded chunks kept between reads; 0 keeps none.
    ///   - threads: The most threads a read uses; `nil` for the number of processors (at most 8).
    /// - Throws: ``HDF5Error`` for no such dataset, a dataset that is not numeric, not one- or
    ///   two-dimensional, empty, or needs an unavailable filter; ``HDF5GuardError`` for a
    ///   dataset whose stored size does not match its shape;
    ///   ``HDF5Error/invalidArgument(_:)`` for a negative budget or fewer than 1 thread.
    public convenience init(
        file: HDF5File, datasetPath: String = "/features", chunkCacheBudget: Int = HDF5FeatureDataset.defaultChunkCacheBudget,
        threads: Int? = nil
    ) throws {
        try self.init(
            file: file, datasetPath: datasetPath, maximumRunRows: nil, chunkCacheBudget: chunkCacheBudget,
            threads: threads)
    }

    /// Opens `datasetPath`. `maximumRunRows` overrides the longest run the libhdf5 path reads
    /// at once; `fastPaths: false` keeps every read with libhdf5; `chunkIndexLimit` overrides
    /// the most chunks whose file offsets are indexed for `pread` (0: chunks are read with
    /// `H5Dread_chunk`); `countingSortBands` overrides the most chunk bands for which rows are
    /// grouped with a counting sort (0: always sort). Tests use all four.
    init(
        file: HDF5File, datasetPath: String, maximumRunRows runLimit: Int?,
        chunkCacheBudget: Int = HDF5FeatureDataset.defaultChunkCacheBudget, threads: Int? = nil, fastPaths: Bool = true,
        chunkIndexLimit: Int? = nil, countingSortBands: Int? = nil
    ) throws {
        guard chunkCacheBudget >= 0 else {
            throw HDF5Error.invalidArgument("the chunk cache budget must be 0 or more bytes, got \(chunkCacheBudget)")
        }
        if let threads, threads < 1 {
            throw HDF5Error.invalidArgument("a read needs at least 1 thread, got \(threads)")
        }
        let workers = threads ?? Self.defaultThreads
        self.file = file
        let opened = try HDF5Library.run { () throws -> (HDF5File.OpenedDataset, Int, Int, Int?, HDF5Handle, Reader, HDF5ReadPath) in
            let probe = try file.openDataset(datasetPath)
            let shape = try HDF5File.featureShape(probe.details, file: file.path, datasetPath: probe.path)
            var reopened = probe
            var cacheBytes: Int?
            if let chunk = probe.details.chunkShape, probe.details.layout == .chunked {
                let chunkBytes = chunk.reduce(max(probe.details.elementSize, 1), *)
                let cache = Self.chunkCache(chunkBytes: chunkBytes)
                let access = try HDF5Handle.checked(
                    H5Pcreate(chdf5_p_dataset_access()), closer: H5Pclose, file: file.path,
                    operation: "opening '\(probe.path)'")
                try HDF5Library.check(
                    H5Pset_chunk_cache(access.id, cache.slots, cache.bytes, 0.75), file: file.path,
                    operation: "setting the chunk cache of '\(probe.path)'")
                // HDF5 sets up a dataset's chunk cache when it is first opened and shares it
                // with later opens, so the probe must be closed before opening with the cache.
                try probe.handle.close(file: file.path)
                reopened = try file.openDataset(probe.path, access: access.id)
                cacheBytes = try Self.chunkCacheBytes(of: reopened.handle.id, file: file.path, datasetPath: probe.path)
            }
            let space = try HDF5Handle.checked(
                H5Dget_space(reopened.handle.id), closer: H5Sclose, file: file.path,
                operation: "opening '\(probe.path)'")
            let chosen: (Reader, HDF5ReadPath)
            if fastPaths {
                chosen = try Self.chooseReader(
                    opened: reopened, fileSpace: space, file: file, rowCount: shape.rowCount, dimension: shape.dimension,
                    cacheBudget: chunkCacheBudget, workers: workers, indexLimit: chunkIndexLimit)
            } else {
                chosen = (.library, .library(reason: "fast paths are switched off"))
            }
            return (reopened, shape.rowCount, shape.dimension, cacheBytes, space, chosen.0, chosen.1)
        }
        self.datasetPath = opened.0.path
        dataset = opened.0.handle
        elementType = opened.0.details.elementType
        layout = opened.0.details.layout
        chunkShape = opened.0.details.chunkShape
        rank = opened.0.details.shape.count
        rowCount = opened.1
        dimension = opened.2
        chunkCacheBytes = opened.3
        fileSpace = opened.4
        reader = opened.5
        readPath = opened.6
        if case .chunks(let chunked) = reader, let countingSortBands {
            chunked.countingSortBands = countingSortBands
        }
        self.chunkCacheBudget = chunkCacheBudget
        self.threads = workers
        maximumRunRows = max(1, runLimit ?? (1 << 20) / opened.2)
    }

    /// Asks the kernel to back a large fresh buffer with transparent huge pages (where it
    /// does so only on request): filling it then costs a page fault per 2 MiB instead of per
    /// 4 KiB, as NumPy does for its large arrays. Advice only; nothing changes if refused.
    static func adviseHugePages(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        let huge = 2 << 20
        guard byteCount >= 2 * huge else { return }
        let start = (Int(bitPattern: pointer) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: pointer) + byteCount) & ~(huge - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    /// The number of processors, at most 8.
    static var defaultThreads: Int {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return max(1, min(8, online > 0 ? online : 1))
    }

    /// Picks the fastest reader that gives the same values as libhdf5. Runs inside
    /// ``HDF5Library/run(_:)``.
    private static func chooseReader(
        opened: HDF5File.OpenedDataset, fileSpace: HDF5Handle, file: HDF5File, rowCount: Int, dimension: Int,
        cacheBudget: Int, workers: Int, indexLimit: Int?
    ) throws -> (Reader, HDF5ReadPath) {
        let details = opened.details
        let datasetID = opened.handle.id
        if details.layout == .compact {
            let values = try [Float](unsafeUninitializedCapacity: rowCount * dimension) { buffer, initialized in
                try HDF5File.readRows(
                    datasetID: datasetID, fileSpaceID: fileSpace.id, rank: details.shape.count, columns: dimension,
                    start: 0, count: rowCount, memoryType: chdf5_t_native_float(),
                    into: UnsafeMutableRawPointer(buffer.baseAddress!), file: file.path, datasetPath: opened.path)
                initialized = rowCount * dimension
            }
            return (.inMemory(values), .inMemory)
        }
        func fallback(_ reason: String) -> (Reader, HDF5ReadPath) { (.library, .library(reason: reason)) }
        guard 1.littleEndian == 1 else { return fallback("this machine is big-endian") }
        let type = try HDF5Handle.checked(
            H5Dget_type(datasetID), closer: H5Tclose, file: file.path, operation: "reading '\(opened.path)'")
        guard H5Tequal(type.id, chdf5_t_ieee_f32le()) > 0 else {
            _ = H5Eclear2(chdf5_e_default())
            return fallback("\(details.elementType) values are converted by libhdf5")
        }
        let create = try HDF5Handle.checked(
            H5Dget_create_plist(datasetID), closer: H5Pclose, file: file.path, operation: "reading '\(opened.path)'")
        guard H5Pget_external_count(create.id) == 0 else { return fallback("the values are in external files") }
        guard let direct = HDF5DirectFile(file: file) else {
            return fallback("libhdf5 does not read the file through its default (sec2) driver")
        }
        let result: Result<Reader, HDF5FastPathUnavailable>
        switch details.layout {
        case .contiguous:
            result = try HDF5ContiguousReader.make(
                datasetID: datasetID, file: file, direct: direct, datasetPath: opened.path, rank: details.shape.count,
                rowCount: rowCount, dimension: dimension, workers: workers
            ).map { .contiguous($0) }
        case .chunked:
            guard let chunk = details.chunkShape, chunk.count == details.shape.count, chunk.allSatisfy({ $0 > 0 }) else {
                return fallback("the chunk shape is unknown")
            }
            guard let pipeline = HDF5ChunkPipeline(filters: details.filters) else {
                let others = details.filters.filter { ![1, 2, 3].contains($0.id) }.map(\.description)
                return fallback("filter \(others.joined(separator: ", ")) is applied by libhdf5")
            }
            result = try HDF5ChunkedReader.make(
                datasetID: datasetID, file: file, direct: direct, datasetPath: opened.path, rank: details.shape.count,
                grid: HDF5ChunkedReader.Grid(rowCount: rowCount, dimension: dimension, chunkShape: chunk),
                pipeline: pipeline, cacheBudget: cacheBudget, workers: workers, indexLimit: indexLimit
            ).map { .chunks($0) }
        default:
            return fallback("the layout is \(details.layout?.rawValue ?? "unknown")")
        }
        switch result {
        case .success(let reader):
            if case .chunks = reader { return (reader, .chunks) }
            return (reader, .contiguous)
        case .failure(let unavailable):
            return fallback(unavailable.reason)
        }
    }

    // MARK: - Reads

    /// What the decoded-chunk cache holds and has done (all zero except the budget unless
    /// ``readPath`` is ``HDF5ReadPath/chunks``).
    package var chunkCacheStatistics: HDF5ChunkCacheStatistics {
        lock.withLock {
            guard case .chunks(let reader) = reader else {
                return HDF5ChunkCacheStatistics(
                    budget: chunkCacheBudget, cachedChunks: 0, cachedBytes: 0, hits: 0, decodedChunks: 0, peakBytes: 0)
            }
            return HDF5ChunkCacheStatistics(
                budget: chunkCacheBudget, cachedChunks: reader.cache.count, cachedBytes: reader.cache.bytesHeld,
                hits: reader.hits, decodedChunks: reader.decodedChunks, peakBytes: reader.peakBytes)
        }
    }

    /// All rows, row-major.
    ///
    /// - Throws: ``HDF5GuardError/exceedsMemory(file:dataset:what:bytes:limit:limitSource:)``
    ///   when the rows do not fit in memory; ``HDF5Error/library(file:operation:reason:)`` when
    ///   HDF5 (or the system) fails to read, ``HDF5Error/damagedData(file:dataset:detail:)`` for
    ///   damaged stored bytes.
    /// - Complexity: O(N·D); on the fast paths the work is split between `threads` threads.
    public func readAll() throws -> [Float] {
        try readRows(0..<rowCount)
    }

    /// Rows `rows`, row-major, read with one hyperslab (or, on the fast paths, straight from
    /// the file).
    ///
    /// - Throws: ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)`` when `rows` is not in
    ///   `0..<N`; ``HDF5GuardError/exceedsMemory(file:dataset:what:bytes:limit:limitSource:)``
    ///   when they do not fit in memory; ``HDF5Error/library(file:operation:reason:)`` when HDF5
    ///   fails to read; ``HDF5Error/damagedData(file:dataset:detail:)`` for damaged stored bytes.
    /// - Complexity: O(rows.count · D).
    public func readRows(_ rows: Range<Int>) throws -> [Float] {
        try HDF5File.checkRows(rows, rowCount: rowCount, file: file.path, datasetPath: datasetPath)
        if rows.isEmpty { return [] }
        try HDF5FileGuards.requireMemory(
            count: rows.count, elementBytes: dimension * MemoryLayout<Float>.size,
            what: "\(rows.count) rows × \(dimension) floats", file: file.path, dataset: datasetPath)
        let total = rows.count * dimension
        return try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            Self.adviseHugePages(UnsafeMutableRawPointer(base), byteCount: total * 4)
            try lock.withLock {
                rowsReadCount += rows.count
                switch reader {
                case .chunks(let chunked):
                    try chunked.read(rows, into: base)
                case .contiguous(let contiguous):
                    try contiguous.read(rows, into: base)
                case .inMemory(let values):
                    values.withUnsafeBufferPointer { values in
                        base.initialize(from: values.baseAddress! + rows.lowerBound * dimension, count: total)
                    }
                case .library:
                    try HDF5Library.run {
                        try read(start: rows.lowerBound, count: rows.count, into: base)
                    }
                }
            }
            initialized = total
        }
    }

    /// Rows `rows` (any order, repeats allowed) as a new row-major array; see
    /// ``gatherRows(_:into:)``.
    public func gatherRows(_ rows: [Int]) throws -> [Float] {
        let total = rows.count * dimension
        return try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            try rows.withUnsafeBufferPointer { try gatherRows($0, into: buffer) }
            initialized = total
        }
    }

    /// Copies rows `rows[0], rows[1], …` (any order, repeats allowed) into `destination`, row
    /// `i` at `destination[i * dimension ..< (i + 1) * dimension]`.
    ///
    /// Along the chunk path the rows are grouped by chunk and each chunk needed is
    /// read and decoded once for the whole call (or taken from the cache), on up to
    /// `threads` threads: the more rows per call, the fewer decodes per row. Along the
    /// contiguous path the rows are sorted and nearby ones read together. Along
    /// the libhdf5 path the distinct rows are sorted and adjacent ones merged into runs, each
    /// read with one hyperslab into a reusable scratch buffer and scattered to the requested
    /// positions (many hyperslabs OR-ed into one selection would cost O(k²) to build).
    ///
    /// - Throws: ``HDF5Error/invalidArgument(_:)`` when `destination` is too small,
    ///   ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)`` naming the first bad row,
    ///   ``HDF5Error/library(file:operation:reason:)`` when HDF5 (or the system) fails to read,
    ///   ``HDF5Error/damagedData(file:dataset:detail:)`` for a damaged chunk. On error the
    ///   destination's contents are unspecified.
    /// - Complexity: chunks: O(k + N / chunk rows) plus one decode per chunk touched and not
    ///   cached; contiguous and libhdf5: O(k log k + k·D) plus one read per run.
    public func gatherRows(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let d = dimension
        let k = rows.count
        guard destination.count >= k * d else {
            throw HDF5Error.invalidArgument(
                "\(file.path): destination holds \(destination.count) values, expected at least \(k * d) (\(k) rows × \(d))")
        }
        for row in rows where row < 0 || row >= rowCount {
            throw HDF5Error.rowOutOfRange(file: file.path, dataset: datasetPath, row: row, rowCount: rowCount)
        }
        guard k > 0, let target = destination.baseAddress else { return }
        try lock.withLock {
            rowsReadCount += k
            switch reader {
            case .chunks(let chunked):
                try chunked.gather(rows, into: target)
            case .contiguous(let contiguous):
                try contiguous.gather(rows, into: target)
            case .inMemory(let values):
                // The in-memory gather of every row source (rows requested ahead of the copy).
                values.withUnsafeBufferPointer { values in cvm_gather_rows(values.baseAddress!, d, rows.baseAddress!, k, target) }
            case .library:
                try gatherWithLibrary(rows, into: target)
            }
        }
    }

    /// The libhdf5 path of ``gatherRows(_:into:)``. Runs with `lock` held.
    private func gatherWithLibrary(_ rows: UnsafeBufferPointer<Int>, into target: UnsafeMutablePointer<Float>) throws {
        let d = dimension
        let k = rows.count
        var order = Array(0..<k)
        order.sort { rows[$0] < rows[$1] }
        let maximumRun = maximumRunRows
        try HDF5Library.run {
            var i = 0
            while i < k {
                let first = rows[order[i]]
                var end = first + 1
                var j = i + 1
                while j < k {
                    let row = rows[order[j]]
                    if row < end {
                        j += 1  // a repeat of the run's last row
                    } else if row == end && end - first < maximumRun {
                        end += 1
                        j += 1
                    } else {
                        break
                    }
                }
                let runRows = end - first
                if scratch.count < runRows * d {
                    scratch = [Float](repeating: 0, count: runRows * d)
                }
                try scratch.withUnsafeMutableBufferPointer { buffer in
                    guard let source = buffer.baseAddress else { return }
                    try read(start: first, count: runRows, into: source)
                    for position in order[i..<j] {
                        (target + position * d).update(from: source + (rows[position] - first) * d, count: d)
                    }
                }
                i = j
            }
        }
    }

    /// Reads rows `start ..< start + count` into `pointer`. Runs with `lock` held, inside
    /// ``HDF5Library/run(_:)``.
    private func read(start: Int, count: Int, into pointer: UnsafeMutablePointer<Float>) throws {
        try HDF5File.readRows(
            datasetID: dataset.id, fileSpaceID: fileSpace.id, rank: rank, columns: dimension, start: start,
            count: count, memoryType: chdf5_t_native_float(), into: UnsafeMutableRawPointer(pointer),
            file: file.path, datasetPath: datasetPath)
    }
}
