import CHDF5

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
/// Any integer or float element type in either byte order is read as `Float` (libhdf5
/// converts while reading). Chunked datasets are opened with a chunk cache big enough for
/// several chunks, so neighbouring rows do not inflate the same chunk again.
///
/// **Threads.** One instance may be shared between threads: every read takes the instance's
/// lock (the scratch buffer and the dataspace selection are per instance), so reads from
/// several threads run one after another. For parallel reads give each thread its own
/// instance.
public final class HDF5FeatureDataset: FeatureRowSource, @unchecked Sendable {
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
    public let layout: HDF5ObjectInfo.Layout?
    /// The chunk shape of a chunked dataset.
    public let chunkShape: [Int]?
    /// The chunk cache size in bytes in effect for the dataset (`nil` when not chunked). When
    /// the same dataset is already open elsewhere in the process, HDF5 keeps the cache of that
    /// first opening.
    public let chunkCacheBytes: Int?

    private let rank: Int
    private let dataset: HDF5Handle
    private let fileSpace: HDF5Handle
    /// The longest run of adjacent rows read with one call (bounds the scratch buffer).
    private let maximumRunRows: Int
    /// Guards `scratch` and the selection on `fileSpace`.
    private let lock = HDF5Mutex()
    private var scratch: [Float] = []

    /// Opens `datasetPath` in the file at `path`.
    ///
    /// - Throws: ``HDF5Error`` as ``HDF5File/init(path:)`` and ``HDF5File/featureShape(at:)``.
    public convenience init(path: String, datasetPath: String = "/features") throws {
        try self.init(file: HDF5File(path: path), datasetPath: datasetPath)
    }

    /// Opens `datasetPath` in an open file.
    ///
    /// - Throws: ``HDF5Error`` as ``HDF5File/featureShape(at:)``: no such dataset, not
    ///   numeric, not one- or two-dimensional, empty, or an unavailable filter.
    public convenience init(file: HDF5File, datasetPath: String = "/features") throws {
        try self.init(file: file, datasetPath: datasetPath, maximumRunRows: nil)
    }

    /// Opens `datasetPath`; `maximumRunRows` overrides the longest run read at once (tests use
    /// it to exercise the splitting of long runs).
    init(file: HDF5File, datasetPath: String, maximumRunRows runLimit: Int?) throws {
        self.file = file
        let opened = try HDF5Library.run { () throws -> (HDF5File.OpenedDataset, Int, Int, Int?, HDF5Handle) in
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
            return (reopened, shape.rowCount, shape.dimension, cacheBytes, space)
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
        maximumRunRows = max(1, runLimit ?? (1 << 20) / opened.2)
    }

    /// The chunk cache size in effect for the open dataset `datasetID`.
    private static func chunkCacheBytes(of datasetID: hid_t, file: String, datasetPath: String) throws -> Int {
        let access = try HDF5Handle.checked(
            H5Dget_access_plist(datasetID), closer: H5Pclose, file: file, operation: "opening '\(datasetPath)'")
        var slots = 0
        var bytes = 0
        var preemption = 0.0
        try HDF5Library.check(
            H5Pget_chunk_cache(access.id, &slots, &bytes, &preemption), file: file,
            operation: "reading the chunk cache of '\(datasetPath)'")
        return bytes
    }

    /// Chunk cache size and hash slots for chunks of `chunkBytes` bytes: room for at least 8
    /// chunks (at least the 1 MiB default, at most 256 MiB unless one chunk is bigger), and
    /// about 100 slots per cached chunk, as the HDF5 guide advises.
    static func chunkCache(chunkBytes: Int) -> (bytes: Int, slots: Int) {
        let bytes = max(1 << 20, min(8 * chunkBytes, 256 << 20), chunkBytes)
        let chunks = max(1, bytes / max(chunkBytes, 1))
        var slots = min(max(521, 100 * chunks), 100_003)
        while !isPrime(slots) { slots += 1 }
        return (bytes, slots)
    }

    private static func isPrime(_ n: Int) -> Bool {
        if n < 2 { return false }
        var d = 2
        while d * d <= n {
            if n % d == 0 { return false }
            d += 1
        }
        return true
    }

    // MARK: - Reads

    /// All rows, row-major.
    ///
    /// - Throws: ``HDF5Error/library(file:operation:reason:)`` when HDF5 fails to read.
    /// - Complexity: O(N·D).
    public func readAll() throws -> [Float] {
        try readRows(0..<rowCount)
    }

    /// Rows `rows`, row-major, read with one hyperslab.
    ///
    /// - Throws: ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)`` when `rows` is not in
    ///   `0..<N`; ``HDF5Error/library(file:operation:reason:)`` when HDF5 fails to read.
    /// - Complexity: O(rows.count · D).
    public func readRows(_ rows: Range<Int>) throws -> [Float] {
        try HDF5File.checkRows(rows, rowCount: rowCount, file: file.path, datasetPath: datasetPath)
        if rows.isEmpty { return [] }
        let total = rows.count * dimension
        return try [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            try lock.withLock {
                try HDF5Library.run {
                    try read(start: rows.lowerBound, count: rows.count, into: base)
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
    /// The distinct rows are sorted and adjacent ones merged into runs; each run is read with
    /// one hyperslab into a reusable scratch buffer and scattered to the requested positions.
    /// (Many hyperslabs OR-ed into one selection would cost O(k²) to build.)
    ///
    /// - Throws: ``HDF5Error/invalidArgument(_:)`` when `destination` is too small,
    ///   ``HDF5Error/rowOutOfRange(file:dataset:row:rowCount:)`` naming the first bad row,
    ///   ``HDF5Error/library(file:operation:reason:)`` when HDF5 fails to read. On error the
    ///   destination's contents are unspecified.
    /// - Complexity: O(k log k + k·D) for k rows, plus one HDF5 read per run.
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

        var order = Array(0..<k)
        order.sort { rows[$0] < rows[$1] }
        let maximumRun = maximumRunRows
        try lock.withLock {
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
