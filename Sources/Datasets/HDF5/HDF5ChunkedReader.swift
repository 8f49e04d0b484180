#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Reads rows of a chunked float32 little-endian dataset whose filters are only deflate,
/// shuffle and fletcher32: each needed chunk's stored bytes are read once per call, decoded
/// here (zlib, unshuffle, checksum) on a few threads outside any libhdf5 lock, and the
/// requested rows copied out.
///
/// Stored bytes come from one of two places:
/// - **The file, with `pread`** (no libhdf5 call at all), when the dataset has at most
///   ``largestIndexedChunkCount`` chunks: their file offsets, stored sizes and filter masks are
///   read once, when the reader is made. (libhdf5 1.10 finds a chunk's address by walking the
///   whole chunk index, so building the index costs O(chunks²): fine for thousands of chunks,
///   not for a hundred thousand.)
/// - **libhdf5's `H5Dread_chunk`** (raw bytes, no filters), one short library call per chunk,
///   for datasets with more chunks. Decoding still runs outside the library.
///
/// A chunk that was never written (libhdf5 supplies the dataset's fill value) is read through
/// libhdf5 with a hyperslab, so its values are exactly libhdf5's.
///
/// Not thread-safe: the owning ``HDF5FeatureDataset`` serialises calls; inside a call the work
/// runs on `workers` threads.
final class HDF5ChunkedReader {
    /// The geometry of the chunk grid.
    struct Grid {
        /// N and D of the dataset.
        let rowCount: Int
        let dimension: Int
        /// The chunk's extent in rows and in columns (1 for a rank-1 dataset).
        let chunkRows: Int
        let chunkColumns: Int
        /// Chunks along the rows (bands) and along the columns.
        let bands: Int
        let columnChunks: Int

        /// Chunks in the grid.
        var chunkCount: Int { bands * columnChunks }
        /// Decoded bytes of one chunk (edge chunks are stored full size too).
        var chunkBytes: Int { chunkRows * chunkColumns * 4 }

        init(rowCount: Int, dimension: Int, chunkShape: [Int]) {
            self.rowCount = rowCount
            self.dimension = dimension
            chunkRows = chunkShape[0]
            chunkColumns = chunkShape.count > 1 ? chunkShape[1] : 1
            bands = (rowCount + chunkRows - 1) / chunkRows
            columnChunks = (dimension + chunkColumns - 1) / chunkColumns
        }

        /// The chunk's position in the dataset, for errors: `(row, column)` of its first value.
        func describe(_ chunk: Int) -> String {
            let band = chunk / columnChunks, column = chunk % columnChunks
            return "chunk \(chunk) (first value at [\(band * chunkRows), \(column * chunkColumns)])"
        }
    }

    /// The most chunks whose file offsets are read when opening (see the type's description).
    static let largestIndexedChunkCount = 4096

    let file: HDF5DirectFile
    let datasetPath: String
    let grid: Grid
    let pipeline: HDF5ChunkPipeline
    let workers: Int
    let cache: HDF5ChunkCache
    /// The chunk index for `pread`, or `nil` to read stored bytes through libhdf5.
    let index: Index?
    /// The open dataset, for `H5Dread_chunk` and for unwritten chunks; owned by the
    /// ``HDF5FeatureDataset`` that owns this reader.
    private let datasetID: hid_t
    private let rank: Int
    private let largestStored: Int
    private let decoders: [HDF5ChunkDecoder]

    /// Rows are grouped by band with a counting sort up to this many bands (or 4 per row); 0
    /// always sorts (tests use it).
    var countingSortBands = 1 << 16

    // Per-call scratch, reused.
    private var bandStarts: [Int] = []
    private var bandCursor: [Int] = []
    private var byBand: [Int] = []
    private var tasks: [Task] = []

    private(set) var hits = 0
    private(set) var decodedChunks = 0
    private(set) var peakBytes = 0

    /// File offsets, stored sizes (0: never written) and filter masks, by chunk number.
    struct Index {
        let addresses: [Int]
        let sizes: [Int]
        let masks: [UInt32]
    }

    /// One chunk to decode (or take from the cache) and the rows to copy out of it.
    private struct Task {
        var chunk: Int
        var band: Int
        var column: Int
        /// Gather: `byBand[start..<end]` are the positions wanting rows of this band.
        /// Range read: rows `start..<end` of the dataset.
        var start: Int
        var end: Int
        var cached: UnsafeRawPointer?
        var admitted: UnsafeMutableRawPointer?
    }

