/// A trainable tensor and the gradient accumulated for it, shared by reference between the
/// layer that owns it and the optimizer that updates it (like a `torch.nn.Parameter` with its
/// `.grad`).
///
/// Layers *add* to ``gradient`` in their backward pass, as PyTorch accumulates into `.grad`;
/// call ``zeroGradient()`` (or ``Swift/Array/zeroGradients()``) before each backward pass.
/// Optimizers update ``value`` in place. Both buffers keep their shape for the parameter's
/// life, so no step allocates.
public final class Parameter {
    /// A name for reports, e.g. `"layers.0.weight"`.
    public let name: String
    /// The values, shaped like the PyTorch tensor (a `Linear` weight is `[out, in]`, a bias
    /// `[1, out]`).
    public var value: Matrix
    /// ∂loss/∂value, accumulated by backward passes; the same shape as ``value``.
    public var gradient: Matrix

    /// A parameter holding `value`, with a zero gradient of the same shape.
    ///
    /// - Parameters:
    ///   - name: A name for reports.
    ///   - value: The initial values.
    public init(name: String, value: Matrix) {
        self.name = name
        self.value = value
        self.gradient = Matrix(rows: value.rows, columns: value.columns)
    }

    /// Number of scalar values.
    public var count: Int { value.count }

    /// Sets the gradient to zero.
    ///
    /// - Complexity: O(count).
    public func zeroGradient() {
        gradient.fill(with: 0)
    }
}

extension Array where Element == Parameter {
    /// Sets every parameter's gradient to zero (step 3 of the training loop, `zero_grad()`).
    ///
    /// - Complexity: O(total number of values).
    public func zeroGradients() {
        for parameter in self {
            parameter.zeroGradient()
        }
    }

    /// Total number of scalar values over all the parameters.
    public var scalarCount: Int {
        reduce(0) { $0 + $1.count }
    }
}
