/// The activation functions by name: the names the command line accepts (`--activation
/// leaky-relu`), each mapped to an ``Activation`` with PyTorch's default hyperparameters by
/// ``Activation/init(_:)``.
public enum ActivationKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case relu
    case rrelu
    case leakyReLU = "leaky-relu"
    case prelu
    case softplus
    case elu
    case celu
    case selu
    case gelu
    case geluTanh = "gelu-tanh"
    case relu6
    case sigmoid
    case tanh
    case softsign
    case hardtanh
    case threshold
    case tanhshrink
    case softshrink
    case hardshrink
    case logSigmoid = "logsigmoid"
    case softmin
    case softmax
    case logSoftmax = "logsoftmax"

    /// The command-line name (the raw value).
    public var description: String { rawValue }

    /// One line for `--help`: the formula and the defaults used.
    public var summary: String {
        switch self {
        case .relu: return "max(0, x)"
        case .rrelu: return "x if x ≥ 0 else a·x, a ~ U(1/8, 1/3) per element in training, (1/8 + 1/3)/2 in evaluation"
        case .leakyReLU: return "x if x > 0 else 0.01·x"
        case .prelu: return "x if x > 0 else a·x, one learnable a starting at 0.25"
        case .softplus: return "log(1 + exp(x)) (β = 1; x itself above 20)"
        case .elu: return "x if x > 0 else exp(x) − 1 (α = 1)"
        case .celu: return "x if x > 0 else α·(exp(x/α) − 1) (α = 1)"
        case .selu: return "1.0507·(x if x > 0 else 1.6733·(exp(x) − 1))"
        case .gelu: return "x·Φ(x), Φ the standard normal CDF (exact, with erf)"
        case .geluTanh: return "x·Φ(x) with the tanh approximation"
        case .relu6: return "min(max(0, x), 6)"
        case .sigmoid: return "1 / (1 + exp(−x))"
        case .tanh: return "tanh(x)"
        case .softsign: return "x / (1 + |x|)"
        case .hardtanh: return "x clamped to [−1, 1]"
        case .threshold: return "x if x > 0.1 else 20 (the PyTorch documentation's example values)"
        case .tanhshrink: return "x − tanh(x)"
        case .softshrink: return "x − 0.5 if x > 0.5, x + 0.5 if x < −0.5, else 0"
        case .hardshrink: return "x if |x| > 0.5 else 0"
        case .logSigmoid: return "log(1 / (1 + exp(−x)))"
        case .softmin: return "exp(−xᵢ) / Σⱼ exp(−xⱼ) over each row"
        case .softmax: return "exp(xᵢ) / Σⱼ exp(xⱼ) over each row"
        case .logSoftmax: return "xᵢ − log Σⱼ exp(xⱼ) over each row"
        }
    }

    /// Every name with its summary, one per line, for `--help` text.
    public static var helpText: String {
        allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")
    }
}
