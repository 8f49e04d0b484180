/// The margin ranking loss of PyTorch's `nn.MarginRankingLoss`: for scores x¹ₖ, x²ₖ and labels
/// yₖ ∈ {−1, 1} saying which should rank higher,
///
///     ℓₖ = max(0, −yₖ·(x¹ₖ − x²ₖ) + margin)
///
/// elementwise, reduced `.mean` by default; margin = 0 by default. ∂ℓₖ/∂x¹ₖ = −yₖ and
/// ∂ℓₖ/∂x²ₖ = yₖ while the hinge is active (≥ 0: at the hinge PyTorch passes the gradient),
/// else 0.
public struct MarginRankingLoss: Sendable {
    /// How the per-element values are combined.
    public let reduction: LossReduction
    /// The margin by which the preferred score should win.
    public let margin: Float

    /// A margin ranking loss.
    ///
    /// - Parameters:
    ///   - margin: the margin (0 by default), finite.
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` when the margin is not finite.
    public init(margin: Float = 0, reduction: LossReduction = .mean) throws {
        try LossCheck.option(margin, "margin", expected: "a finite number") { $0.isFinite }
        self.margin = margin
        self.reduction = reduction
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - input1: first scores, any shape.
    ///   - input2: second scores, `input1`'s shape.
    ///   - target: labels −1 or 1 (1: `input1` should rank higher), `input1`'s shape.
    /// - Returns: the per-element losses (`input1`'s shape) for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when the shapes differ or a label is neither −1 nor 1 (PyTorch
    ///   does not check).
    /// - Complexity: O(n).
    public func forward(_ input1: Matrix, _ input2: Matrix, target: Matrix) throws -> Matrix {
        try check(input1, input2, target)
        var values = Matrix(rows: input1.rows, columns: input1.columns)
        for k in values.storage.indices {
            let hinge = -target.storage[k] * (input1.storage[k] - input2.storage[k]) + margin
            values.storage[k] = max(hinge, 0)
        }
        return reduction.apply(to: values)
    }

    /// dLoss/dInput1 and dLoss/dInput2.
    ///
    /// - Parameters:
    ///   - input1: first scores.
    ///   - input2: second scores, `input1`'s shape.
    ///   - target: labels −1 or 1, `input1`'s shape.
    ///   - upstream: dℓ/d(output), shaped like the forward result; `nil` for ones.
    /// - Returns: the gradients, each of `input1`'s shape.
    /// - Throws: as ``forward(_:_:target:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(n).
    public func backward(
        _ input1: Matrix, _ input2: Matrix, target: Matrix, upstream: Matrix? = nil
    ) throws -> (input1: Matrix, input2: Matrix) {
        try check(input1, input2, target)
        let factors = try UpstreamFactors(upstream, reduction: reduction, rows: input1.rows, columns: input1.columns)
        var gradient1 = Matrix(rows: input1.rows, columns: input1.columns)
        var gradient2 = gradient1
        for k in gradient1.storage.indices {
            let y = target.storage[k]
            let hinge = -y * (input1.storage[k] - input2.storage[k]) + margin
            guard hinge >= 0 else { continue }
            let g = factors.factor(k)
            gradient1.storage[k] = -y * g
            gradient2.storage[k] = y * g
        }
        return (gradient1, gradient2)
    }

    private func check(_ input1: Matrix, _ input2: Matrix, _ target: Matrix) throws {
        try LossCheck.shape(input2, "input2", rows: input1.rows, columns: input1.columns, reason: "the shape of input1")
        try LossCheck.shape(target, "target", rows: input1.rows, columns: input1.columns, reason: "the shape of input1")
        try LossCheck.signLabels(target, "target of MarginRankingLoss")
    }
}
