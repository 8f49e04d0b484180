/// Mean absolute error, as PyTorch's `nn.L1Loss`: ℓₖ = |xₖ − yₖ| elementwise, then reduced
/// (`.mean` by default). Less sensitive to outliers than ``MSELoss``.
///
/// ∂ℓₖ/∂xₖ = sign(xₖ − yₖ), and 0 where xₖ = yₖ (PyTorch's subgradient).
public struct L1Loss: Sendable, ElementwiseLoss {
    static var name: String { "L1Loss" }
    /// How the per-element values are combined.
    public let reduction: LossReduction
    var elementwiseReduction: LossReduction { reduction }

    /// A mean-absolute-error loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
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
        abs(x - y)
    }

    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let d = x - y
        return d > 0 ? 1 : (d < 0 ? -1 : 0)
    }
}
