/// What was wrong with sampling parameters. Each description names what was found and what was
/// expected. Problems with the labels themselves (out of range, an empty class) are
/// ``Datasets/DatasetError``s.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter outside its range (the message says which and why).
    case invalidParameter(String)
    /// More rows than 32-bit sample indices can address.
    case tooManySamples(Int)

    public var description: String {
        switch self {
        case .invalidParameter(let message):
            return message
        case .tooManySamples(let n):
            return "\(n) samples is more than 32-bit indices can address (at most \(Int32.max))"
        }
    }
}
