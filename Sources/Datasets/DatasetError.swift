/// What was wrong with data handed to `Datasets`: each case's description names what was found
/// and what was expected, in words a user can act on.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A shape or size that cannot be used.
    case invalidShape(String)
    /// Feature rows and labels disagree in number.
    case lengthMismatch(features: Int, labels: Int)
    /// A label outside `0..<classCount`.
    case labelOutOfRange(row: Int, label: Int64, classCount: Int)
    /// A generator parameter that cannot be used.
    case invalidParameter(String)
    /// Feature values that are NaN or infinite.
    case nonFinite(count: Int, firstRow: Int)
    /// An output file that cannot be written there.
    case cannotWrite(path: String, reason: String)
    /// An output file that exists and may not be replaced.
    case outputExists(path: String)

    public var description: String {
        switch self {
        case .invalidShape(let message):
            return message
        case .lengthMismatch(let features, let labels):
            return "features have \(features) rows but labels have \(labels); expected the same number"
        case .labelOutOfRange(let row, let label, let classCount):
            return "label \(label) at row \(row) is out of range; expected labels in 0..<\(classCount)"
        case .invalidParameter(let message):
            return message
        case .nonFinite(let count, let firstRow):
            return "features contain \(count) NaN or infinite value\(count == 1 ? "" : "s") (first at row \(firstRow)); expected finite numbers"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .outputExists(let path):
            return "\(path) already exists; pass --force to overwrite"
        }
    }
}
