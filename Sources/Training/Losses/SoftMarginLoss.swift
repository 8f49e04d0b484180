import Foundation

/// The two-class logistic loss of PyTorch's `nn.SoftMarginLoss`, for labels y ∈ {−1, 1}:
///
///     ℓₖ = log(1 + exp(−yₖ·xₖ))
///
/// elementwise, reduced `.mean` by default. Computed as a stable softplus, so large margins give
/// finite results where PyTorch's `log1p(exp(·))` overflows to ∞ (its gradient then becomes
/// NaN); elsewhere the two agree. ∂ℓₖ/∂xₖ = −yₖ·σ(−yₖ·xₖ).
public struct SoftMarginLoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }

    /// A soft-margin loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
    }

    /// Throws ``LossError`` when a label is neither −1 nor 1 (PyTorch does not check).
    public func validate(input: Matrix, target: Matrix) throws {
        try LossCheck.signLabels(target, "target of \(Self.name)")
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let z = -y * x
        return Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z)))
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        -y / (1 + Foundation.exp(y * x))
    }
}
