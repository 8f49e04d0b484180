/// One filter of a chunked dataset's pipeline (compression, shuffle, checksum, …).
public struct HDF5Filter: Sendable, Equatable, CustomStringConvertible {
    /// The registered filter id (1 deflate, 2 shuffle, 3 fletcher32, 32000 lzf, …).
    public let id: Int
    /// The name stored in the file, or the well-known name of `id` when the file stores none.
    public let name: String
    /// The filter's client parameters (for deflate: the level).
    public let parameters: [UInt32]
    /// Whether libhdf5 can apply this filter here (built in or found as a plugin).
    public let isAvailable: Bool

    /// Creates a filter description.
    package init(id: Int, name: String, parameters: [UInt32], isAvailable: Bool) {
        self.id = id
        self.name = name
        self.parameters = parameters
        self.isAvailable = isAvailable
    }

    /// `deflate (level 4)`, `shuffle`, `fletcher32`, or `filter 32000 (lzf)` for others.
    public var description: String {
        switch id {
        case 1: return parameters.first.map { "deflate (level \($0))" } ?? "deflate"
        case 2: return "shuffle"
        case 3: return "fletcher32"
        case 4: return "szip"
        case 5: return "nbit"
        case 6: return "scaleoffset"
        default: return "filter \(id) (\(name))"
        }
    }

    /// The customary name of a registered filter id, for files that store no name.
    package static func wellKnownName(of id: Int) -> String {
        switch id {
        case 1: return "deflate"
        case 2: return "shuffle"
        case 3: return "fletcher32"
        case 4: return "szip"
        case 5: return "nbit"
        case 6: return "scaleoffset"
        case 307: return "bzip2"
        case 32000: return "lzf"
        case 32001: return "blosc"
        case 32004: return "lz4"
        case 32008: return "bitshuffle"
        case 32015: return "zstd"
        case 32026: return "blosc2"
        default: return "unknown"
        }
    }
}
