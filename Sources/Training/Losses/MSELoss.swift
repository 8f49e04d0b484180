/// Mean squared error, as PyTorch's `nn.MSELoss`: ℓₖ = (xₖ − yₖ)² elementwise, then reduced
/// (`.mean` by default, over all elements).
///
/// ∂ℓₖ/∂xₖ = 2(xₖ − yₖ).
public struct MSELoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }

    /// A mean-squared-error loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        (x - y) * (x - y)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        2 * (x - y)
    }
}
