import Foundation

/// Binary cross-entropy on logits, as PyTorch's `nn.BCEWithLogitsLoss`: a sigmoid and
/// ``BCELoss`` in one numerically stable expression. With p the positive-class weight of the
/// column and w the rescaling weight,
///
///     ℓₖ = wₖ · ((1 − yₖ)·xₖ − (1 + (p − 1)·yₖ) · log σ(xₖ)),
///     log σ(x) = min(x, 0) − log(1 + e^−|x|)
///
/// so logits of any size (±1000 included) give finite results; reduced `.mean` by default.
/// ∂ℓₖ/∂xₖ = wₖ · ((p·yₖ + 1 − yₖ)·σ(xₖ) − p·yₖ). A positive weight p > 1 raises recall on
/// that label, p < 1 precision.
public struct BCEWithLogitsLoss: Sendable, ElementwiseLoss {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    public var elementwiseReduction: LossReduction { reduction }
    /// Optional rescaling weights: `1 × C` (per column) or `N × C` (per element).
    public let weight: Matrix?
    /// Optional weights of the positive examples, one per column.
    public let positiveWeight: [Float]?

    /// A binary cross-entropy loss on logits.
    ///
    /// - Parameters:
    ///   - weight: `nil` (default), a `1 × C` matrix of per-column weights or an `N × C` matrix
    ///     of per-element weights; finite and non-negative.
    ///   - positiveWeight: `nil` (default) or one weight per column for the positive targets
    ///     (PyTorch's `pos_weight`); finite and non-negative.
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    /// - Throws: ``LossError/invalidWeight(argument:index:value:)`` for a negative or
    ///   non-finite positive weight.
    public init(weight: Matrix? = nil, positiveWeight: [Float]? = nil, reduction: LossReduction = .mean) throws {
        if let positiveWeight { try LossCheck.weights(positiveWeight, "positiveWeight") }
        self.weight = weight
        self.positiveWeight = positiveWeight
        self.reduction = reduction
    }

    /// Throws ``LossError`` when the weight does not broadcast or is negative, or
    /// `positiveWeight` does not have one entry per column.
    public func validate(input: Matrix, target: Matrix) throws {
        try ElementWeight(weight: weight).check(against: input, argument: "weight")
        if let positiveWeight {
            try LossCheck.count(positiveWeight.count, "positiveWeight", expected: input.columns, reason: "one per column of input")
        }
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let logSigmoid = Swift.min(x, 0) - Foundation.log1p(Foundation.exp(-abs(x)))
        var scaled = logSigmoid
        if let positiveWeight {
            scaled *= (positiveWeight[index % columns] - 1) * y + 1
        }
        return ((1 - y) * x - scaled) * ElementWeight(weight: weight)(index, columns: columns)
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let sigmoid = 1 / (1 + Foundation.exp(-x))
        let w = ElementWeight(weight: weight)(index, columns: columns)
        guard let positiveWeight else { return (sigmoid - y) * w }
        let t = positiveWeight[index % columns] * y
        return ((t + 1 - y) * sigmoid - t) * w
    }
}