    /// The reader, or why it cannot be used. `indexLimit` overrides
    /// ``largestIndexedChunkCount`` (tests use 0 to read every chunk through libhdf5). Runs
    /// inside ``HDF5Library/run(_:)``.
    static func make(
        datasetID: hid_t, file: HDF5File, direct: HDF5DirectFile, datasetPath: String, rank: Int, grid: Grid,
        pipeline: HDF5ChunkPipeline, cacheBudget: Int, workers: Int, indexLimit: Int? = nil
    ) throws -> Result<HDF5ChunkedReader, HDF5FastPathUnavailable> {
        let largestStored = pipeline.largestStored(chunkBytes: grid.chunkBytes)
        var index: Index?
        if grid.chunkCount <= indexLimit ?? largestIndexedChunkCount {
            switch buildIndex(datasetID: datasetID, file: file, direct: direct, datasetPath: datasetPath, grid: grid, largestStored: largestStored) {
            case .success(let built): index = built
            case .failure(let unavailable): return .failure(unavailable)
            }
        }
        var decoders: [HDF5ChunkDecoder] = []
        for _ in 0..<max(1, workers) { decoders.append(try Self.decoder(file: file.path)) }
        return .success(HDF5ChunkedReader(
            file: direct, datasetPath: datasetPath, datasetID: datasetID, rank: rank, grid: grid, pipeline: pipeline,
            workers: max(1, workers), cacheBudget: cacheBudget, index: index, largestStored: largestStored,
            decoders: decoders))
    }

    private init(
        file: HDF5DirectFile, datasetPath: String, datasetID: hid_t, rank: Int, grid: Grid, pipeline: HDF5ChunkPipeline,
        workers: Int, cacheBudget: Int, index: Index?, largestStored: Int, decoders: [HDF5ChunkDecoder]
    ) {
        self.file = file
        self.datasetPath = datasetPath
        self.datasetID = datasetID
        self.rank = rank
        self.grid = grid
        self.pipeline = pipeline
        self.workers = workers
        cache = HDF5ChunkCache(budget: cacheBudget, chunkBytes: grid.chunkBytes)
        self.index = index
        self.largestStored = largestStored
        self.decoders = decoders
    }

    /// Bytes of decoded chunks cached plus the workers' scratch buffers.
    var bytesHeld: Int {
        cache.bytesHeld + decoders.reduce(0) { $0 + $1.bytesHeld }
    }

    // MARK: - Reads

    /// Copies rows `rows[i]` (checked to be in range, any order, repeats allowed) to
    /// `destination + i * D`.
    ///
    /// - Throws: ``HDF5Error/damagedData(file:dataset:detail:)`` for a damaged chunk; system
    ///   read errors as ``HDF5Error/library(file:operation:reason:)``.
    /// - Complexity: O(k + bands) to group k rows by band (O(k log k) when there are far more
    ///   bands than rows), then one read and one decode per chunk the rows touch that is not
    ///   cached.
    func gather(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        let k = rows.count
        let cr = grid.chunkRows
        let bands = grid.bands
        resize(&byBand, to: k)
        tasks.removeAll(keepingCapacity: true)
        if countingSortBands > 0 && bands <= max(countingSortBands, 4 * k) {
            // Group positions by band with a counting sort: O(k + bands).
            resize(&bandStarts, to: bands + 1)
            resize(&bandCursor, to: bands)
            bandStarts.withUnsafeMutableBufferPointer { starts in
                bandCursor.withUnsafeMutableBufferPointer { cursor in
                    byBand.withUnsafeMutableBufferPointer { byBand in
                        for b in 0...bands { starts[b] = 0 }
                        for row in rows { starts[row / cr + 1] += 1 }
                        for b in 0..<bands {
                            starts[b + 1] += starts[b]
                            cursor[b] = starts[b]
                        }
                        for (position, row) in rows.enumerated() {
                            let band = row / cr
                            byBand[cursor[band]] = position
                            cursor[band] += 1
                        }
                    }
                }
            }
            bandStarts.withUnsafeBufferPointer { starts in
                for band in 0..<bands where starts[band + 1] > starts[band] {
                    addTasks(band: band, start: starts[band], end: starts[band + 1])
                }
            }
        } else {
            // Far more bands than rows: sort the positions by band, O(k log k).
            for i in 0..<k { byBand[i] = i }
            byBand[0..<k].sort { rows[$0] / cr < rows[$1] / cr }
            var start = 0
            while start < k {
                let band = rows[byBand[start]] / cr
                var end = start + 1
                while end < k && rows[byBand[end]] / cr == band { end += 1 }
                addTasks(band: band, start: start, end: end)
                start = end
            }
        }
        try byBand.withUnsafeBufferPointer { order in
            try run(useCache: true) { task, decoded in
                self.scatter(task, decoded: decoded, rows: rows, order: order, into: destination)
            }
        }
    }

    /// One task per column chunk of `band`, for the positions `byBand[start..<end]`.
    private func addTasks(band: Int, start: Int, end: Int) {
        for column in 0..<grid.columnChunks {
            tasks.append(Task(
                chunk: band * grid.columnChunks + column, band: band, column: column, start: start, end: end,
                cached: nil, admitted: nil))
        }
    }

