/// How an ``HDF5FeatureDataset`` reads its rows, chosen once when it is opened.
///
/// The fast paths read the file's bytes with `pread` (no libhdf5 call, so no library lock, per
/// read) and apply only when the stored values are already the `Float`s wanted: IEEE float32,
/// little-endian, on a little-endian machine. Everything else goes through libhdf5, which
/// converts types and applies any filter; the results are the same bit for bit either way.
package enum HDF5ReadPath: Sendable, Equatable, CustomStringConvertible {
    /// A chunked dataset whose filters are only deflate, shuffle and fletcher32 (any subset,
    /// any order, honouring each chunk's filter mask): each needed chunk is read once per call
    /// and decoded here, on several threads, then the rows are copied out.
    case chunks
    /// A contiguous dataset: rows are read at the dataset's file offset, adjacent rows in one
    /// read.
    case contiguous
    /// A compact dataset (stored in its object header, at most 64 KiB): read once when opened
    /// and served from memory.
    case inMemory
    /// libhdf5 reads a hyperslab per run of adjacent rows and converts the element type;
    /// `reason` says why no fast path applies (the element type, a filter, …).
    case library(reason: String)

    /// `chunks`, `contiguous`, `in memory`, or `libhdf5 (reason)`.
    package var description: String {
        switch self {
        case .chunks: return "chunks"
        case .contiguous: return "contiguous"
        case .inMemory: return "in memory"
        case .library(let reason): return "libhdf5 (\(reason))"
        }
    }
}

/// Why a fast read path cannot be used for a dataset: it stays with libhdf5.
struct HDF5FastPathUnavailable: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
