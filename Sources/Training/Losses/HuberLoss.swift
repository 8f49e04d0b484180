/// The Huber loss (P. J. Huber, "Robust Estimation of a Location Parameter", Annals of
/// Mathematical Statistics, 1964), as PyTorch's `nn.HuberLoss`: with d = xₖ − yₖ,
///
///     ℓₖ = 0.5·d²              if |d| < δ
///     ℓₖ = δ·(|d| − 0.5·δ)     otherwise
///
/// then reduced (`.mean` by default). δ = 1 by default, where it equals ``SmoothL1Loss`` with
/// β = 1. ∂ℓₖ/∂xₖ = d inside the band, δ·sign(d) outside.
public struct HuberLoss: Sendable, ElementwiseLoss {
    static var name: String { "HuberLoss" }
    /// How the per-element values are combined.
    public let reduction: LossReduction
    var elementwiseReduction: LossReduction { reduction }
    /// δ > 0: where the loss turns from quadratic to linear.
    public let delta: Float

    /// A Huber loss.
    ///
    /// - Parameters:
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    ///   - delta: δ > 0 (1 by default).
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` when δ is not positive and
    ///   finite.
    public init(reduction: LossReduction = .mean, delta: Float = 1) throws {
        try LossCheck.option(delta, "delta", expected: "a finite number > 0") { $0.isFinite && $0 > 0 }
        self.reduction = reduction
        self.delta = delta
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - input: predictions, any shape.
    ///   - target: values of `input`'s shape.
    /// - Returns: the per-element losses (`input`'s shape) for `.none`, else `1 × 1`.
    /// - Throws: ``LossError/shapeMismatch(argument:rows:columns:expectedRows:expectedColumns:reason:)``
    ///   when the shapes differ.
    /// - Complexity: O(n).
    public func forward(_ input: Matrix, _ target: Matrix) throws -> Matrix {
        try elementwiseForward(input, target)
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - input: predictions.
    ///   - target: values of `input`'s shape.
    ///   - upstream: dℓ/d(output), shaped like ``forward(_:_:)``'s result; `nil` for ones.
    /// - Returns: the gradient, `input`'s shape.
    /// - Throws: when the shapes differ or `upstream` has the wrong shape.
    /// - Complexity: O(n).
    public func backward(_ input: Matrix, _ target: Matrix, upstream: Matrix? = nil) throws -> Matrix {
        try elementwiseBackward(input, target, upstream: upstream)
    }

    func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let d = abs(x - y)
        return d < delta ? 0.5 * d * d : delta * (d - 0.5 * delta)
    }

    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let d = x - y
        if d < -delta { return -delta }
        if d > delta { return delta }
        return d
    }
}
