/// A loss computed element by element: a per-element value ℓ(xₖ, yₖ) and derivative ∂ℓ/∂xₖ
/// over an input and a target of the same shape, reduced by ``LossReduction``.
///
/// A conformer gives ``value(_:_:index:columns:)``, ``derivative(_:_:index:columns:)`` and,
/// where its domain is narrower than all floats, ``validate(input:target:)``; the extension
/// gives ``forward(_:_:)`` and ``backward(_:_:upstream:)`` with PyTorch's reductions
/// (`none`: the input's shape; `mean`: the sum divided by the number of elements; `sum`) and
/// the shape checks. ``MSELoss``, ``L1Loss``, ``HuberLoss``, ``SmoothL1Loss``, ``BCELoss``,
/// ``BCEWithLogitsLoss``, ``SoftMarginLoss``, ``HingeEmbeddingLoss`` and ``KLDivLoss`` conform.
///
/// ```swift
/// struct LogCoshLoss: ElementwiseLoss {
///     var elementwiseReduction: LossReduction { .mean }
///     func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float { log(cosh(x - y)) }
///     func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float { tanh(x - y) }
/// }
/// let loss = try LogCoshLoss().forward(predictions, targets)   // 1 × 1
/// ```
public protocol ElementwiseLoss {
    /// The loss's name for error messages (the type's name by default).
    static var name: String { get }
    /// How ``forward(_:_:)`` and ``backward(_:_:upstream:)`` combine the per-element values
    /// (for most losses their `reduction`).
    var elementwiseReduction: LossReduction { get }
    /// Throws unless `input` and `target` (already known to have the same shape) are in the
    /// loss's domain; the default accepts everything.
    func validate(input: Matrix, target: Matrix) throws
    /// ℓ(x, y) for element `index` (row-major) of a matrix with `columns` columns.
    func value(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float
    /// ∂ℓ/∂x for element `index` of a matrix with `columns` columns.
    func derivative(_ x: Float, _ y: Float, index: Int, columns: Int) -> Float
    /// The loss; see the extension's default.
    func forward(_ input: Matrix, _ target: Matrix) throws -> Matrix
    /// dLoss/dInput; see the extension's default.
    func backward(_ input: Matrix, _ target: Matrix, upstream: Matrix?) throws -> Matrix
}

extension ElementwiseLoss {
    /// The type's name, e.g. `"BCELoss"`.
    public static var name: String { String(describing: Self.self) }

    /// Accepts every input and target.
    public func validate(input: Matrix, target: Matrix) throws {}

    /// The loss.
    ///
    /// - Parameters:
    ///   - input: predictions (or scores, probabilities, logits: each loss says), any shape.
    ///   - target: `input`'s shape.
    /// - Returns: the per-element losses (`input`'s shape) for `.none`, else `1 × 1` (the sum
    ///   is accumulated in `Double`).
    /// - Throws: ``LossError/shapeMismatch(argument:rows:columns:expectedRows:expectedColumns:reason:)``
    ///   when the shapes differ, and what ``validate(input:target:)`` throws for values outside
    ///   the loss's domain.
    /// - Complexity: O(n).
    public func forward(_ input: Matrix, _ target: Matrix) throws -> Matrix {
        try elementwiseForward(input, target)
    }

    /// dLoss/dInput.
    ///
    /// - Parameters:
    ///   - input: as for ``forward(_:_:)``.
    ///   - target: `input`'s shape.
    ///   - upstream: dℓ/d(output), shaped like ``forward(_:_:)``'s result; `nil` for ones.
    /// - Returns: the gradient, `input`'s shape.
    /// - Throws: as ``forward(_:_:)``, and when `upstream` has the wrong shape.
    /// - Complexity: O(n).
    public func backward(_ input: Matrix, _ target: Matrix, upstream: Matrix? = nil) throws -> Matrix {
        try elementwiseBackward(input, target, upstream: upstream)
    }

    /// The unscaled forward pass behind ``forward(_:_:)``, for a conformer that post-processes it.
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

    /// The backward pass behind ``backward(_:_:upstream:)``, for a conformer that post-processes it.
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
