import CHDF5

/// zlib (RFC 1950) compression and the CRC-32 and Adler-32 checksums, over the system zlib.
///
/// Every call sets up its own zlib state, so all of these may run on many threads at once.
/// For many small streams in a row (HDF5 chunks), ``ZlibInflater`` reuses one state.
///
/// ```swift
/// let packed = try Zlib.compress(Array("hello, hello, hello".utf8), level: 9)
/// let bytes = try Zlib.decompress(packed)          // the 19 bytes again
/// Zlib.crc32(Array("hello".utf8))                  // 0x3610A686
/// ```
package enum Zlib {
    /// The default compression level, zlib's usual balance of speed and size.
    package static let defaultLevel = 6

    // MARK: - Compression

    /// Compresses bytes into a zlib stream.
    ///
    /// - Parameters:
    ///   - data: The bytes to compress.
    ///   - level: 0 (store only) … 9 (smallest, slowest).
    /// - Returns: A zlib stream (2-byte header, deflate blocks, Adler-32 trailer).
    /// - Throws: ``ZlibError/invalidLevel(_:)``; ``ZlibError/outOfMemory``.
    /// - Complexity: O(`data.count`).
    package static func compress(_ data: UnsafeRawBufferPointer, level: Int = defaultLevel) throws -> [UInt8] {
        guard (0...9).contains(level) else { throw ZlibError.invalidLevel(level) }
        return try [UInt8](unsafeUninitializedCapacity: compressBound(data.count)) { buffer, count in
            count = try compress(source: data, into: UnsafeMutableRawBufferPointer(buffer), level: level)
        }
    }

    /// Compresses a collection of bytes into a zlib stream; see ``compress(_:level:)-(UnsafeRawBufferPointer,_)``.
    package static func compress(_ data: some Collection<UInt8>, level: Int = defaultLevel) throws -> [UInt8] {
        try withBytes(of: data) { try compress($0, level: level) }
    }

    /// The most bytes a zlib stream of `count` input bytes can take, at any level.
    package static func compressBound(_ count: Int) -> Int {
        Int(CHDF5.compressBound(uLong(count)))
    }

    /// Compresses into a caller's buffer, without allocating on the Swift side.
    ///
    /// - Parameters:
    ///   - source: The bytes to compress.
    ///   - destination: At least ``compressBound(_:)`` of `source.count` bytes.
    ///   - level: 0 … 9.
    /// - Returns: The number of bytes written.
    /// - Throws: ``ZlibError/invalidLevel(_:)``,
    ///   ``ZlibError/compressionBufferTooSmall(capacity:needed:)``, ``ZlibError/outOfMemory``.
    /// - Complexity: O(`source.count`).
    package static func compress(source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int = defaultLevel) throws -> Int {
        guard (0...9).contains(level) else { throw ZlibError.invalidLevel(level) }
        let needed = compressBound(source.count)
        guard destination.count >= needed, let output = destination.baseAddress else {
            throw ZlibError.compressionBufferTooSmall(capacity: destination.count, needed: needed)
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let initCode = deflateInit_(stream, Int32(level), zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else {
            throw initCode == Z_MEM_ERROR ? ZlibError.outOfMemory : ZlibError.unexpected(code: initCode, operation: "deflateInit")
        }
        defer { deflateEnd(stream) }
        var consumed = 0
        var produced = 0
        while true {
            let (code, progressed) = stream.run(
                deflate, finishAtEnd: true, source: source, consumed: &consumed,
                into: output, capacity: destination.count, produced: &produced)
            switch code {
            case Z_STREAM_END:
                return produced
            case Z_OK, Z_BUF_ERROR:
                guard progressed else {
                    throw ZlibError.unexpected(code: code, operation: "deflate (no progress)")
                }
            default:
                throw ZlibError.unexpected(code: code, operation: "deflate")
            }
        }
    }

    // MARK: - Decompression

    /// Decompresses one complete zlib stream of unknown output size.
    ///
    /// - Parameters:
    ///   - data: A zlib stream and nothing after it.
    ///   - limit: The most bytes the output may have (a guard against decompression bombs).
    /// - Returns: The decompressed bytes.
    /// - Throws: ``ZlibError/corruptStream(detail:)``, ``ZlibError/truncatedStream(consumed:produced:)``,
    ///   ``ZlibError/trailingData(count:)``, ``ZlibError/outputLimitExceeded(limit:)``.
    /// - Complexity: O(output size).
    package static func decompress(_ data: UnsafeRawBufferPointer, limit: Int = .max) throws -> [UInt8] {
        var inflater = try ZlibInflater()
        return try inflater.decompress(data, limit: limit)
    }

    /// Decompresses a collection of bytes; see ``decompress(_:limit:)-(UnsafeRawBufferPointer,_)``.
    package static func decompress(_ data: some Collection<UInt8>, limit: Int = .max) throws -> [UInt8] {
        try withBytes(of: data) { try decompress($0, limit: limit) }
    }

    /// Decompresses one complete zlib stream into a buffer that must hold all of its output,
    /// without allocating on the Swift side (zlib allocates its own state; use
    /// ``ZlibInflater`` to reuse it across calls).
    ///
    /// - Parameters:
    ///   - source: A zlib stream and nothing after it.
    ///   - destination: Where the output goes, from its start.
    /// - Returns: The number of bytes written.
    /// - Throws: ``ZlibError/outputTooSmall(capacity:)`` when the output does not fit, and the
    ///   errors of ``decompress(_:limit:)-(UnsafeRawBufferPointer,_)``.
    package static func inflate(source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        var inflater = try ZlibInflater()
        return try inflater.inflate(source: source, into: destination)
    }

    // MARK: - Checksums

    /// The CRC-32 (ISO 3309, as in PNG, gzip and Python's `zlib.crc32`) of `data`.
    ///
    /// - Parameters:
    ///   - data: The bytes.
    ///   - crc: The CRC of the bytes before `data`, to checksum in pieces; 0 to start.
    /// - Returns: The running CRC-32.
    /// - Complexity: O(`data.count`).
    package static func crc32(_ data: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        checksum(data, continuing: crc, crc32_z)
    }

    /// The CRC-32 of a collection of bytes; see ``crc32(_:continuing:)-(UnsafeRawBufferPointer,_)``.
    package static func crc32(_ data: some Collection<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        withBytes(of: data) { crc32($0, continuing: crc) }
    }

    /// The Adler-32 (RFC 1950, as in Python's `zlib.adler32`) of `data`.
    ///
    /// - Parameters:
    ///   - data: The bytes.
    ///   - adler: The checksum of the bytes before `data`; 1 to start.
    /// - Returns: The running Adler-32.
    /// - Complexity: O(`data.count`).
    package static func adler32(_ data: UnsafeRawBufferPointer, continuing adler: UInt32 = 1) -> UInt32 {
        checksum(data, continuing: adler, adler32_z)
    }

    /// The Adler-32 of a collection of bytes; see ``adler32(_:continuing:)-(UnsafeRawBufferPointer,_)``.
    package static func adler32(_ data: some Collection<UInt8>, continuing adler: UInt32 = 1) -> UInt32 {
        withBytes(of: data) { adler32($0, continuing: adler) }
    }
}
