/// How a loss turns its per-sample (or per-element) values into its output, as PyTorch's
/// `reduction` argument.
///
/// - `none`: the output holds one value per sample (per-sample losses such as
///   ``CrossEntropyLoss``, an `N × 1` matrix) or per element (elementwise losses such as
///   ``MSELoss``, the input's shape).
/// - `mean`: the output is a `1 × 1` matrix holding the mean. For ``NLLLoss`` and
///   ``CrossEntropyLoss`` with class-index targets this is PyTorch's *weighted* mean, divided by
///   Σ w[yᵢ] over the samples that are not ignored; elsewhere it divides by the number of
///   values. The mean of nothing is NaN, as in PyTorch.
/// - `sum`: the output is a `1 × 1` matrix holding the sum.
public enum LossReduction: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Keep every value.
    case none
    /// Average the values (PyTorch's default).
    case mean
    /// Add the values up.
    case sum

    /// PyTorch's spelling: `"none"`, `"mean"` or `"sum"`.
    public var description: String { rawValue }
}

/// The upstream gradient dℓ/d(output) as the backward passes use it: one factor per value of the
/// unreduced loss, already multiplied by the derivative of the reduction.
struct UpstreamFactors {
    /// The factor shared by every value (`g`, `g / n`, or 1 when `values` is set).
    let scalar: Float
    /// Per-value factors for reduction `.none`.
    let values: [Float]?

    /// Resolves `upstream` for a loss whose unreduced output is `rows × columns`.
    ///
    /// - Parameters:
    ///   - upstream: dℓ/d(output): `rows × columns` for `.none`, `1 × 1` otherwise; `nil` means
    ///     all ones.
    ///   - reduction: the loss's reduction.
    ///   - rows: rows of the unreduced output.
    ///   - columns: columns of the unreduced output.
    ///   - meanDivisor: what `.mean` divides by (the number of values unless the loss says
    ///     otherwise).
    /// - Throws: ``LossError/shapeMismatch(argument:rows:columns:expectedRows:expectedColumns:reason:)``
    ///   when `upstream` does not have the output's shape.
    init(
        _ upstream: Matrix?, reduction: LossReduction, rows: Int, columns: Int,
        meanDivisor: Double? = nil
    ) throws {
        switch reduction {
        case .none:
            if let upstream {
                guard upstream.rows == rows, upstream.columns == columns else {
                    throw LossError.shapeMismatch(
                        argument: "upstream gradient", rows: upstream.rows, columns: upstream.columns,
                        expectedRows: rows, expectedColumns: columns,
                        reason: "the shape of the unreduced loss")
                }
                self.init(scalar: 1, values: upstream.storage)
            } else {
                self.init(scalar: 1, values: nil)
            }
        case .mean, .sum:
            var g: Float = 1
            if let upstream {
                guard upstream.rows == 1, upstream.columns == 1 else {
                    throw LossError.shapeMismatch(
                        argument: "upstream gradient", rows: upstream.rows, columns: upstream.columns,
                        expectedRows: 1, expectedColumns: 1, reason: "the shape of a reduced loss")
                }
                g = upstream.storage[0]
            }
            if reduction == .mean {
                let divisor = meanDivisor ?? Double(rows * columns)
                self.init(scalar: Float(Double(g) / divisor), values: nil)
            } else {
                self.init(scalar: g, values: nil)
            }
        }
    }

    private init(scalar: Float, values: [Float]?) {
        self.scalar = scalar
        self.values = values
    }

    /// The factor for value `k` of the unreduced output.
    @inline(__always)
    func factor(_ k: Int) -> Float {
        if let values { return values[k] }
        return scalar
    }
}

extension LossReduction {
    /// The loss output for unreduced values held in `values` (`rows × columns`).
    ///
    /// - Parameters:
    ///   - values: the unreduced loss.
    ///   - meanDivisor: what `.mean` divides by; the number of values when `nil`.
    /// - Returns: `values` for `.none`, else a `1 × 1` matrix with the mean or sum (accumulated in
    ///   `Double`).
    func apply(to values: Matrix, meanDivisor: Double? = nil) -> Matrix {
        switch self {
        case .none:
            return values
        case .mean, .sum:
            var total = 0.0
            values.storage.withUnsafeBufferPointer { buffer in
                for v in buffer { total += Double(v) }
            }
            if self == .mean { total /= meanDivisor ?? Double(values.count) }
            return Matrix(rows: 1, columns: 1, repeating: Float(total))
        }
    }
}
