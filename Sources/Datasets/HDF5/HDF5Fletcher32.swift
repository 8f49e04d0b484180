/// The Fletcher-32 checksum as HDF5's `fletcher32` filter (`H5Z_FILTER_FLETCHER32`) computes
/// and stores it, so the chunk reader can verify chunks itself.
///
/// The data are summed as big-endian 16-bit words (an odd last byte counts as the high byte of
/// a word), `a += word; b += a`, folding both sums to 16 bits with an end-around carry after
/// every 360 words, after an odd last byte, and once more at the end; the checksum is
/// `b << 16 | a`. (With end-around carries a sum may end as `0xFFFF` where `mod 65535` would
/// give 0: the folds, not a modulo, are what HDF5 stores.) The filter appends the checksum as 4
/// little-endian bytes. HDF5 releases before 1.6.3 stored it with the bytes of each 16-bit half
/// swapped on little-endian machines; libhdf5 accepts both, and so does ``matches(_:stored:)``.
package enum HDF5Fletcher32 {
    /// The checksum of `bytes`.
    ///
    /// - Complexity: O(`bytes.count`); no allocation.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        let count = bytes.count
        var a: UInt32 = 0
        var b: UInt32 = 0
        var words = count / 2
        var p = base
        while words > 0 {
            let block = min(words, 360)
            words -= block
            for _ in 0..<block {
                a &+= UInt32(p[0]) << 8 | UInt32(p[1])
                b &+= a
                p += 2
            }
            a = fold(a)
            b = fold(b)
        }
        if count % 2 == 1 {
            a &+= UInt32(p[0]) << 8
            b &+= a
            a = fold(a)
            b = fold(b)
        }
        a = fold(a)
        b = fold(b)
        return b << 16 | a
    }

    /// Whether `stored` (the 4 bytes the filter appended, read little-endian) is the checksum of
    /// `bytes`, in either of the two byte arrangements libhdf5 accepts.
    package static func matches(_ bytes: UnsafeRawBufferPointer, stored: UInt32) -> Bool {
        let computed = checksum(bytes)
        let halvesSwapped = (computed & 0x00FF_00FF) << 8 | (computed & 0xFF00_FF00) >> 8
        return stored == computed || stored == halvesSwapped
    }

    @inline(__always)
    private static func fold(_ sum: UInt32) -> UInt32 {
        (sum & 0xFFFF) &+ (sum >> 16)
    }
}
