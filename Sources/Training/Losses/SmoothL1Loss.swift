/// The smooth L1 loss of R. Girshick, "Fast R-CNN", ICCV 2015, as PyTorch's `nn.SmoothL1Loss`:
/// with d = xₖ − yₖ,
///
///     ℓₖ = 0.5·d²/β      if |d| < β
///     ℓₖ = |d| − 0.5·β   otherwise
///
/// then reduced (`.mean` by default). β = 1 by default; β = 0 is exactly ``L1Loss`` (as in
/// PyTorch). ∂ℓₖ/∂xₖ = d/β inside the band, sign(d) outside.
public struct SmoothL1Loss: Sendable, ElementwiseLoss {
    static var name: String { "SmoothL1Loss" }
    /// How the per-element values are combined.
    public let reduction: LossReduction
    var elementwiseReduction: LossReduction { reduction }
    /// β ≥ 0: where the loss turns from quadratic to linear.
    public let beta: Float

    /// A smooth L1 loss.
    ///
    /// - Parameters:
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    ///   - beta: β ≥ 0 (1 by default).
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` when β is negative or not
    ///   finite.
    public init(reduction: LossReduction = .mean, beta: Float = 1) throws {
        try LossCheck.option(beta, "beta", expected: "a finite number ≥ 0") { $0.isFinite && $0 >= 0 }
        self.reduction = reduction
        self.beta = beta
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
        if beta == 0 { return d }
        return d < beta ? 0.5 * d * d / beta : d - 0.5 * beta
    }

    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let d = x - y
        let sign: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
        if beta == 0 { return sign }
        return abs(d) < beta ? d / beta : sign
    }
}
