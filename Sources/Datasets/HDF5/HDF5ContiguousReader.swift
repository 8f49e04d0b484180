#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import CHDF5

/// Reads rows of a contiguous float32 little-endian dataset straight from the file with
/// `pread` at the dataset's offset: no libhdf5 call (and no library lock) per read.
///
/// Requested rows are sorted and cut into segments: adjacent rows, and rows a few hundred bytes
/// apart, are read with one `pread` (reading a small gap costs less than another system call).
/// Large requests are split between `workers` threads. Not thread-safe: the owning
/// ``HDF5FeatureDataset`` serialises calls.
final class HDF5ContiguousReader {
    /// Rows closer than this many bytes are read together.
    static let gapBytes = 2048
    /// The longest single read of a gather, in bytes.
    static let largestSegmentBytes = 1 << 20
    /// Pieces of a whole-range read, in bytes.
    static let pieceBytes = 8 << 20
    /// Gathers of fewer rows stay on one thread.
    static let parallelRows = 1024

    let file: HDF5DirectFile
    let datasetPath: String
    let rowCount: Int
    let dimension: Int
    /// The file offset of row 0.
    let offset: Int
    let workers: Int
    private let rowBytes: Int
    private var order: [Int] = []
    private var segments: [Segment] = []
    private var scratch: [UnsafeMutableRawBufferPointer]

    /// Rows `first...last` of the file, wanted by positions `order[start..<end]`.
    private struct Segment {
        var first: Int
        var last: Int
        var start: Int
        var end: Int
    }

    /// The reader, or why it cannot be used. Runs inside ``HDF5Library/run(_:)``.
    static func make(
        datasetID: hid_t, file: HDF5File, direct: HDF5DirectFile, datasetPath: String, rank: Int,
        rowCount: Int, dimension: Int, workers: Int
    ) throws -> Result<HDF5ContiguousReader, HDF5FastPathUnavailable> {
        let address = H5Dget_offset(datasetID)
        _ = H5Eclear2(chdf5_e_default())
        guard address != chdf5_haddr_undef(), address <= UInt64(Int.max) else {
            return .failure(HDF5FastPathUnavailable("no storage is allocated (libhdf5 supplies the fill value)"))
        }
        // Self-check: row 0 as libhdf5 reads it must be the bytes at the offset.
        let rowBytes = dimension * 4
        let expected = UnsafeMutableRawBufferPointer.allocate(byteCount: rowBytes, alignment: 16)
        let actual = UnsafeMutableRawBufferPointer.allocate(byteCount: rowBytes, alignment: 16)
        defer {
            expected.deallocate()
            actual.deallocate()
        }
        let space = try HDF5Handle.checked(
            H5Dget_space(datasetID), closer: H5Sclose, file: file.path, operation: "opening '\(datasetPath)'")
        do {
            try HDF5File.readRows(
                datasetID: datasetID, fileSpaceID: space.id, rank: rank, columns: dimension, start: 0, count: 1,
                memoryType: chdf5_t_native_float(), into: expected.baseAddress!, file: file.path, datasetPath: datasetPath)
        } catch {
            return .failure(HDF5FastPathUnavailable("libhdf5 cannot read row 0: \(error)"))
        }
        guard (try? direct.read(into: actual.baseAddress!, count: rowBytes, at: Int(address), dataset: datasetPath, what: "")) != nil,
              memcmp(actual.baseAddress!, expected.baseAddress!, rowBytes) == 0 else {
            return .failure(HDF5FastPathUnavailable("the bytes at the dataset's file offset are not row 0 as libhdf5 reads it"))
        }
        return .success(HDF5ContiguousReader(
            file: direct, datasetPath: datasetPath, rowCount: rowCount, dimension: dimension, offset: Int(address),
            workers: max(1, workers)))
    }

