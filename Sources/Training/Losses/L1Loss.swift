/// Mean absolute error, as PyTorch's `nn.L1Loss`: ℓₖ = |xₖ − yₖ| elementwise, then reduced
/// (`.mean` by default). Less sensitive to outliers than ``MSELoss``.
///
/// ∂ℓₖ/∂xₖ = sign(xₖ − yₖ), and 0 where xₖ = yₖ (PyTorch's subgradient).
public struct L1Loss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }

    /// A mean-absolute-error loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        abs(x - y)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let d = x - y
        return d > 0 ? 1 : (d < 0 ? -1 : 0)
    }
}
