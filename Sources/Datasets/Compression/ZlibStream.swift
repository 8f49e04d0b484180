import CHDF5

extension UnsafeMutablePointer where Pointee == z_stream {
    /// Runs one call of zlib's `deflate` or `inflate` on this stream, from `source` after
    /// `consumed` into `output` between `produced` and `capacity`, and advances both counts.
    ///
    /// zlib's counts are 32-bit, so at most 4 GiB go in and out per call; callers loop. The
    /// stream's buffer pointers are cleared afterwards so it never holds a pointer past the call.
    ///
    /// - Parameters:
    ///   - operation: `deflate` or `inflate`.
    ///   - finishAtEnd: Pass `Z_FINISH` when this call reaches the end of `source` (deflate);
    ///     otherwise `Z_NO_FLUSH`.
    ///   - source: All of the input.
    ///   - consumed: Input bytes used so far; advanced by what zlib used.
    ///   - output: The start of the output buffer.
    ///   - capacity: The output buffer's size.
    ///   - produced: Output bytes written so far; advanced by what zlib wrote.
    /// - Returns: zlib's return code, and whether the call used or wrote any byte.
    /// - Complexity: O(bytes moved).
    func run(
        _ operation: (UnsafeMutablePointer<z_stream>?, Int32) -> Int32, finishAtEnd: Bool = false,
        source: UnsafeRawBufferPointer, consumed: inout Int,
        into output: UnsafeMutableRawPointer, capacity: Int, produced: inout Int
    ) -> (code: Int32, progressed: Bool) {
        let limit32 = Int(UInt32.max)
        let inChunk = Swift.min(source.count - consumed, limit32)
        let outChunk = Swift.min(capacity - produced, limit32)
        if let base = source.baseAddress, inChunk > 0 {
            pointee.next_in = UnsafeMutablePointer<UInt8>(mutating: base.assumingMemoryBound(to: UInt8.self) + consumed)
        } else {
            pointee.next_in = nil
        }
        pointee.avail_in = UInt32(inChunk)
        pointee.next_out = (output + produced).assumingMemoryBound(to: UInt8.self)
        pointee.avail_out = UInt32(outChunk)
        let flush = finishAtEnd && consumed + inChunk == source.count ? Z_FINISH : Z_NO_FLUSH
        let code = operation(self, flush)
        let usedIn = inChunk - Int(pointee.avail_in)
        let madeOut = outChunk - Int(pointee.avail_out)
        consumed += usedIn
        produced += madeOut
        pointee.next_in = nil
        pointee.next_out = nil
        return (code, usedIn > 0 || madeOut > 0)
    }
}

extension Zlib {
    /// Runs `body` on `data`'s bytes: in place when they are contiguous, else on a copy. The
    /// collection forms of compress, decompress and the checksums go through it.
    static func withBytes<R>(of data: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let result = try data.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(data).withUnsafeBytes(body)
    }

    /// Continues the running checksum `value` over `data` with zlib's `crc32_z` or `adler32_z`.
    static func checksum(
        _ data: UnsafeRawBufferPointer, continuing value: UInt32,
        _ function: (uLong, UnsafePointer<UInt8>?, Int) -> uLong
    ) -> UInt32 {
        guard let base = data.baseAddress, data.count > 0 else { return value }
        return UInt32(truncatingIfNeeded: function(uLong(value), base.assumingMemoryBound(to: UInt8.self), data.count))
    }
}
