import Foundation

/// The Kullback–Leibler divergence loss of PyTorch's `nn.KLDivLoss` (S. Kullback and
/// R. A. Leibler, "On Information and Sufficiency", Annals of Mathematical Statistics, 1951).
/// The input holds log-probabilities xₖ; the target holds probabilities yₖ, or log-probabilities
/// when `logTarget` is set:
///
///     ℓₖ = yₖ · (log yₖ − xₖ)          (0 where yₖ = 0)
///     ℓₖ = exp(yₖ) · (yₖ − xₖ)          with logTarget
///
/// ∂ℓₖ/∂xₖ = −yₖ, or −exp(yₖ) with logTarget. Reduction `.batchMean` (the sum divided by the
/// number of rows) gives the true KL divergence per sample; PyTorch's default `.mean` divides by
/// the number of elements instead, and is kept as the default for parity.
public struct KLDivLoss: Sendable, ElementwiseLoss {
    /// KL divergence's reductions: ``LossReduction``'s, plus PyTorch's `batchmean`.
    public enum Reduction: String, Sendable, CaseIterable {
        /// Keep every element.
        case none
        /// Divide the sum by the number of elements (PyTorch's default).
        case mean
        /// Divide the sum by the number of rows: the mathematically correct KL per sample.
        case batchMean = "batchmean"
        /// The sum.
        case sum
    }

    /// How the per-element values are combined.
    public let reduction: Reduction
    /// Whether the target holds log-probabilities.
    public let logTarget: Bool

    /// A KL-divergence loss.
    ///
    /// - Parameters:
    ///   - reduction: `.mean` (PyTorch's default), `.batchMean`, `.sum` or `.none`.
    ///   - logTarget: whether targets are log-probabilities (`false` by default).
    public init(reduction: Reduction = .mean, logTarget: Bool = false) {
        self.reduction = reduction
        self.logTarget = logTarget
    }

    /// The elementwise reduction behind `reduction` (`.batchMean` sums, then divides).
    public var elementwiseReduction: LossReduction {
        switch reduction {
        case .none: return .none
        case .mean: return .mean
        case .batchMean, .sum: return .sum
        }
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - input: log-probabilities, `N × C`.
    ///   - target: probabilities (≥ 0), or log-probabilities with `logTarget`; `input`'s shape.
    /// - Returns: the per-element losses (`input`'s shape) for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when the shapes differ, or (without `logTarget`) a target is
    ///   negative or NaN.
    /// - Complexity: O(n).
    public func forward(_ input: Matrix, _ target: Matrix) throws -> Matrix {
        var output = try elementwiseForward(input, target)
        if reduction == .batchMean { output.storage[0] /= Float(input.rows) }
        return output
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - input: log-probabilities.
    ///   - target: probabilities, or log-probabilities with `logTarget`; `input`'s shape.
    ///   - upstream: dℓ/d(output), shaped like ``forward(_:_:)``'s result; `nil` for ones.
    /// - Returns: the gradient, `input`'s shape.
    /// - Throws: as ``forward(_:_:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(n).
    public func backward(_ input: Matrix, _ target: Matrix, upstream: Matrix? = nil) throws -> Matrix {
        var gradient = try elementwiseBackward(input, target, upstream: upstream)
        if reduction == .batchMean {
            let scale = 1 / Float(input.rows)
            for k in gradient.storage.indices { gradient.storage[k] *= scale }
        }
        return gradient
    }

    /// Throws ``LossError`` when (without `logTarget`) a target is negative or NaN.
    public func validate(input: Matrix, target: Matrix) throws {
        if !logTarget {
            try LossCheck.values(target, "target of \(Self.name)", expected: "a probability ≥ 0 (or set logTarget)") { $0 >= 0 }
        }
    }

    public func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        if logTarget { return Foundation.exp(y) * (y - x) }
        return (y == 0 ? 0 : y * Foundation.log(y)) - y * x
    }

    public func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float {
        logTarget ? -Foundation.exp(y) : -y
    }
}