    /// Copies rows `range` (checked) to `destination`, row-major.
    ///
    /// Chunks that cover whole rows and lie wholly inside the range are decoded straight into
    /// the destination. The cache is neither used nor filled.
    func read(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        guard !range.isEmpty else { return }
        let cr = grid.chunkRows
        tasks.removeAll(keepingCapacity: true)
        for band in (range.lowerBound / cr)...((range.upperBound - 1) / cr) {
            for column in 0..<grid.columnChunks {
                tasks.append(Task(
                    chunk: band * grid.columnChunks + column, band: band, column: column,
                    start: max(range.lowerBound, band * cr), end: min(range.upperBound, (band + 1) * cr),
                    cached: nil, admitted: nil))
            }
        }
        let d = grid.dimension
        let direct = grid.chunkColumns == d
        for i in tasks.indices where direct {
            let first = tasks[i].band * cr
            if first >= range.lowerBound && first + cr <= range.upperBound {
                tasks[i].admitted = UnsafeMutableRawPointer(destination + (first - range.lowerBound) * d)
            }
        }
        try run(useCache: false) { task, decoded in
            if task.admitted != nil { return }  // decoded in place
            let first = task.band * cr
            let c0 = task.column * self.grid.chunkColumns
            let width = min(self.grid.chunkColumns, d - c0)
            let values = decoded.assumingMemoryBound(to: Float.self)
            if width == d && self.grid.chunkColumns == d {
                (destination + (task.start - range.lowerBound) * d).update(
                    from: values + (task.start - first) * d, count: (task.end - task.start) * d)
            } else {
                for row in task.start..<task.end {
                    (destination + (row - range.lowerBound) * d + c0).update(
                        from: values + (row - first) * self.grid.chunkColumns, count: width)
                }
            }
        }
    }

    /// Plans the cache (lookups, then admissions within the room left), runs the tasks on the
    /// workers, and hands each task's decoded chunk to `copy`.
    private func run(useCache: Bool, _ copy: (Task, UnsafeRawPointer) -> Void) throws {
        var admittedChunks: [Int] = []
        if useCache && cache.capacity > 0 {
            cache.beginRead()
            for i in tasks.indices {
                if let hit = cache.lookup(tasks[i].chunk) {
                    tasks[i].cached = hit
                    hits += 1
                }
            }
            for i in tasks.indices where tasks[i].cached == nil {
                guard let buffer = cache.admit(tasks[i].chunk) else { break }
                tasks[i].admitted = buffer
                admittedChunks.append(tasks[i].chunk)
            }
        }
        let tasks = self.tasks
        let decoders = self.decoders
        do {
            try WorkPool.run(tasks: tasks.count, workers: workers) { worker, index in
                let task = tasks[index]
                if let cached = task.cached {
                    copy(task, cached)
                    return
                }
                let decoded = try self.decode(task.chunk, with: decoders[worker], into: task.admitted)
                copy(task, decoded)
            }
        } catch {
            for chunk in admittedChunks { cache.remove(chunk) }
            throw error
        }
        decodedChunks += tasks.reduce(0) { $0 + ($1.cached == nil ? 1 : 0) }
        peakBytes = max(peakBytes, bytesHeld)
    }

    /// Reads and decodes chunk `chunk` with one worker's decoder, into `output` if given.
    /// Called from several threads at once, each with its own decoder: touches only immutable
    /// state, the file (`pread`) and libhdf5 (through ``HDF5Library/run(_:)``).
    private func decode(_ chunk: Int, with decoder: HDF5ChunkDecoder, into output: UnsafeMutableRawPointer?) throws -> UnsafeRawPointer {
        let stored: Int
        let mask: UInt32
        if let index {
            stored = index.sizes[chunk]
            mask = index.masks[chunk]
            if stored == 0 { return try readThroughLibrary(chunk, with: decoder, into: output) }
            try checkStoredSize(stored, chunk: chunk)
            let raw = decoder.rawBuffer(count: stored)
            try file.read(into: raw, count: stored, at: index.addresses[chunk], dataset: datasetPath, what: grid.describe(chunk))
        } else {
            var offset = chunkOffset(chunk)
            var size: hsize_t = 0
            let found = HDF5Library.run { () -> Bool in
                let status = H5Dget_chunk_storage_size(datasetID, &offset, &size)
                _ = H5Eclear2(chdf5_e_default())
                return status >= 0
            }
            // libhdf5 1.10 fails here for a chunk never written; reading that chunk's part of
            // the dataset through libhdf5 gives its fill value (or libhdf5's own error).
            if !found || size == 0 { return try readThroughLibrary(chunk, with: decoder, into: output) }
            stored = size > UInt64(Int.max) ? Int.max : Int(size)
            try checkStoredSize(stored, chunk: chunk)
            let raw = decoder.rawBuffer(count: stored)
            var filters: UInt32 = 0
            try HDF5Library.run {
                try HDF5Library.check(
                    chdf5_read_chunk(datasetID, chdf5_p_default(), &offset, &filters, raw, stored), file: file.path,
                    operation: "reading \(grid.describe(chunk)) of '\(datasetPath)'")
            }
            mask = filters
        }
        return try decoder.decode(
            rawCount: stored, pipeline: pipeline, mask: mask, chunkBytes: grid.chunkBytes, into: output,
            file: file.path, dataset: datasetPath, chunk: grid.describe(chunk))
    }

