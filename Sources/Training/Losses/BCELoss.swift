import Foundation

/// Binary cross-entropy between probabilities and targets, as PyTorch's `nn.BCELoss`:
///
///     ℓₖ = −wₖ · (yₖ · max(log xₖ, −100) + (1 − yₖ) · max(log(1 − xₖ), −100))
///
/// elementwise, then reduced (`.mean` by default, over all elements). The logarithms are clamped
/// at −100 as in PyTorch, so x = 0 or 1 gives a finite loss. The derivative is PyTorch's,
/// ∂ℓₖ/∂xₖ = wₖ · (xₖ − yₖ) / max((1 − xₖ)·xₖ, 10⁻¹²). For logits prefer the numerically stable
/// ``BCEWithLogitsLoss``.
public struct BCELoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }
    /// Optional rescaling weights: `1 × C` (per column) or `N × C` (per element).
    public let weight: Matrix?

    /// A binary cross-entropy loss.
    ///
    /// - Parameters:
    ///   - weight: `nil` (default), a `1 × C` matrix of per-column weights or an `N × C` matrix
    ///     of per-element weights; finite and non-negative.
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    public init(weight: Matrix? = nil, reduction: LossReduction = .mean) {
        self.weight = weight
        self.reduction = reduction
    }

    /// Throws ``LossError`` when the weight does not broadcast or is negative, or a probability
    /// (`input`) or target lies outside `0...1` (NaN included).
    public func validate(input: Matrix, target: Matrix) throws {
        try ElementWeight(weight: weight).check(against: input, argument: "weight")
        try LossCheck.values(input, "input of \(Self.name)", expected: "a probability in 0...1") { $0 >= 0 && $0 <= 1 }
        try LossCheck.values(target, "target of \(Self.name)", expected: "a value in 0...1") { $0 >= 0 && $0 <= 1 }
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let logX = Swift.max(Foundation.log(x), -100)
        let logOneMinusX = Swift.max(Foundation.log1p(-x), -100)
        return ((y - 1) * logOneMinusX - y * logX) * ElementWeight(weight: weight)(index, columns: columns)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        (x - y) / Swift.max((1 - x) * x, 1e-12) * ElementWeight(weight: weight)(index, columns: columns)
    }
}
