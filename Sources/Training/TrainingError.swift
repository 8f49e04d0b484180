/// A training parameter or data shape the trainer cannot use; the description says which and
/// what was expected.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .invalidParameter(let message): return message
        }
    }
}
