/// An optimizer hyperparameter PyTorch would reject: each case's description names the value
/// and what was expected.
public enum OptimizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A hyperparameter outside its valid range (a negative learning rate, a β outside
    /// [0, 1), …).
    case invalidHyperparameter(name: String, value: Double, expected: String)
    /// Nesterov momentum asked for without a positive momentum or with a non-zero dampening.
    case nesterovNeedsMomentumWithoutDampening(momentum: Double, dampening: Double)
    /// A saved state (``OptimizerState``) that does not fit the optimizer or its parameters.
    case invalidState(String)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let name, let value, let expected):
            return "\(name) is \(value); expected \(expected)"
        case .nesterovNeedsMomentumWithoutDampening(let momentum, let dampening):
            return "Nesterov momentum needs momentum > 0 and dampening = 0; got momentum \(momentum), dampening \(dampening)"
        case .invalidState(let message):
            return "optimizer state: \(message)"
        }
    }

    /// Throws unless `value` is finite and at least 0.
    static func checkNonNegative(_ name: String, _ value: Double) throws {
        guard value.isFinite, value >= 0 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, expected: "a finite number ≥ 0")
        }
    }

    /// Throws unless `value` is in [0, 1).
    static func checkBeta(_ name: String, _ value: Double) throws {
        guard value >= 0, value < 1 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, expected: "a number in [0, 1)")
        }
    }
}