    private init(file: HDF5DirectFile, datasetPath: String, rowCount: Int, dimension: Int, offset: Int, workers: Int) {
        self.file = file
        self.datasetPath = datasetPath
        self.rowCount = rowCount
        self.dimension = dimension
        self.offset = offset
        self.workers = workers
        rowBytes = dimension * 4
        scratch = (0..<workers).map { _ in UnsafeMutableRawBufferPointer(start: nil, count: 0) }
    }

    deinit {
        for buffer in scratch { buffer.deallocate() }
    }

    /// Copies rows `rows[i]` (checked to be in range, any order, repeats allowed) to
    /// `destination + i * D`.
    ///
    /// - Throws: ``HDF5Error/damagedData(file:dataset:detail:)`` when rows lie past the end of
    ///   the file; system read errors as ``HDF5Error/library(file:operation:reason:)``.
    /// - Complexity: O(k log k) to sort k rows, then one `pread` per segment.
    func gather(_ rows: UnsafeBufferPointer<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        let k = rows.count
        if order.count != k {
            order = Array(0..<k)
        } else {
            for i in 0..<k { order[i] = i }
        }
        order.sort { rows[$0] < rows[$1] }
        let gapRows = Self.gapBytes / rowBytes
        let longest = max(1, Self.largestSegmentBytes / rowBytes)
        segments.removeAll(keepingCapacity: true)
        order.withUnsafeBufferPointer { order in
            var i = 0
            while i < k {
                let first = rows[order[i]]
                var last = first
                var j = i + 1
                while j < k {
                    let row = rows[order[j]]
                    if row <= last {
                        j += 1
                    } else if row - last - 1 <= gapRows && row - first < longest {
                        last = row
                        j += 1
                    } else {
                        break
                    }
                }
                segments.append(Segment(first: first, last: last, start: i, end: j))
                i = j
            }
        }
        let planned = segments
        let d = dimension
        let perTask = 64
        let taskCount = (planned.count + perTask - 1) / perTask
        let threads = k >= Self.parallelRows ? workers : 1
        for worker in 0..<threads where scratch[worker].count < Self.largestSegmentBytes {
            scratch[worker].deallocate()
            scratch[worker] = .allocate(byteCount: Self.largestSegmentBytes, alignment: 64)
        }
        let scratch = self.scratch
        try order.withUnsafeBufferPointer { order in
            try WorkPool.run(tasks: taskCount, workers: threads) { worker, task in
                let buffer = scratch[worker].baseAddress!
                for segment in planned[(task * perTask)..<min(planned.count, (task + 1) * perTask)] {
                    let count = segment.last - segment.first + 1
                    if count == 1 && segment.end - segment.start == 1 {
                        try readRows(segment.first, count: 1, into: UnsafeMutableRawPointer(destination + order[segment.start] * d))
                        continue
                    }
                    try readRows(segment.first, count: count, into: buffer)
                    let values = buffer.assumingMemoryBound(to: Float.self)
                    for position in order[segment.start..<segment.end] {
                        (destination + position * d).update(from: values + (rows[position] - segment.first) * d, count: d)
                    }
                }
            }
        }
    }

    /// Copies rows `range` (checked) to `destination`, row-major, in pieces on the workers.
    func read(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) throws {
        guard !range.isEmpty else { return }
        let pieceRows = max(1, Self.pieceBytes / rowBytes)
        let pieces = (range.count + pieceRows - 1) / pieceRows
        try WorkPool.run(tasks: pieces, workers: workers) { _, piece in
            let start = range.lowerBound + piece * pieceRows
            let count = min(pieceRows, range.upperBound - start)
            try readRows(start, count: count, into: UnsafeMutableRawPointer(destination + (start - range.lowerBound) * dimension))
        }
    }

    private func readRows(_ start: Int, count: Int, into pointer: UnsafeMutableRawPointer) throws {
        try file.read(
            into: pointer, count: count * rowBytes, at: offset + start * rowBytes, dataset: datasetPath,
            what: count == 1 ? "row \(start)" : "rows \(start)..<\(start + count)")
    }
}
