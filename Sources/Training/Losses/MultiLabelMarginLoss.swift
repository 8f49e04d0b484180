/// The multi-class multi-label hinge loss of PyTorch's `nn.MultiLabelMarginLoss`. Row i of the
/// target lists the row's classes and ends at the first negative entry (PyTorch pads with −1);
/// with Tᵢ that set,
///
///     ℓᵢ = Σ_{j ∈ Tᵢ} Σ_{k ∉ Tᵢ} max(0, 1 − (xᵢⱼ − xᵢₖ)) / C
///
/// reduced `.mean` by default (over rows). A class listed twice counts twice, as in PyTorch. The
/// gradient counts a pair only while its hinge is strictly positive (PyTorch's kernel):
/// ∂ℓᵢ/∂xᵢⱼ −= 1/C and ∂ℓᵢ/∂xᵢₖ += 1/C for each such pair.
public struct MultiLabelMarginLoss: Sendable {
    /// How the per-row losses are combined.
    public let reduction: LossReduction

    /// A multi-label margin loss with PyTorch's default reduction `.mean`.
    public init(reduction: LossReduction = .mean) {
        self.reduction = reduction
    }

    /// The loss.
    ///
    /// - Parameters:
    ///   - input: `N × C` scores.
    ///   - targets: `N × C` class indices, row-major; each row's list ends at its first negative
    ///     entry (−1 by convention), and later entries are not read.
    /// - Returns: `N × 1` per-row losses for `.none`, else `1 × 1`.
    /// - Throws: ``LossError`` when `targets` does not have `N × C` entries or a listed class is
    ///   not in `0..<C`.
    /// - Complexity: O(N·C²).
    public func forward(_ input: Matrix, targets: [Int32]) throws -> Matrix {
        try check(input, targets)
        let columns = input.columns
        var values = Matrix(rows: input.rows, columns: 1)
        var isTarget = [Bool](repeating: false, count: columns)
        for i in 0..<input.rows {
            let listed = mark(targets, row: i, columns: columns, into: &isTarget)
            var total: Float = 0
            for t in 0..<listed {
                let xTarget = input.storage[i * columns + Int(targets[i * columns + t])]
                for k in 0..<columns where !isTarget[k] {
                    let z = 1 - xTarget + input.storage[i * columns + k]
                    if z > 0 { total += z }
                }
            }
            values.storage[i] = total / Float(columns)
        }
        return reduction.apply(to: values)
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - input: `N × C` scores.
    ///   - targets: `N × C` class lists as in ``forward(_:targets:)``.
    ///   - upstream: dℓ/d(output), shaped like the forward result; `nil` for ones.
    /// - Returns: the `N × C` gradient.
    /// - Throws: as ``forward(_:targets:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(N·C²).
    public func backward(_ input: Matrix, targets: [Int32], upstream: Matrix? = nil) throws -> Matrix {
        try check(input, targets)
        let columns = input.columns
        let factors = try UpstreamFactors(upstream, reduction: reduction, rows: input.rows, columns: 1)
        var gradient = Matrix(rows: input.rows, columns: columns)
        var isTarget = [Bool](repeating: false, count: columns)
        for i in 0..<input.rows {
            let listed = mark(targets, row: i, columns: columns, into: &isTarget)
            let g = factors.factor(i) / Float(columns)
            for t in 0..<listed {
                let j = Int(targets[i * columns + t])
                let xTarget = input.storage[i * columns + j]
                for k in 0..<columns where !isTarget[k] {
                    let z = 1 - xTarget + input.storage[i * columns + k]
                    if z > 0 {
                        gradient.storage[i * columns + j] -= g
                        gradient.storage[i * columns + k] += g
                    }
                }
            }
        }
        return gradient
    }

    /// Marks row `row`'s listed classes in `isTarget`; returns how many entries are listed.
    private func mark(_ targets: [Int32], row: Int, columns: Int, into isTarget: inout [Bool]) -> Int {
        for k in 0..<columns { isTarget[k] = false }
        var listed = 0
        while listed < columns, targets[row * columns + listed] >= 0 {
            isTarget[Int(targets[row * columns + listed])] = true
            listed += 1
        }
        return listed
    }

    private func check(_ input: Matrix, _ targets: [Int32]) throws {
        let columns = input.columns
        try LossCheck.count(targets.count, "targets", expected: input.rows * columns, reason: "\(input.rows)×\(columns), the shape of input")
        for i in 0..<input.rows {
            for t in 0..<columns {
                let label = targets[i * columns + t]
                if label < 0 { break }
                guard Int(label) < columns else {
                    throw LossError.labelOutOfRange(argument: "targets", row: i, column: t, label: label, classes: columns)
                }
            }
        }
    }
}
