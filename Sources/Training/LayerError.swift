/// What was wrong when building or running a layer or network: each case's description names
/// the value found and what was expected.
public enum LayerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A hyperparameter outside its valid range, e.g. an RReLU with `lower > upper`.
    case invalidHyperparameter(name: String, value: Double, expected: String)
    /// A layer size (features, hidden units, classes) below 1.
    case invalidSize(name: String, value: Int)
    /// A matrix whose shape does not fit the layer, e.g. input rows with the wrong number of
    /// features.
    case shapeMismatch(name: String, rows: Int, columns: Int, expected: String)
    /// `backward` was called before any `forward` pass.
    case noForwardPass

    public var description: String {
        switch self {
        case .invalidHyperparameter(let name, let value, let expected):
            return "\(name) is \(value); expected \(expected)"
        case .invalidSize(let name, let value):
            return "\(name) is \(value); expected at least 1"
        case .shapeMismatch(let name, let rows, let columns, let expected):
            return "\(name) is \(rows)×\(columns); expected \(expected)"
        case .noForwardPass:
            return "backward was called before forward; run a forward pass on the batch first"
        }
    }
}
