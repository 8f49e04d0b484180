/// What went wrong while compressing or decompressing with zlib. Each case's description says
/// what was found and what was expected.
package enum ZlibError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A compression level outside `0...9`.
    case invalidLevel(Int)
    /// The input is not a valid zlib stream (bad header, bad block, checksum mismatch, …);
    /// `detail` is zlib's own message.
    case corruptStream(detail: String)
    /// The input ended before the zlib stream did.
    case truncatedStream(consumed: Int, produced: Int)
    /// The stream decompresses to more bytes than the destination holds.
    case outputTooSmall(capacity: Int)
    /// The stream decompresses to more than the caller's limit.
    case outputLimitExceeded(limit: Int)
    /// Bytes follow the end of the zlib stream.
    case trailingData(count: Int)
    /// The destination of a compression is smaller than ``Zlib/compressBound(_:)``.
    case compressionBufferTooSmall(capacity: Int, needed: Int)
    /// Element size below 1 for a shuffle.
    case invalidElementSize(Int)
    /// Source and destination of a shuffle differ in size.
    case sizeMismatch(source: Int, destination: Int)
    /// zlib could not allocate its state.
    case outOfMemory
    /// zlib returned a code this wrapper does not expect (a bug here or in zlib).
    case unexpected(code: Int32, operation: String)

    package var description: String {
        switch self {
        case .invalidLevel(let level):
            return "zlib compression level \(level) is out of range; expected 0 (store) … 9 (best)"
        case .corruptStream(let detail):
            return "the zlib stream is corrupt (\(detail)); expected a valid zlib (RFC 1950) stream"
        case .truncatedStream(let consumed, let produced):
            return "the zlib stream ends early: all \(consumed) input bytes were used after producing \(produced) bytes, but the stream's end marker was not reached"
        case .outputTooSmall(let capacity):
            return "the zlib stream decompresses to more than the \(capacity) bytes the destination holds; expected it to fit exactly"
        case .outputLimitExceeded(let limit):
            return "the zlib stream decompresses to more than the limit of \(limit) bytes"
        case .trailingData(let count):
            return "\(count) byte\(count == 1 ? "" : "s") follow the end of the zlib stream; expected the input to end with the stream"
        case .compressionBufferTooSmall(let capacity, let needed):
            return "the compression destination holds \(capacity) bytes; expected at least \(needed) (Zlib.compressBound)"
        case .invalidElementSize(let size):
            return "shuffle element size \(size) is invalid; expected 1 or more bytes"
        case .sizeMismatch(let source, let destination):
            return "shuffle source has \(source) bytes but destination has \(destination); expected the same size"
        case .outOfMemory:
            return "zlib could not allocate memory for its state"
        case .unexpected(let code, let operation):
            return "zlib \(operation) returned unexpected code \(code)"
        }
    }
}
