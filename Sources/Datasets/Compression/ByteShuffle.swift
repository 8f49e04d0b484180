/// HDF5's byte-shuffle filter (`H5Z_FILTER_SHUFFLE`) and its inverse.
///
/// Shuffling a buffer of `n` elements of `s` bytes stores the first byte of every element, then
/// the second byte of every element, …, then the `s`-th: for 4-byte elements
/// `0123 0123 0123` becomes `000 111 222 333`. Bytes past the last whole element (when the
/// buffer is not a multiple of `s`) are copied as they are, at the end. As in HDF5's
/// `H5Zshuffle.c`, a buffer with 1-byte elements or fewer than two whole elements is copied
/// unchanged. HDF5 applies the shuffle before deflate when writing, so reading a chunk is
/// inflate, then ``unshuffle(source:into:elementSize:)``.
package enum ByteShuffle {
    /// Undoes HDF5's shuffle: `destination` gets the elements back in their usual byte order.
    ///
    /// - Parameters:
    ///   - source: Shuffled bytes.
    ///   - destination: As many bytes as `source`; must not overlap it.
    ///   - elementSize: Bytes per element (the HDF5 datatype size), at least 1.
    /// - Throws: ``ZlibError/invalidElementSize(_:)``, ``ZlibError/sizeMismatch(source:destination:)``.
    /// - Complexity: O(`source.count`); no allocation.
    package static func unshuffle(source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, elementSize: Int) throws {
        try transpose(source, destination, elementSize: elementSize, forward: false)
    }

    /// Applies HDF5's shuffle (for writing, and to test ``unshuffle(source:into:elementSize:)``).
    ///
    /// - Parameters:
    ///   - source: Elements in their usual byte order.
    ///   - destination: As many bytes as `source`; must not overlap it.
    ///   - elementSize: Bytes per element, at least 1.
    /// - Throws: ``ZlibError/invalidElementSize(_:)``, ``ZlibError/sizeMismatch(source:destination:)``.
    /// - Complexity: O(`source.count`); no allocation.
    package static func shuffle(source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, elementSize: Int) throws {
        try transpose(source, destination, elementSize: elementSize, forward: true)
    }

    private static func transpose(
        _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableRawBufferPointer, elementSize: Int, forward: Bool
    ) throws {
        guard elementSize >= 1 else { throw ZlibError.invalidElementSize(elementSize) }
        guard source.count == destination.count else {
            throw ZlibError.sizeMismatch(source: source.count, destination: destination.count)
        }
        guard let src = source.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let dst = destination.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = source.count
        precondition(src + count <= UnsafePointer(dst) || UnsafePointer(dst + count) <= src,
                     "ByteShuffle: source and destination overlap")
        let elements = count / elementSize
        guard elementSize > 1 && elements > 1 else {
            dst.update(from: src, count: count)
            return
        }
        if forward {
            // Read interleaved elements, write byte planes.
            for byte in 0..<elementSize {
                let plane = dst + byte * elements
                var from = src + byte
                for i in 0..<elements {
                    plane[i] = from.pointee
                    from += elementSize
                }
            }
        } else {
            // Read byte planes, write interleaved elements.
            switch elementSize {
            case 2: unshuffle2(src, dst, elements)
            case 4: unshuffle4(src, dst, elements)
            case 8: unshuffle8(src, dst, elements)
            default:
                for i in 0..<elements {
                    let element = dst + i * elementSize
                    for byte in 0..<elementSize {
                        element[byte] = src[byte * elements + i]
                    }
                }
            }
        }
        let whole = elements * elementSize
        if whole < count {
            (dst + whole).update(from: src + whole, count: count - whole)
        }
    }

    @inline(__always)
    private static func unshuffle2(_ planar: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ n: Int) {
        let p1 = planar + n
        for i in 0..<n {
            out[2 * i] = planar[i]
            out[2 * i + 1] = p1[i]
        }
    }

    @inline(__always)
    private static func unshuffle4(_ planar: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ n: Int) {
        let (p1, p2, p3) = (planar + n, planar + 2 * n, planar + 3 * n)
        for i in 0..<n {
            let o = out + 4 * i
            o[0] = planar[i]
            o[1] = p1[i]
            o[2] = p2[i]
            o[3] = p3[i]
        }
    }

    @inline(__always)
    private static func unshuffle8(_ planar: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, _ n: Int) {
        for i in 0..<n {
            let o = out + 8 * i
            var from = planar + i
            for byte in 0..<8 {
                o[byte] = from.pointee
                from += n
            }
        }
    }
}
