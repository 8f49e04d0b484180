import Foundation

/// The triplet margin loss of PyTorch's `nn.TripletMarginLoss` (F. Schroff, D. Kalenichenko,
/// J. Philbin, "FaceNet: A Unified Embedding for Face Recognition and Clustering", CVPR 2015):
/// for anchor, positive and negative rows aᵢ, pᵢ, nᵢ,
///
///     d(u, v) = ‖u − v + ε‖ₚ            (PyTorch's pairwise_distance, ε added to the difference)
///     ℓᵢ = max(0, margin + d(aᵢ, pᵢ) − d(aᵢ, nᵢ))
///
/// reduced `.mean` by default. Defaults are PyTorch's: margin 1, p = 2, ε = 10⁻⁶, no swap. With
/// `swap` the negative distance is min(d(aᵢ, nᵢ), d(pᵢ, nᵢ)), the "distance swap" of V. Balntas,
/// E. Riba, D. Ponsa, K. Mikolajczyk, "Learning local feature descriptors with triplets and
/// shallow convolutional neural networks", BMVC 2016 (a tie splits the gradient in half, as in
/// PyTorch). Gradients flow while the hinge is ≥ 0; ∂‖s‖ₚ/∂s = sign(s)|s|ᵖ⁻¹/‖s‖ₚᵖ⁻¹ (0 when
/// ‖s‖ₚ = 0).
public struct TripletMarginLoss: Sendable {
    /// How the per-row losses are combined.
    public let reduction: LossReduction
    /// The margin between positive and negative distances.
    public let margin: Float
    /// The norm's order p ≥ 1.
    public let p: Float
    /// ε added to each difference before taking the norm.
    public let eps: Float
    /// Whether to use the distance swap.
    public let swap: Bool

