/// What was wrong with sampling parameters. Each description names what was found and what was
/// expected. Problems with the labels themselves (out of range, an empty class) are
/// ``Datasets/DatasetError``s.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A batch size that is not a positive multiple of the class count.
    case batchSizeNotMultiple(batchSize: Int, classCount: Int)
    /// A parameter outside its range (the message says which and why).
    case invalidParameter(String)
    /// More rows than 32-bit sample indices can address.
    case tooManySamples(Int)

    public var description: String {
        switch self {
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
