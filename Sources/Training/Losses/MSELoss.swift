/// Mean squared error, as PyTorch's `nn.MSELoss`: ℓₖ = (xₖ − yₖ)² elementwise, then reduced
/// (`.mean` by default, over all elements).
///
/// ∂ℓₖ/∂xₖ = 2(xₖ − yₖ).
public struct MSELoss: Sendable, ElementwiseLoss {
    static var name: String { "MSELoss" }
    /// How the per-element values are combined.
    public let reduction: LossReduction
    var elementwiseReduction: LossReduction { reduction }

    /// A mean-squared-error loss with PyTorch's default reduction `.mean`.
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
        (x - y) * (x - y)
    }

    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        2 * (x - y)
    }
}
