import Foundation

/// The two-class logistic loss of PyTorch's `nn.SoftMarginLoss`, for labels y ∈ {−1, 1}:
///
///     ℓₖ = log(1 + exp(−yₖ·xₖ))
///
/// elementwise, reduced `.mean` by default. Computed as a stable softplus, so large margins give
/// finite results where PyTorch's `log1p(exp(·))` overflows to ∞ (its gradient then becomes
/// NaN); elsewhere the two agree. ∂ℓₖ/∂xₖ = −yₖ·σ(−yₖ·xₖ).
public struct SoftMarginLoss: Sendable, ElementwiseLoss {
    static var name: String { "SoftMarginLoss" }
    /// How the per-element values are combined.
    public let reduction: LossReduction
    var elementwiseReduction: LossReduction { reduction }

    /// A soft-margin loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - input: scores, any shape.
    ///   - target: labels −1 or 1, `input`'s shape.
    /// - Returns: the per-element losses (`input`'s shape) for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when the shapes differ or a label is neither −1 nor 1 (PyTorch
    ///   does not check).
    /// - Complexity: O(n).
    public func forward(_ input: Matrix, _ target: Matrix) throws -> Matrix {
        try elementwiseForward(input, target)
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - input: scores.
    ///   - target: labels −1 or 1, `input`'s shape.
    ///   - upstream: dℓ/d(output), shaped like ``forward(_:_:)``'s result; `nil` for ones.
    /// - Returns: the gradient, `input`'s shape.
    /// - Throws: as ``forward(_:_:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(n).
    public func backward(_ input: Matrix, _ target: Matrix, upstream: Matrix? = nil) throws -> Matrix {
        try elementwiseBackward(input, target, upstream: upstream)
    }

    func validate(input: Matrix, target: Matrix) throws {
        try LossCheck.signLabels(target, "target of \(Self.name)")
    }

    func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        let z = -y * x
        return Swift.max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z)))
    }

    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        -y / (1 + Foundation.exp(y * x))
    }
}
