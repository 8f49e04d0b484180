/// What the elementwise losses (``MSELoss``, ``L1Loss``, ``BCELoss``, …) share: a per-element
/// value ℓ(xₖ, yₖ) and derivative ∂ℓ/∂xₖ over an input and a target of the same shape, then
/// reduced by ``LossReduction``.
protocol ElementwiseLoss {
    /// How the per-element values are combined.
    var elementwiseReduction: LossReduction { get }
    /// The loss's name for error messages.
    static var name: String { get }
    /// Throws unless `input` and `target` (already known to have the same shape) are in the
    /// loss's domain.
    func validate(input: Matrix, target: Matrix) throws
    /// ℓ(x, y) for element `index` (row-major) of a matrix with `columns` columns.
    func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float
    /// ∂ℓ/∂x for element `index` of a matrix with `columns` columns.
    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float
}

extension ElementwiseLoss {
    func validate(input: Matrix, target: Matrix) throws {}

    /// The loss: `input`'s shape for `.none`, `1 × 1` otherwise.
    func elementwiseForward(_ input: Matrix, _ target: Matrix) throws -> Matrix {
        try LossCheck.shape(target, "target", rows: input.rows, columns: input.columns, reason: "the shape of input")
        try validate(input: input, target: target)
        var values = Matrix(rows: input.rows, columns: input.columns)
        let columns = input.columns
        for k in input.storage.indices {
            values.storage[k] = value(input.storage[k], target.storage[k], index: k, columns: columns)
        }
        return elementwiseReduction.apply(to: values)
    }

    /// dLoss/dInput, given dℓ/d(output) shaped like the forward result (`nil` for ones).
    func elementwiseBackward(_ input: Matrix, _ target: Matrix, upstream: Matrix?) throws -> Matrix {
        try LossCheck.shape(target, "target", rows: input.rows, columns: input.columns, reason: "the shape of input")
        try validate(input: input, target: target)
        let factors = try UpstreamFactors(upstream, reduction: elementwiseReduction, rows: input.rows, columns: input.columns)
        var gradient = Matrix(rows: input.rows, columns: input.columns)
        let columns = input.columns
        for k in input.storage.indices {
            gradient.storage[k] = derivative(input.storage[k], target.storage[k], index: k, columns: columns)
                * factors.factor(k)
        }
        return gradient
    }
}

/// An optional per-element weight that broadcasts like PyTorch's: `1 × C` (one per column,
/// shared by every row) or `N × C` (one per element).
struct ElementWeight: Sendable {
    let weight: Matrix?

    /// Throws unless the weight broadcasts to `input` and is finite and non-negative.
    func check(against input: Matrix, argument: String) throws {
        guard let weight else { return }
        guard weight.columns == input.columns, weight.rows == 1 || weight.rows == input.rows else {
            throw LossError.shapeMismatch(
                argument: argument, rows: weight.rows, columns: weight.columns,
                expectedRows: input.rows, expectedColumns: input.columns,
                reason: "or 1×\(input.columns): the shape of input, or one row shared by all rows")
        }
        try LossCheck.weights(weight.storage, argument)
    }

    /// The weight of element `index` of a matrix with `columns` columns.
    @inline(__always)
    func callAsFunction(_ index: Int, columns: Int) -> Float {
        guard let weight else { return 1 }
        return weight.rows == 1 ? weight.storage[index % columns] : weight.storage[index]
    }
}
