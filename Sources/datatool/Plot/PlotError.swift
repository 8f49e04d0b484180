/// What went wrong while drawing, encoding or saving an image. Each case's
/// description names what was wrong and what was expected.
enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An image size that cannot be used.
    case invalidSize(width: Int, height: Int, reason: String)
    /// Plot data that cannot be drawn (shapes disagree, a label out of range, …).
    case invalidData(String)
    /// The file could not be written; nothing was left at `path`.
    case writeFailed(path: String, reason: String)

    var description: String {
        switch self {
        case .invalidSize(let width, let height, let reason):
            return "image size \(width)×\(height) cannot be used: \(reason)"
        case .invalidData(let message):
            return message
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
