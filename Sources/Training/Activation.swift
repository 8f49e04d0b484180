/// An activation function of the course notes (seed 000) with its hyperparameters, following
/// PyTorch's `torch.nn` modules: same formulas, same defaults, same gradient at every kink.
///
/// Hyperparameters are `Double`, like the Python floats PyTorch takes, and are turned into
/// `Float` constants the way PyTorch's kernels do, so that results match `torch` in Float32.
/// Elementwise functions act on each value; ``softmax``, ``softmin`` and ``logSoftmax`` act on
/// each row (PyTorch's `dim=-1`). The layer that applies one, with PReLU's weight and RReLU's
/// random slopes, is ``ActivationLayer``.
///
/// Gradients at the kinks are PyTorch's (checked against it by the fixture tests):
/// ReLU'(0) = 0; LeakyReLU, RReLU and PReLU use the negative slope at 0; Hardtanh and ReLU6
/// give 0 at both ends of the linear part; Threshold gives 0 at the threshold; Softshrink and
/// Hardshrink give 0 at ±λ; ELU, CELU and SELU use the exponential branch at 0 (SELU'(0) =
/// scale·α ≈ 1.758).
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    /// `max(0, x)` (`nn.ReLU`).
    case relu
    /// Randomized leaky ReLU (`nn.RReLU`; Xu et al., "Empirical Evaluation of Rectified
    /// Activations in Convolutional Network", 2015): `x` if `x ≥ 0`, else `a·x` with `a ~
    /// U(lower, upper)` drawn per element in training and `a = (lower + upper)/2` in evaluation.
    /// PyTorch defaults: lower 1/8, upper 1/3.
    case rrelu(lower: Double = 1.0 / 8.0, upper: Double = 1.0 / 3.0)
    /// `x` if `x > 0`, else `negativeSlope·x` (`nn.LeakyReLU`, default slope 0.01).
    case leakyReLU(negativeSlope: Double = 0.01)
    /// `x` if `x > 0`, else `a·x` with one learnable `a` (`nn.PReLU`, `num_parameters=1`,
    /// `init=0.25`; He et al., "Delving Deep into Rectifiers", 2015).
    case prelu(initialWeight: Double = 0.25)
    /// `log(1 + exp(β·x))/β`, and `x` where `β·x > threshold` (`nn.Softplus`, β 1, threshold 20).
    case softplus(beta: Double = 1, threshold: Double = 20)
    /// `x` if `x > 0`, else `α·(exp(x) − 1)` (`nn.ELU`, α 1; Clevert et al., 2016).
    case elu(alpha: Double = 1)
    /// `x` if `x > 0`, else `α·(exp(x/α) − 1)` (`nn.CELU`, α 1; Barron, 2017).
    case celu(alpha: Double = 1)
    /// `scale·(x if x > 0 else α·(exp(x) − 1))` with α ≈ 1.6733, scale ≈ 1.0507 (`nn.SELU`;
    /// Klambauer et al., "Self-Normalizing Neural Networks", 2017).
    case selu
    /// `x·Φ(x) = x·(1 + erf(x/√2))/2` (`nn.GELU()`; Hendrycks & Gimpel, 2016).
    case gelu
    /// `x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2` (`nn.GELU(approximate='tanh')`).
    case geluTanh
    /// `min(max(0, x), 6)` (`nn.ReLU6`).
    case relu6
    /// `1/(1 + exp(−x))` (`nn.Sigmoid`).
    case sigmoid
    /// `tanh(x)` (`nn.Tanh`).
    case tanh
    /// `x/(1 + |x|)` (`nn.Softsign`).
    case softsign
    /// `x` clamped to `[minValue, maxValue]` (`nn.Hardtanh`, defaults −1 and 1).
    case hardtanh(minValue: Double = -1, maxValue: Double = 1)
    /// `x` if `x > threshold`, else `value` (`nn.Threshold`). PyTorch has no defaults; ``init(_:)``
    /// uses its documentation's example, threshold 0.1 and value 20.
    case threshold(threshold: Double = 0.1, value: Double = 20)
    /// `x − tanh(x)` (`nn.Tanhshrink`).
    case tanhshrink
    /// `x − λ` if `x > λ`, `x + λ` if `x < −λ`, else 0 (`nn.Softshrink`, λ 0.5).
    case softshrink(lambda: Double = 0.5)
    /// `x` if `|x| > λ`, else 0 (`nn.Hardshrink`, λ 0.5).
    case hardshrink(lambda: Double = 0.5)
    /// `log(1/(1 + exp(−x)))`, computed as `min(x, 0) − log1p(exp(−|x|))` (`nn.LogSigmoid`).
    case logSigmoid
    /// `exp(−xᵢ)/Σⱼ exp(−xⱼ)` over each row (`nn.Softmin(dim=-1)`).
    case softmin
    /// `exp(xᵢ)/Σⱼ exp(xⱼ)` over each row, computed after subtracting the row maximum
    /// (`nn.Softmax(dim=-1)`).
    case softmax
    /// `xᵢ − max − log Σⱼ exp(xⱼ − max)` over each row (`nn.LogSoftmax(dim=-1)`).
    case logSoftmax

    /// SELU's α (Klambauer et al., 2017), the constant PyTorch uses.
    public static let seluAlpha = 1.6732632423543772848170429916717
    /// SELU's scale (Klambauer et al., 2017), the constant PyTorch uses.
    public static let seluScale = 1.0507009873554804934193349852946

    /// The activation named `kind` with PyTorch's default hyperparameters.
    ///
    /// - Parameter kind: The activation's name.
    public init(_ kind: ActivationKind) {
        switch kind {
        case .relu: self = .relu
        case .rrelu: self = .rrelu(lower: 1.0 / 8.0, upper: 1.0 / 3.0)
        case .leakyReLU: self = .leakyReLU(negativeSlope: 0.01)
        case .prelu: self = .prelu(initialWeight: 0.25)
        case .softplus: self = .softplus(beta: 1, threshold: 20)
        case .elu: self = .elu(alpha: 1)
        case .celu: self = .celu(alpha: 1)
        case .selu: self = .selu
        case .gelu: self = .gelu
        case .geluTanh: self = .geluTanh
        case .relu6: self = .relu6
        case .sigmoid: self = .sigmoid
        case .tanh: self = .tanh
        case .softsign: self = .softsign
        case .hardtanh: self = .hardtanh(minValue: -1, maxValue: 1)
        case .threshold: self = .threshold(threshold: 0.1, value: 20)
        case .tanhshrink: self = .tanhshrink
        case .softshrink: self = .softshrink(lambda: 0.5)
        case .hardshrink: self = .hardshrink(lambda: 0.5)
        case .logSigmoid: self = .logSigmoid
        case .softmin: self = .softmin
        case .softmax: self = .softmax
        case .logSoftmax: self = .logSoftmax
        }
    }

    /// The activation's name.
    public var kind: ActivationKind {
        switch self {
        case .relu: return .relu
        case .rrelu: return .rrelu
        case .leakyReLU: return .leakyReLU
        case .prelu: return .prelu
        case .softplus: return .softplus
        case .elu: return .elu
        case .celu: return .celu
        case .selu: return .selu
        case .gelu: return .gelu
        case .geluTanh: return .geluTanh
        case .relu6: return .relu6
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        case .softsign: return .softsign
        case .hardtanh: return .hardtanh
        case .threshold: return .threshold
        case .tanhshrink: return .tanhshrink
        case .softshrink: return .softshrink
        case .hardshrink: return .hardshrink
        case .logSigmoid: return .logSigmoid
        case .softmin: return .softmin
        case .softmax: return .softmax
        case .logSoftmax: return .logSoftmax
        }
    }

    /// Whether the function acts on whole rows (softmax, softmin, log-softmax) rather than on
    /// each value.
    public var isRowwise: Bool {
        switch self {
        case .softmax, .softmin, .logSoftmax: return true
        default: return false
        }
    }

    /// The name and the hyperparameters, e.g. `leaky-relu(negativeSlope: 0.2)`.
    public var description: String {
        switch self {
        case .rrelu(let lower, let upper): return "rrelu(lower: \(lower), upper: \(upper))"
        case .leakyReLU(let slope): return "leaky-relu(negativeSlope: \(slope))"
        case .prelu(let weight): return "prelu(initialWeight: \(weight))"
        case .softplus(let beta, let threshold): return "softplus(beta: \(beta), threshold: \(threshold))"
        case .elu(let alpha): return "elu(alpha: \(alpha))"
        case .celu(let alpha): return "celu(alpha: \(alpha))"
        case .hardtanh(let low, let high): return "hardtanh(minValue: \(low), maxValue: \(high))"
        case .threshold(let threshold, let value): return "threshold(threshold: \(threshold), value: \(value))"
        case .softshrink(let lambda): return "softshrink(lambda: \(lambda))"
        case .hardshrink(let lambda): return "hardshrink(lambda: \(lambda))"
        default: return kind.rawValue
        }
    }

    /// Checks the hyperparameters against the ranges PyTorch accepts.
    ///
    /// - Throws: ``LayerError/invalidHyperparameter(name:value:expected:)`` for a non-finite
    ///   value, RReLU bounds outside `0 ≤ lower ≤ upper`, a Softplus β of 0, a CELU α of 0,
    ///   Hardtanh with `minValue > maxValue`, or a negative shrink λ.
    public func validate() throws {
        func finite(_ name: String, _ value: Double) throws {
            guard value.isFinite else {
                throw LayerError.invalidHyperparameter(name: "\(kind) \(name)", value: value, expected: "a finite number")
            }
        }
        switch self {
        case .rrelu(let lower, let upper):
            try finite("lower", lower)
            try finite("upper", upper)
            guard lower >= 0 else {
                throw LayerError.invalidHyperparameter(name: "rrelu lower", value: lower, expected: "a number ≥ 0")
            }
            guard lower <= upper else {
                throw LayerError.invalidHyperparameter(
                    name: "rrelu upper", value: upper, expected: "a number ≥ lower (\(lower))")
            }
        case .leakyReLU(let slope):
            try finite("negativeSlope", slope)
        case .prelu(let weight):
            try finite("initialWeight", weight)
        case .softplus(let beta, let threshold):
            try finite("beta", beta)
            try finite("threshold", threshold)
            guard beta != 0 else {
                throw LayerError.invalidHyperparameter(name: "softplus beta", value: beta, expected: "a non-zero number")
            }
        case .elu(let alpha):
            try finite("alpha", alpha)
        case .celu(let alpha):
            try finite("alpha", alpha)
            guard alpha != 0 else {
                throw LayerError.invalidHyperparameter(name: "celu alpha", value: alpha, expected: "a non-zero number")
            }
        case .hardtanh(let low, let high):
            try finite("minValue", low)
            try finite("maxValue", high)
            guard low <= high else {
                throw LayerError.invalidHyperparameter(
                    name: "hardtanh maxValue", value: high, expected: "a number ≥ minValue (\(low))")
            }
        case .threshold(let threshold, let value):
            try finite("threshold", threshold)
            try finite("value", value)
        case .softshrink(let lambda), .hardshrink(let lambda):
            try finite("lambda", lambda)
            guard lambda >= 0 else {
                throw LayerError.invalidHyperparameter(name: "\(kind) lambda", value: lambda, expected: "a number ≥ 0")
            }
        case .relu, .selu, .gelu, .geluTanh, .relu6, .sigmoid, .tanh, .softsign, .tanhshrink,
             .logSigmoid, .softmin, .softmax, .logSoftmax:
            break
        }
    }
}
