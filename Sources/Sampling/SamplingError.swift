/// What was wrong with labels or sampling parameters. Each description names what was found and
/// what was expected.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A class with no samples; a balanced batch cannot hold any of it.
    case emptyClass(label: Int, classCount: Int)
    /// A label outside `0..<classCount`.
    case labelOutOfRange(row: Int, label: Int64, classCount: Int)
    /// A batch size that is not a positive multiple of the class count.
    case batchSizeNotMultiple(batchSize: Int, classCount: Int)
    /// A parameter outside its range (the message says which and why).
    case invalidParameter(String)
    /// More rows than 32-bit sample indices can address.
    case tooManySamples(Int)

    public var description: String {
        switch self {
        case .emptyClass(let label, let classCount):
            return "class \(label) has no samples; every class in 0..<\(classCount) needs at least one for balanced batches"
        case .labelOutOfRange(let row, let label, let classCount):
            return "label \(label) at row \(row) is out of range; expected labels in 0..<\(classCount)"
        case .batchSizeNotMultiple(let batchSize, let classCount):
            let below = (batchSize / classCount) * classCount
            let above = below + classCount
            var options = [String]()
            if below >= classCount { options.append(String(below)) }
            options.append(String(above))
            let nearest = options.joined(separator: " or ")
            return "batch size \(batchSize) is not a multiple of the \(classCount) classes; a balanced batch holds the same number of each class, so use \(nearest)"
        case .invalidParameter(let message):
            return message
        case .tooManySamples(let n):
            return "\(n) samples is more than 32-bit indices can address (at most \(Int32.max))"
        }
    }
}
