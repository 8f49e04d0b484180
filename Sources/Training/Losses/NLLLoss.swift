/// Negative log-likelihood of class targets, as PyTorch's `nn.NLLLoss`.
///
/// The input holds log-probabilities xᵢc (the output of a log-softmax; like PyTorch, any real
/// scores are accepted). With class-index targets yᵢ and per-class weights w (all ones by
/// default):
///
///     lossᵢ = −w[yᵢ] · xᵢyᵢ,    lossᵢ = 0 when yᵢ = ignoreIndex
///
/// Reduction `.mean` is PyTorch's weighted mean Σᵢ lossᵢ / Σᵢ w[yᵢ] over the rows not ignored —
/// not a division by N. It is NaN when every row is ignored (0/0), and its gradient is then 0,
/// as in PyTorch. The weights are the usual remedy for imbalanced classes; balanced minibatches
/// are the other (see the course notes behind this package).
///
/// ∂lossᵢ/∂xᵢⱼ = −w[yᵢ] when j = yᵢ, else 0.
///
/// Defaults are PyTorch's: no weights, `ignoreIndex` −100, reduction `.mean`.
public struct NLLLoss: Sendable {
    /// Per-class weights w[c], or `nil` for all ones.
    public let weight: [Float]?
    /// Rows whose target equals this value contribute neither loss nor gradient.
    public let ignoreIndex: Int32
    /// How per-row losses are combined.
    public let reduction: LossReduction

    /// A negative log-likelihood loss.
    ///
    /// - Parameters:
    ///   - weight: per-class weights (one per column of the input), finite and non-negative;
    ///     `nil` for all ones. PyTorch also accepts negative weights; we reject them.
    ///   - ignoreIndex: the target value that marks a row to skip (−100 by default).
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    /// - Throws: ``LossError/invalidWeight(argument:index:value:)`` for a negative or
    ///   non-finite weight.
    public init(weight: [Float]? = nil, ignoreIndex: Int32 = -100, reduction: LossReduction = .mean) throws {
        if let weight { try LossCheck.weights(weight, "weight") }
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - logProbabilities: `N × C` log-probabilities.
    ///   - targets: `N` class indices in `0..<C`, or `ignoreIndex`.
    /// - Returns: `N × 1` per-row losses for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when the input has no columns, `targets` does not have one entry
    ///   per row, `weight` does not have one entry per class, or a target is out of range.
    /// - Complexity: O(N).
    public func forward(logProbabilities: Matrix, targets: [Int32]) throws -> Matrix {
        let normalizer = try check(logProbabilities, targets)
        let columns = logProbabilities.columns
        var losses = Matrix(rows: logProbabilities.rows, columns: 1)
        var total = 0.0
        for (i, target) in targets.enumerated() where target != ignoreIndex {
            let t = Int(target)
            let loss = -(weight?[t] ?? 1) * logProbabilities.storage[i * columns + t]
            losses.storage[i] = loss
            total += Double(loss)
        }
        switch reduction {
        case .none: return losses
        case .mean: return Matrix(rows: 1, columns: 1, repeating: Float(total / normalizer))
        case .sum: return Matrix(rows: 1, columns: 1, repeating: Float(total))
        }
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - logProbabilities: `N × C` log-probabilities.
    ///   - targets: `N` class indices in `0..<C`, or `ignoreIndex`.
    ///   - upstream: dℓ/d(output), shaped like ``forward(logProbabilities:targets:)``'s result
    ///     (`N × 1` for `.none`, `1 × 1` otherwise); `nil` for ones.
    /// - Returns: the `N × C` gradient: −w[yᵢ]·sᵢ at (i, yᵢ), 0 elsewhere, where sᵢ is the
    ///   upstream factor (divided by Σ w[yᵢ] for `.mean`).
    /// - Throws: as ``forward(logProbabilities:targets:)``, and when `upstream` has the wrong
    ///   shape.
    /// - Complexity: O(N·C) to clear the gradient, O(N) for the rest.
    public func backward(logProbabilities: Matrix, targets: [Int32], upstream: Matrix? = nil) throws -> Matrix {
        let normalizer = try check(logProbabilities, targets)
        let factors = try UpstreamFactors(
            upstream, reduction: reduction, rows: logProbabilities.rows, columns: 1, meanDivisor: normalizer)
        var gradient = Matrix(rows: logProbabilities.rows, columns: logProbabilities.columns)
        scatter(targets, factors: factors, into: &gradient)
        return gradient
    }

    /// The reduced loss and dLoss/dInput together, for training: nothing is allocated once
    /// `gradient` has the capacity for `N × C` values.
    ///
    /// - Parameters:
    ///   - logProbabilities: `N × C` log-probabilities.
    ///   - targets: `N` class indices in `0..<C`, or `ignoreIndex`.
    ///   - gradient: receives dLoss/dInput; reshaped to `N × C` (its buffer is reused).
    /// - Returns: the loss (`.mean` or `.sum`).
    /// - Throws: ``LossError/unreducedLoss(loss:)`` when the reduction is `.none`, and as
    ///   ``forward(logProbabilities:targets:)``.
    /// - Complexity: O(N·C) to clear the gradient, O(N) for the rest.
    public func valueAndGradient(logProbabilities: Matrix, targets: [Int32], gradient: inout Matrix) throws -> Float {
        guard reduction != .none else { throw LossError.unreducedLoss(loss: "NLLLoss") }
        let normalizer = try check(logProbabilities, targets)
        let columns = logProbabilities.columns
        gradient.reshape(rows: logProbabilities.rows, columns: columns)
        let scale: Float = reduction == .mean ? Float(1 / normalizer) : 1
        var total = 0.0
        logProbabilities.storage.withUnsafeBufferPointer { x in
            gradient.storage.withUnsafeMutableBufferPointer { g in
                g.update(repeating: 0)
                for (i, target) in targets.enumerated() where target != ignoreIndex {
                    let t = Int(target)
                    let w = weight?[t] ?? 1
                    total -= Double(w * x[i * columns + t])
                    g[i * columns + t] = -w * scale
                }
            }
        }
        return Float(reduction == .mean ? total / normalizer : total)
    }

    /// Checks the arguments; returns Σ w[yᵢ] over the rows not ignored.
    private func check(_ input: Matrix, _ targets: [Int32]) throws -> Double {
        try CrossEntropyLoss.checkShapes(logits: input, targetCount: targets.count, weight: weight, argument: "logProbabilities")
        let weight = self.weight ?? []
        let hasWeight = self.weight != nil
        return try targets.withUnsafeBufferPointer { t in
            try weight.withUnsafeBufferPointer { w in
                try SoftmaxCrossEntropyKernel.normalizer(
                    targets: t, classes: input.columns, weight: hasWeight ? w : nil, ignoreIndex: ignoreIndex)
            }
        }
    }

    /// Writes −w[yᵢ]·sᵢ at (i, yᵢ) for the rows not ignored.
    private func scatter(_ targets: [Int32], factors: UpstreamFactors, into gradient: inout Matrix) {
        let columns = gradient.columns
        for (i, target) in targets.enumerated() where target != ignoreIndex {
            let t = Int(target)
            gradient.storage[i * columns + t] = -(weight?[t] ?? 1) * factors.factor(i)
        }
    }
}
