/// What the decoded-chunk cache of an ``HDF5FeatureDataset`` read along the ``HDF5ReadPath/chunks``
/// path holds and has done, for sizing its budget.
package struct HDF5ChunkCacheStatistics: Sendable, Equatable {
    /// The most bytes of decoded chunks the cache may hold.
    package var budget: Int
    /// Decoded chunks held now.
    package var cachedChunks: Int
    /// Bytes of decoded chunks allocated now (at most `budget`).
    package var cachedBytes: Int
    /// Chunk uses served from the cache.
    package var hits: Int
    /// Chunks read and decoded (cache misses, and every chunk of a whole-range read).
    package var decodedChunks: Int
    /// The most bytes held at once: cached chunks plus the workers' scratch buffers (stored
    /// and decoded chunk bytes). Rows being gathered are the caller's, not counted.
    package var peakBytes: Int
}
