import CHDF5

// The libhdf5 chunk cache of a features dataset read through libhdf5: the size in effect and
// the size to set for a chunk size.
extension HDF5FeatureDataset {
    /// The chunk cache size in effect for the open dataset `datasetID`.
    static func chunkCacheBytes(of datasetID: hid_t, file: String, datasetPath: String) throws -> Int {
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
}