    private func checkStoredSize(_ stored: Int, chunk: Int) throws {
        guard stored <= largestStored else {
            throw HDF5Error.damagedData(
                file: file.path, dataset: datasetPath,
                detail: "\(grid.describe(chunk)) claims \(stored) stored bytes; expected at most \(largestStored) for a chunk of \(grid.chunkBytes) bytes")
        }
    }

    /// The dataset coordinates of chunk `chunk`'s first value (as many as the rank).
    private func chunkOffset(_ chunk: Int) -> [hsize_t] {
        let row = hsize_t((chunk / grid.columnChunks) * grid.chunkRows)
        return rank == 2 ? [row, hsize_t((chunk % grid.columnChunks) * grid.chunkColumns)] : [row]
    }

    /// A chunk that was never written: libhdf5 reads its part of the dataset (the fill value)
    /// into the chunk's layout, `chunkRows × chunkColumns`, through a hyperslab.
    private func readThroughLibrary(_ chunk: Int, with decoder: HDF5ChunkDecoder, into output: UnsafeMutableRawPointer?) throws -> UnsafeRawPointer {
        let target = output ?? decoder.rawBuffer(count: grid.chunkBytes)
        let first = (chunk / grid.columnChunks) * grid.chunkRows
        let column = (chunk % grid.columnChunks) * grid.chunkColumns
        let rows = min(grid.chunkRows, grid.rowCount - first)
        let columns = min(grid.chunkColumns, grid.dimension - column)
        let operation = "reading \(grid.describe(chunk)) (never written) of '\(datasetPath)'"
        try HDF5Library.run {
            let space = try HDF5Handle.checked(H5Dget_space(datasetID), closer: H5Sclose, file: file.path, operation: operation)
            var start: [hsize_t] = rank == 2 ? [hsize_t(first), hsize_t(column)] : [hsize_t(first)]
            var count: [hsize_t] = rank == 2 ? [hsize_t(rows), hsize_t(columns)] : [hsize_t(rows)]
            try HDF5Library.check(
                H5Sselect_hyperslab(space.id, H5S_SELECT_SET, &start, nil, &count, nil), file: file.path, operation: operation)
            var shape: [hsize_t] = rank == 2 ? [hsize_t(grid.chunkRows), hsize_t(grid.chunkColumns)] : [hsize_t(grid.chunkRows)]
            let memory = try HDF5Handle.checked(
                H5Screate_simple(Int32(rank), &shape, nil), closer: H5Sclose, file: file.path, operation: operation)
            var origin: [hsize_t] = rank == 2 ? [0, 0] : [0]
            try HDF5Library.check(
                H5Sselect_hyperslab(memory.id, H5S_SELECT_SET, &origin, nil, &count, nil), file: file.path, operation: operation)
            try HDF5Library.check(
                H5Dread(datasetID, chdf5_t_native_float(), memory.id, space.id, chdf5_p_default(), target), file: file.path,
                operation: operation)
        }
        return UnsafeRawPointer(target)
    }

    /// Copies the rows of `task` out of its decoded chunk.
    @inline(__always)
    private func scatter(
        _ task: Task, decoded: UnsafeRawPointer, rows: UnsafeBufferPointer<Int>, order byBand: UnsafeBufferPointer<Int>,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let d = grid.dimension
        let cc = grid.chunkColumns
        let first = task.band * grid.chunkRows
        let c0 = task.column * cc
        let width = min(cc, d - c0)
        let values = decoded.assumingMemoryBound(to: Float.self)
        if width == 1 {
            for i in task.start..<task.end {
                let position = byBand[i]
                destination[position * d + c0] = values[(rows[position] - first) * cc]
            }
        } else {
            for i in task.start..<task.end {
                let position = byBand[i]
                (destination + position * d + c0).update(from: values + (rows[position] - first) * cc, count: width)
            }
        }
    }

    private func resize(_ array: inout [Int], to count: Int) {
        if array.count < count { array.append(contentsOf: repeatElement(0, count: count - array.count)) }
    }
}
