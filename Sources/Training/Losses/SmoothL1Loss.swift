/// The smooth L1 loss of R. Girshick, "Fast R-CNN", ICCV 2015, as PyTorch's `nn.SmoothL1Loss`:
/// with d = xₖ − yₖ,
///
///     ℓₖ = 0.5·d²/β      if |d| < β
///     ℓₖ = |d| − 0.5·β   otherwise
///
/// then reduced (`.mean` by default). This is the Huber loss scaled by 1/β:
///
///     SmoothL1(β) = Huber(δ = β) / β      for β > 0,
///
/// and is computed by ``HuberLoss``'s formula with that scale. β = 1 by default (where the two
/// agree); β = 0 is exactly ``L1Loss`` (as in PyTorch). ∂ℓₖ/∂xₖ = d/β inside the band, sign(d)
/// outside.
public struct SmoothL1Loss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }
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

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        if beta == 0 { return L1Loss().value(x, y, index: index, columns: columns) }
        return HuberLoss.value(x - y, delta: beta, dividedBy: beta)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        if beta == 0 { return L1Loss().derivative(x, y, index: index, columns: columns) }
        return HuberLoss.derivative(x - y, delta: beta, dividedBy: beta)
    }
}
