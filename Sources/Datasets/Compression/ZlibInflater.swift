import CHDF5

/// A reusable zlib decompressor: one zlib state, reset between streams, so inflating many HDF5
/// chunks costs no allocation after the first.
///
/// The value is non-copyable and every use is `mutating`, so the compiler guarantees that one
/// inflater is never used by two threads at once; give each thread its own.
///
/// ```swift
/// var inflater = try ZlibInflater()
/// let written = try inflater.inflate(source: compressedChunk, into: chunkBuffer)
/// ```
struct ZlibInflater: ~Copyable, @unchecked Sendable {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Creates the zlib state (about 40 KiB, allocated by zlib).
    ///
    /// - Throws: ``ZlibError/outOfMemory`` when zlib cannot allocate its state.
    init() throws {
        let state = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        state.initialize(to: z_stream())
        let code = inflateInit_(state, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            state.deinitialize(count: 1)
            state.deallocate()
            throw code == Z_MEM_ERROR ? ZlibError.outOfMemory : ZlibError.unexpected(code: code, operation: "inflateInit")
        }
        stream = state
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses one complete zlib stream into a buffer that must hold all of its output.
    ///
    /// - Parameters:
    ///   - source: A zlib (RFC 1950) stream and nothing after it.
    ///   - destination: Where the decompressed bytes go, from its start.
    /// - Returns: The number of bytes written (at most `destination.count`).
    /// - Throws: ``ZlibError/outputTooSmall(capacity:)`` when the output does not fit,
    ///   ``ZlibError/truncatedStream(consumed:produced:)`` when `source` ends early,
    ///   ``ZlibError/corruptStream(detail:)`` for bad data or a checksum mismatch,
    ///   ``ZlibError/trailingData(count:)`` when bytes follow the stream.
    /// - Complexity: O(`source.count` + output size); no allocation.
    mutating func inflate(source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        try reset()
        var consumed = 0
        var produced = 0
        var ended = false
        if let base = destination.baseAddress {
            ended = try pump(source, consumed: &consumed, into: base, capacity: destination.count, produced: &produced, producedBefore: 0)
        }
        if !ended {
            ended = try probeForEnd(source, consumed: &consumed, producedBefore: produced)
            guard ended else { throw ZlibError.outputTooSmall(capacity: destination.count) }
        }
        guard consumed == source.count else { throw ZlibError.trailingData(count: source.count - consumed) }
        return produced
    }

    /// Decompresses one complete zlib stream into a new array, growing it as needed.
    ///
    /// - Parameters:
    ///   - source: A zlib stream and nothing after it.
    ///   - limit: The most bytes the output may have (a guard against decompression bombs).
    /// - Returns: The decompressed bytes.
    /// - Throws: As ``inflate(source:into:)``, and ``ZlibError/outputLimitExceeded(limit:)``.
    /// - Complexity: O(output size), with O(log(output size)) reallocations.
    mutating func decompress(_ source: UnsafeRawBufferPointer, limit: Int = .max) throws -> [UInt8] {
        try reset()
        var capacity = Swift.min(Swift.max(limit, 0), Swift.max(256, source.count.multipliedReportingOverflow(by: 4).partialValue))
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(capacity, 1), alignment: 16)
        defer { buffer.deallocate() }
        var consumed = 0
        var produced = 0
        while true {
            if try pump(source, consumed: &consumed, into: buffer, capacity: capacity, produced: &produced, producedBefore: 0) {
                break
            }
            if capacity >= limit {
                guard try probeForEnd(source, consumed: &consumed, producedBefore: produced) else {
                    throw ZlibError.outputLimitExceeded(limit: limit)
                }
                break
            }
            let grown = capacity <= limit / 2 ? Swift.max(capacity * 2, 256) : limit
            let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            larger.copyMemory(from: buffer, byteCount: produced)
            buffer.deallocate()
            buffer = larger
            capacity = grown
        }
        guard consumed == source.count else { throw ZlibError.trailingData(count: source.count - consumed) }
        return [UInt8](UnsafeRawBufferPointer(start: buffer, count: produced))
    }

    private mutating func reset() throws {
        let code = inflateReset(stream)
        guard code == Z_OK else { throw ZlibError.unexpected(code: code, operation: "inflateReset") }
    }

    /// After the output space is used up: asks zlib for one more byte. The stream is complete
    /// only if zlib reaches its end (checking the Adler-32 trailer) without producing any.
    private mutating func probeForEnd(_ source: UnsafeRawBufferPointer, consumed: inout Int, producedBefore: Int) throws -> Bool {
        var scratch: UInt8 = 0
        var extra = 0
        let ended = try withUnsafeMutableBytes(of: &scratch) { byte in
            try pump(source, consumed: &consumed, into: byte.baseAddress!, capacity: 1, produced: &extra, producedBefore: producedBefore)
        }
        return ended && extra == 0
    }

    /// Runs zlib until the stream ends (returns `true`) or `capacity` bytes of output are
    /// written (returns `false`), 4 GiB at most per zlib call.
    private mutating func pump(
        _ source: UnsafeRawBufferPointer, consumed: inout Int,
        into output: UnsafeMutableRawPointer, capacity: Int, produced: inout Int, producedBefore: Int
    ) throws -> Bool {
        while true {
            if produced == capacity { return false }
            let (code, progressed) = stream.run(
                CHDF5.inflate, source: source, consumed: &consumed, into: output, capacity: capacity, produced: &produced)
            switch code {
            case Z_STREAM_END:
                return true
            case Z_OK, Z_BUF_ERROR:
                if !progressed {
                    if consumed == source.count {
                        throw ZlibError.truncatedStream(consumed: consumed, produced: producedBefore + produced)
                    }
                    throw ZlibError.unexpected(code: code, operation: "inflate (no progress)")
                }
            case Z_DATA_ERROR:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw ZlibError.corruptStream(detail: detail)
            case Z_NEED_DICT:
                throw ZlibError.corruptStream(detail: "the stream needs a preset dictionary")
            case Z_MEM_ERROR:
                throw ZlibError.outOfMemory
            default:
                throw ZlibError.unexpected(code: code, operation: "inflate")
            }
        }
    }
}
