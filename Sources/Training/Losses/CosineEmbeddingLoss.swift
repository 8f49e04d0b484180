/// The cosine embedding loss of PyTorch's `nn.CosineEmbeddingLoss`, over pairs of rows with
/// labels yᵢ ∈ {−1, 1} (1: similar, −1: dissimilar):
///
///     cosᵢ = ⟨aᵢ, bᵢ⟩ / √((‖aᵢ‖² + ε)(‖bᵢ‖² + ε)),   ε = 10⁻¹² (PyTorch's)
///     ℓᵢ = 1 − cosᵢ                   if yᵢ = 1
///     ℓᵢ = max(0, cosᵢ − margin)      if yᵢ = −1
///
/// reduced `.mean` by default; margin = 0 by default (PyTorch suggests 0 to 0.5). The ε keeps
/// zero rows finite (their cosine is 0). With d the denominator,
/// ∂cos/∂a = b/d − cos·a/(‖a‖² + ε) and symmetrically for b.
public struct CosineEmbeddingLoss: Sendable {
    /// How the per-row losses are combined.
    public let reduction: LossReduction
    /// The cosine above which dissimilar pairs are penalised.
    public let margin: Float

    /// A cosine embedding loss.
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
    ///   - input1: `N × D` embeddings.
    ///   - input2: `N × D` embeddings.
    ///   - target: `N` labels, −1 or 1.
    /// - Returns: `N × 1` per-row losses for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when the shapes differ, `target` does not have one label per row,
    ///   or a label is neither −1 nor 1.
    /// - Complexity: O(N·D).
    public func forward(_ input1: Matrix, _ input2: Matrix, target: [Float]) throws -> Matrix {
        try check(input1, input2, target)
        var values = Matrix(rows: input1.rows, columns: 1)
        for i in 0..<input1.rows {
            let cos = Self.terms(input1, input2, row: i).cos
            values.storage[i] = target[i] == 1 ? 1 - cos : max(cos - margin, 0)
        }
        return reduction.apply(to: values)
    }

    /// dLoss/dInput1 and dLoss/dInput2.
    ///
    /// - Parameters:
    ///   - input1: `N × D` embeddings.
    ///   - input2: `N × D` embeddings.
    ///   - target: `N` labels, −1 or 1.
    ///   - upstream: dℓ/d(output), shaped like the forward result; `nil` for ones.
    /// - Returns: the gradients, each `N × D`.
    /// - Throws: as ``forward(_:_:target:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(N·D).
    public func backward(
        _ input1: Matrix, _ input2: Matrix, target: [Float], upstream: Matrix? = nil
    ) throws -> (input1: Matrix, input2: Matrix) {
        try check(input1, input2, target)
        let factors = try UpstreamFactors(upstream, reduction: reduction, rows: input1.rows, columns: 1)
        let columns = input1.columns
        var gradient1 = Matrix(rows: input1.rows, columns: columns)
        var gradient2 = gradient1
        for i in 0..<input1.rows {
            let (cos, denominator, squared1, squared2) = Self.terms(input1, input2, row: i)
            // dℓ/dcos: −1 for similar pairs, 1 for dissimilar ones past the margin.
            var slope: Float = 0
            if target[i] == 1 {
                slope = -1
            } else if cos - margin >= 0 {
                slope = 1
            }
            let g = slope * factors.factor(i)
            guard g != 0 else { continue }
            for j in 0..<columns {
                let a = input1.storage[i * columns + j]
                let b = input2.storage[i * columns + j]
                gradient1.storage[i * columns + j] = g * (b / denominator - cos * a / squared1)
                gradient2.storage[i * columns + j] = g * (a / denominator - cos * b / squared2)
            }
        }
        return (gradient1, gradient2)
    }

    /// PyTorch's ε added to each squared norm.
    private static var epsilon: Float { 1e-12 }

    /// The cosine of row `row`, its denominator and the two squared norms (each + ε).
    private static func terms(
        _ input1: Matrix, _ input2: Matrix, row: Int
    ) -> (cos: Float, denominator: Float, squared1: Float, squared2: Float) {
        let columns = input1.columns
        var dot: Float = 0
        var squared1: Float = 0
        var squared2: Float = 0
        for j in 0..<columns {
            let a = input1.storage[row * columns + j]
            let b = input2.storage[row * columns + j]
            dot += a * b
            squared1 += a * a
            squared2 += b * b
        }
        squared1 += epsilon
        squared2 += epsilon
        let denominator = (squared1 * squared2).squareRoot()
        return (dot / denominator, denominator, squared1, squared2)
    }

    private func check(_ input1: Matrix, _ input2: Matrix, _ target: [Float]) throws {
        try LossCheck.shape(input2, "input2", rows: input1.rows, columns: input1.columns, reason: "the shape of input1")
        try LossCheck.count(target.count, "target", expected: input1.rows, reason: "one label per row of input1")
        try LossCheck.signLabels(Matrix(rows: target.count, columns: 1, storage: target), "target of CosineEmbeddingLoss")
    }
}
