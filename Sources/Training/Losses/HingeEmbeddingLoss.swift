/// The hinge embedding loss of PyTorch's `nn.HingeEmbeddingLoss`, for labels y ∈ {−1, 1}
/// (typically x a distance between two embeddings, y = 1 for similar pairs):
///
///     ℓₖ = xₖ                     if yₖ = 1
///     ℓₖ = max(0, margin − xₖ)    if yₖ = −1
///
/// elementwise, reduced `.mean` by default; margin = 1 by default. ∂ℓₖ/∂xₖ is 1 for y = 1, and
/// −1 for y = −1 while margin − x ≥ 0 (at the hinge PyTorch passes the gradient), else 0.
public struct HingeEmbeddingLoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }
    /// The margin Δ for dissimilar pairs.
    public let margin: Float

    /// A hinge embedding loss.
    ///
    /// - Parameters:
    ///   - margin: Δ (1 by default), finite.
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` when the margin is not finite.
    public init(margin: Float = 1, reduction: LossReduction = .mean) throws {
        try LossCheck.option(margin, "margin", expected: "a finite number") { $0.isFinite }
        self.margin = margin
        self.reduction = reduction
    }

    /// Throws ``LossError`` when a label is neither −1 nor 1 (PyTorch does not check).
    public func validate(input: Matrix, target: Matrix) throws {
        try LossCheck.signLabels(target, "target of \(Self.name)")
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        y == 1 ? x : Swift.max(margin - x, 0)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        if y == 1 { return 1 }
        return margin - x >= 0 ? -1 : 0
    }
}