    /// A triplet margin loss.
    ///
    /// - Parameters:
    ///   - margin: the margin (1 by default), finite.
    ///   - p: the norm's order (2 by default), finite and ≥ 1.
    ///   - eps: added to the differences (10⁻⁶ by default), finite.
    ///   - swap: use the distance swap (`false` by default).
    ///   - reduction: `.mean` (default), `.sum` or `.none`.
    /// - Throws: ``LossError/invalidOption(name:value:expected:)`` for an option out of range.
    public init(
        margin: Float = 1, p: Float = 2, eps: Float = 1e-6, swap: Bool = false,
        reduction: LossReduction = .mean
    ) throws {
        try LossCheck.option(margin, "margin", expected: "a finite number") { $0.isFinite }
        try LossCheck.option(p, "p", expected: "a finite norm order ≥ 1") { $0.isFinite && $0 >= 1 }
        try LossCheck.option(eps, "eps", expected: "a finite number") { $0.isFinite }
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap
        self.reduction = reduction
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - anchor: `N × D` embeddings.
    ///   - positive: `N × D` embeddings of the anchors' class.
    ///   - negative: `N × D` embeddings of other classes.
    /// - Returns: `N × 1` per-row losses for `.none`, else `1 × 1`.
    /// - Throws: ``LossError/shapeMismatch(argument:rows:columns:expectedRows:expectedColumns:reason:)``
    ///   when the shapes differ.
    /// - Complexity: O(N·D).
    public func forward(anchor: Matrix, positive: Matrix, negative: Matrix) throws -> Matrix {
        try check(anchor, positive, negative)
        var values = Matrix(rows: anchor.rows, columns: 1)
        for i in 0..<anchor.rows {
            values.storage[i] = max(hinge(anchor, positive, negative, row: i).value, 0)
        }
        return reduction.apply(to: values)
    }

    /// The gradients with respect to the anchors, positives and negatives.
    ///
    /// - Parameters:
    ///   - anchor: `N × D` embeddings.
    ///   - positive: `N × D` embeddings.
    ///   - negative: `N × D` embeddings.
    ///   - upstream: dℓ/d(output), shaped like the forward result; `nil` for ones.
    /// - Returns: the three `N × D` gradients.
    /// - Throws: as ``forward(anchor:positive:negative:)``, and when `upstream` has the wrong
    ///   shape.
    /// - Complexity: O(N·D).
    public func backward(
        anchor: Matrix, positive: Matrix, negative: Matrix, upstream: Matrix? = nil
    ) throws -> (anchor: Matrix, positive: Matrix, negative: Matrix) {
        try check(anchor, positive, negative)
        let factors = try UpstreamFactors(upstream, reduction: reduction, rows: anchor.rows, columns: 1)
        var gradA = Matrix(rows: anchor.rows, columns: anchor.columns)
        var gradP = gradA
        var gradN = gradA
        for i in 0..<anchor.rows {
            let h = hinge(anchor, positive, negative, row: i)
            guard h.value >= 0 else { continue }
            let g = factors.factor(i)
            // +d(a, p): a gets ∂d/∂s, p gets −∂d/∂s (s = a − p + ε).
            addDistanceGradient(anchor, positive, row: i, distance: h.positive, scale: g, into: &gradA, &gradP)
            // −d_neg, split between d(a, n) and d(p, n) as PyTorch's minimum does.
            var towardAnchor: Float = 1
            if swap {
                if h.swapped < h.negative {
                    towardAnchor = 0
                } else if h.swapped == h.negative {
                    towardAnchor = 0.5
                }
            }
            if towardAnchor > 0 {
                addDistanceGradient(anchor, negative, row: i, distance: h.negative, scale: -g * towardAnchor, into: &gradA, &gradN)
            }
            if towardAnchor < 1 {
                addDistanceGradient(positive, negative, row: i, distance: h.swapped, scale: -g * (1 - towardAnchor), into: &gradP, &gradN)
            }
        }
        return (gradA, gradP, gradN)
    }

    /// margin + d(a, p) − d_neg for one row, with the distances.
    private func hinge(
        _ anchor: Matrix, _ positive: Matrix, _ negative: Matrix, row: Int
    ) -> (value: Float, positive: Float, negative: Float, swapped: Float) {
        let dPositive = distance(anchor, positive, row: row)
        let dNegative = distance(anchor, negative, row: row)
        var dSwapped = Float.infinity
        var nearest = dNegative
        if swap {
            dSwapped = distance(positive, negative, row: row)
            nearest = min(dNegative, dSwapped)
        }
        return (margin + dPositive - nearest, dPositive, dNegative, dSwapped)
    }

    /// ‖u − v + ε‖ₚ over one row.
    private func distance(_ u: Matrix, _ v: Matrix, row: Int) -> Float {
        let columns = u.columns
        var total: Float = 0
        for j in 0..<columns {
            let s = abs(u.storage[row * columns + j] - v.storage[row * columns + j] + eps)
            switch p {
            case 1: total += s
            case 2: total += s * s
            default: total += Foundation.pow(s, p)
            }
        }
        switch p {
        case 1: return total
        case 2: return total.squareRoot()
        default: return Foundation.pow(total, 1 / p)
        }
    }

    /// Adds `scale`·∂‖u − v + ε‖ₚ/∂u to `gradU` and its negation to `gradV`, on one row.
    private func addDistanceGradient(
        _ u: Matrix, _ v: Matrix, row: Int, distance: Float, scale: Float,
        into gradU: inout Matrix, _ gradV: inout Matrix
    ) {
        let columns = u.columns
        let denominator: Float = p == 2 ? distance : Foundation.pow(distance, p - 1)
        for j in 0..<columns {
            let k = row * columns + j
            let s = u.storage[k] - v.storage[k] + eps
            var derivative: Float
            if p == 1 {
                derivative = s > 0 ? 1 : (s < 0 ? -1 : 0)
            } else if distance == 0 {
                derivative = 0
            } else if p == 2 {
                derivative = s / denominator
            } else {
                let sign: Float = s > 0 ? 1 : (s < 0 ? -1 : 0)
                derivative = sign * Foundation.pow(abs(s), p - 1) / denominator
            }
            gradU.storage[k] += scale * derivative
            gradV.storage[k] -= scale * derivative
        }
    }

    private func check(_ anchor: Matrix, _ positive: Matrix, _ negative: Matrix) throws {
        try LossCheck.shape(positive, "positive", rows: anchor.rows, columns: anchor.columns, reason: "the shape of anchor")
        try LossCheck.shape(negative, "negative", rows: anchor.rows, columns: anchor.columns, reason: "the shape of anchor")
    }
}
