#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import Datasets

/// `write(2)`, named apart from ``PNGImage/write(to:)``.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

extension PNGImage {
    /// `true` when some pixel is not opaque (the PNG then keeps an alpha channel).
    var hasTransparency: Bool {
        pixels.withUnsafeBufferPointer { p in
            var i = 3
            while i < p.count {
                if p[i] != 255 { return true }
                i += 4
            }
            return false
        }
    }

    /// Encodes the canvas as a PNG file's bytes.
    ///
    /// The file is 8-bit truecolour (colour type 2) when every pixel is opaque, otherwise
    /// 8-bit truecolour with alpha (colour type 6); not interlaced. Each row gets the PNG filter
    /// (None, Sub, Up, Average, Paeth) with the smallest sum of absolute filtered bytes, the
    /// usual heuristic of PNG encoders, and the rows are deflated with ``Zlib``.
    ///
    /// - Returns: Signature, IHDR, IDAT chunks (at most 1 MiB each), IEND; every chunk with
    ///   its CRC-32.
    /// - Throws: ``ZlibError`` if compression fails (it does not for valid input).
    /// - Complexity: O(width × height).
    func pngData(compressionLevel: Int = Zlib.defaultLevel) throws -> [UInt8] {
        let alpha = hasTransparency
        let channels = alpha ? 4 : 3
        let filtered = filteredScanlines(channels: channels)
        let compressed = try filtered.withUnsafeBytes { try Zlib.compress($0, level: compressionLevel) }

        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out.reserveCapacity(compressed.count + 128)
        var header = [UInt8]()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, alpha ? 6 : 2, 0, 0, 0]   // bit depth, colour type, compression, filter, interlace
        PNGImage.appendChunk("IHDR", header[...], to: &out)
        let piece = 1 << 20
        var start = 0
        repeat {
            let end = min(start + piece, compressed.count)
            PNGImage.appendChunk("IDAT", compressed[start..<end], to: &out)
            start = end
        } while start < compressed.count
        PNGImage.appendChunk("IEND", [][...], to: &out)
        return out
    }

    /// Writes the PNG to `path` atomically: the bytes go to a temporary file
    /// `.<name>.tmp-<pid>-<random>` in the same folder, which is flushed and then renamed over
    /// `path`, so a crash never leaves half a file and an existing file is replaced only by a
    /// complete one. Temporary files of the same target left by processes that no longer run
    /// (a killed run) are removed first.
    ///
    /// - Parameter path: The file to create or replace; its folder must exist and be writable.
    /// - Throws: ``PlotError/writeFailed(path:reason:)`` naming the missing or read-only folder,
    ///   or the system error; ``ZlibError`` from encoding.
    func write(to path: String) throws {
        let bytes = try pngData()
        try PNGImage.atomicWrite(bytes, to: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
    static func atomicWrite(_ bytes: [UInt8], to path: String) throws {
        do {
            try checkOutputPath(path)
        } catch FileSystemError.cannotWrite(let path, let reason) {
            throw PlotError.writeFailed(path: path, reason: reason)
        }
        let (folder, name) = splitPath(path)
        // The same temporary names as the HDF5 writer (`.<name>.tmp-<pid>-<random>`), so the
        // leftovers of a killed run are recognised and removed by the next write.
        AtomicFile.removeStaleTemporaries(folder: folder, name: name)
        let temporary = AtomicFile.temporaryPath(folder: folder, name: name)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PlotError.writeFailed(path: path, reason: "cannot create a temporary file in \(folder): \(systemMessage())")
        }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "writing failed: \(systemMessage())"
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = "flushing to disk failed: \(systemMessage())" }
        if close(fd) != 0 && failure == nil { failure = "closing failed: \(systemMessage())" }
        if failure == nil && rename(temporary, path) != 0 { failure = "renaming into place failed: \(systemMessage())" }
        if let failure {
            unlink(temporary)
            throw PlotError.writeFailed(path: path, reason: failure)
        }
    }

    private static func splitPath(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    private static func systemMessage() -> String {
        let code = errno
        return String(cString: strerror(code))
    }

    private static func appendChunk(_ type: String, _ data: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out.appendBigEndian(UInt32(data.count))
        out += typeBytes
        out += data
        let crc = Zlib.crc32(data, continuing: Zlib.crc32(typeBytes))
        out.appendBigEndian(crc)
    }

    /// Rows as PNG scanlines (one filter-type byte, then the filtered row), each with the
    /// filter that minimises the sum of absolute (signed) filtered bytes.
    private func filteredScanlines(channels: Int) -> [UInt8] {
        let rowBytes = width * channels
        let lineBytes = rowBytes + 1
        var out = [UInt8](repeating: 0, count: lineBytes * height)
        var previous = [UInt8](repeating: 0, count: rowBytes)
        var current = [UInt8](repeating: 0, count: rowBytes)
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { destination in
                for y in 0..<height {
                    // Gather the row in the output channel layout.
                    current.withUnsafeMutableBufferPointer { row in
                        let src = source.baseAddress! + y * width * 4
                        if channels == 4 {
                            row.baseAddress!.update(from: src, count: rowBytes)
                        } else {
                            for x in 0..<width {
                                row[3 * x] = src[4 * x]
                                row[3 * x + 1] = src[4 * x + 1]
                                row[3 * x + 2] = src[4 * x + 2]
                            }
                        }
                    }
                    let line = destination.baseAddress! + y * lineBytes
                    var bestScore = Int.max
                    for filter in 0..<5 {
                        let score = PNGImage.filter(filter, row: current, previous: previous, bpp: channels, into: &candidate)
                        if score < bestScore {
                            bestScore = score
                            line[0] = UInt8(filter)
                            candidate.withUnsafeBufferPointer { (line + 1).update(from: $0.baseAddress!, count: rowBytes) }
                        }
                    }
                    swap(&previous, &current)
                }
            }
        }
        return out
    }

    /// Applies PNG filter `type` to `row` and returns Σ|signed byte| of the result.
    private static func filter(_ type: Int, row: [UInt8], previous: [UInt8], bpp: Int, into out: inout [UInt8]) -> Int {
        row.withUnsafeBufferPointer { r in
            previous.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    var score = 0
                    for i in 0..<r.count {
                        let a = i >= bpp ? r[i - bpp] : 0
                        let b = p[i]
                        let c = i >= bpp ? p[i - bpp] : 0
                        let predictor: UInt8
                        switch type {
                        case 0: predictor = 0
                        case 1: predictor = a
                        case 2: predictor = b
                        case 3: predictor = UInt8((UInt16(a) + UInt16(b)) / 2)
                        default: predictor = paeth(a, b, c)
                        }
                        let value = r[i] &- predictor
                        o[i] = value
                        score += Int(Int8(bitPattern: value).magnitude)
                    }
                    return score
                }
            }
        }
    }

    /// The Paeth predictor of the PNG specification (section 9.4).
    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        if pb <= pc { return b }
        return c
    }
}

extension Array where Element == UInt8 {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
