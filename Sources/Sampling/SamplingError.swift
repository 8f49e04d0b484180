/// What was wrong with labels or sampling parameters. Each description names what was found and
/// what was expected.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A class with no samples under a policy that draws every class.
    case emptyClass(label: Int, classCount: Int)
    /// A label outside `0..<classCount`.
    case labelOutOfRange(row: Int, label: Int64, classCount: Int)
    /// A parameter outside its range (the message says which and why).
    case invalidParameter(String)
    /// More rows than 32-bit sample indices can address.
    case tooManySamples(Int)

    public var description: String {
        switch self {
        case .emptyClass(let label, let classCount):
            return "class \(label) has no samples; every class in 0..<\(classCount) needs at least one for this sampling policy (balanced, progressive and weighted draw every class)"
        case .labelOutOfRange(let row, let label, let classCount):
            return "label \(label) at row \(row) is out of range; expected labels in 0..<\(classCount)"
        case .invalidParameter(let message):
            return message
        case .tooManySamples(let n):
            return "\(n) samples is more than 32-bit indices can address (at most \(Int32.max))"
        }
    }
}
