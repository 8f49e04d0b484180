import Datasets

/// A fully connected (affine) layer, `y = x·Wᵀ + b`, PyTorch's `nn.Linear`.
///
/// The weight is stored `[outFeatures, inFeatures]` and the bias `[1, outFeatures]`, as in
/// PyTorch, so weights copy across unchanged. The default initialisation is PyTorch's
/// (`reset_parameters`): Kaiming-uniform with `a = √5` for the weight, which works out to
/// `U(−1/√fan_in, 1/√fan_in)`, and `U(−1/√fan_in, 1/√fan_in)` for the bias, with the draws taken
/// from our seeded generator (weights row by row, then the bias), so a seed always gives the
/// same layer.
///
/// ```swift
/// var rng = Xoshiro256StarStar(seed: 7)
/// let layer = try Linear(inFeatures: 2, outFeatures: 100, using: &rng)
/// try layer.forward(x, into: &y)                             // y = x·Wᵀ + b
/// try layer.backward(input: x, outputGradient: dy, inputGradient: &dx)  // dW, db += …; dx = dy·W
/// ```
///
/// Workspaces for the transposed products live in the layer, so after the first step at a
/// given batch size nothing allocates.
public final class Linear {
    /// Input features, the weight's columns.
    public let inFeatures: Int
    /// Output features, the weight's rows.
    public let outFeatures: Int
    /// `W`, `[outFeatures, inFeatures]`.
    public let weight: Parameter
    /// `b`, `[1, outFeatures]`.
    public let bias: Parameter

    /// `Wᵀ`, rebuilt by each forward pass that multiplies by it in our kernels (outputs ≥ inputs).
    private var transposedWeight = Matrix(rows: 0, columns: 0)
    /// `Xᵀ·dY`, the weight gradient built transposed when the outputs are the long dimension.
    private var transposedWeightGradient = Matrix(rows: 0, columns: 0)

    /// A layer initialised as PyTorch does, drawing from `rng`.
    ///
    /// - Parameters:
    ///   - inFeatures: Input features (`fan_in`), at least 1.
    ///   - outFeatures: Output features, at least 1.
    ///   - rng: The generator; `inFeatures·outFeatures + outFeatures` uniform draws are taken.
    ///   - name: A prefix for the parameters' names (`"<name>.weight"`, `"<name>.bias"`).
    /// - Throws: ``LayerError/invalidSize(name:value:)`` for a size below 1.
    public init<G: RandomNumberGenerator>(inFeatures: Int, outFeatures: Int, using rng: inout G,
                                          name: String = "linear") throws {
        try Linear.check(inFeatures: inFeatures, outFeatures: outFeatures)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(name: "\(name).weight", value: Matrix(rows: outFeatures, columns: inFeatures))
        bias = Parameter(name: "\(name).bias", value: Matrix(rows: 1, columns: outFeatures))
        resetParameters(using: &rng)
    }

    /// Draws the weight and bias afresh with PyTorch's default initialisation (its
    /// `reset_parameters`): `U(−1/√fan_in, 1/√fan_in)` for both, weights row by row, then the
    /// bias. The parameters keep their identity (optimizer state keyed by them stays attached;
    /// reset it separately if wanted).
    ///
    /// - Parameter rng: The generator; `inFeatures·outFeatures + outFeatures` uniform draws
    ///   are taken.
    /// - Complexity: O(in·out), no allocation.
    public func resetParameters<G: RandomNumberGenerator>(using rng: inout G) {
        let bound = 1 / Double(inFeatures).squareRoot()
        for i in 0..<weight.value.count {
            weight.value.storage[i] = Float(rng.nextUniform(-bound, bound))
        }
        for i in 0..<outFeatures {
            bias.value.storage[i] = Float(rng.nextUniform(-bound, bound))
        }
    }

    /// A layer initialised as PyTorch does, from a fresh ``Xoshiro256StarStar`` seeded with `seed`.
    ///
    /// - Throws: ``LayerError/invalidSize(name:value:)`` for a size below 1.
    public convenience init(inFeatures: Int, outFeatures: Int, seed: UInt64, name: String = "linear") throws {
        var rng = Xoshiro256StarStar(seed: seed)
        try self.init(inFeatures: inFeatures, outFeatures: outFeatures, using: &rng, name: name)
    }

    /// A layer with the given weight `[out, in]` and bias (`out` values), e.g. copied from PyTorch.
    ///
    /// - Throws: ``LayerError/invalidSize(name:value:)`` for an empty weight,
    ///   ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when the bias does not hold
    ///   one value per weight row.
    public init(weight: Matrix, bias: Matrix, name: String = "linear") throws {
        try Linear.check(inFeatures: weight.columns, outFeatures: weight.rows)
        guard bias.count == weight.rows else {
            throw LayerError.shapeMismatch(name: "\(name) bias", rows: bias.rows, columns: bias.columns,
                                           expected: "\(weight.rows) values, one per weight row")
        }
        inFeatures = weight.columns
        outFeatures = weight.rows
        self.weight = Parameter(name: "\(name).weight", value: weight)
        self.bias = Parameter(name: "\(name).bias",
                              value: Matrix(rows: 1, columns: weight.rows, storage: bias.storage))
    }

    private static func check(inFeatures: Int, outFeatures: Int) throws {
        guard inFeatures >= 1 else { throw LayerError.invalidSize(name: "inFeatures", value: inFeatures) }
        guard outFeatures >= 1 else { throw LayerError.invalidSize(name: "outFeatures", value: outFeatures) }
    }

    /// The weight, then the bias (PyTorch's `parameters()` order).
    public var parameters: [Parameter] { [weight, bias] }

    /// `y = x·Wᵀ + b`.
    ///
    /// Large layers go through BLAS (``Matrix/multiply(_:transposing:into:accumulate:)``).
    /// Small ones use `x·(Wᵀ)` with `Wᵀ` rebuilt in a workspace when the outputs are at least as
    /// many as the inputs (long contiguous output rows), and dot products of rows of `x` and `W`
    /// otherwise; the bias is the starting value of each output block.
    ///
    /// - Parameters:
    ///   - x: The input, `[B, inFeatures]`.
    ///   - y: Receives the output, reshaped to `[B, outFeatures]`.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inFeatures` columns.
    /// - Complexity: O(B·in·out), no allocation once the buffers have grown.
    public func forward(_ x: Matrix, into y: inout Matrix) throws {
        try forward(x, into: &y, fusingReLU: false)
    }

    /// `y = x·Wᵀ + b`, or `y = ReLU(x·Wᵀ + b)` with `fusingReLU` (applied as each block is
    /// stored where the kernel allows, saving a pass over `y`).
    func forward(_ x: Matrix, into y: inout Matrix, fusingReLU: Bool) throws {
        try checkInput(x)
        let fusion: Matrix.ProductFusion = fusingReLU ? .relu : .none
        if outFeatures >= inFeatures, ProductBackend.forShape(m: x.rows, n: outFeatures, k: inFeatures) == .ownKernels {
            weight.value.transpose(into: &transposedWeight)
            Matrix.multiply(x, transposedWeight, into: &y, mode: .addingRow(bias.value), fusion: fusion)
        } else {
            Matrix.multiply(x, transposing: weight.value, into: &y, mode: .addingRow(bias.value), fusion: fusion)
        }
    }

    /// The backward pass without the input gradient (for a first layer): `∂W += dYᵀ·X`,
    /// `∂b += Σ_rows dY`.
    ///
    /// - Parameters:
    ///   - x: The input of the forward pass, `[B, inFeatures]`.
    ///   - dy: ∂loss/∂y, `[B, outFeatures]`.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` for mismatched shapes.
    /// - Complexity: O(B·in·out), no allocation once the buffers have grown.
    public func backward(input x: Matrix, outputGradient dy: Matrix) throws {
        try accumulateWeightGradient(input: x, outputGradient: dy)
        dy.columnSums(into: &bias.gradient, accumulate: true)
    }

    /// `∂W += dYᵀ·X`, the bias gradient left alone (a ReLU network sums it with the mask of the
    /// layer above, ``reluInputGradient(outputGradient:reluOutput:into:addingColumnSumsTo:)``).
    func accumulateWeightGradient(input x: Matrix, outputGradient dy: Matrix) throws {
        try checkInput(x)
        try checkOutputGradient(dy, rows: x.rows)
        if outFeatures > inFeatures, ProductBackend.forShape(m: outFeatures, n: inFeatures, k: x.rows) == .ownKernels {
            // Our kernels: build Xᵀ·dY ([in, out], long rows), then add its transpose.
            Matrix.multiply(transposing: x, dy, into: &transposedWeightGradient)
            let rows = outFeatures, columns = inFeatures
            transposedWeightGradient.storage.withUnsafeBufferPointer { source in
                weight.gradient.storage.withUnsafeMutableBufferPointer { destination in
                    for r in 0..<rows {
                        for c in 0..<columns {
                            destination[r * columns + c] += source[c * rows + r]
                        }
                    }
                }
            }
        } else {
            Matrix.multiply(transposing: dy, x, into: &weight.gradient, accumulate: true)
        }
    }

    /// The backward pass: `∂W += dYᵀ·X`, `∂b += Σ_rows dY`, and `dX = dY·W`.
    ///
    /// - Parameters:
    ///   - x: The input of the forward pass, `[B, inFeatures]`.
    ///   - dy: ∂loss/∂y, `[B, outFeatures]`.
    ///   - dx: Receives ∂loss/∂x, reshaped to `[B, inFeatures]`.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` for mismatched shapes.
    /// - Complexity: O(B·in·out), no allocation once the buffers have grown.
    public func backward(input x: Matrix, outputGradient dy: Matrix, inputGradient dx: inout Matrix) throws {
        try backward(input: x, outputGradient: dy)
        Matrix.multiply(dy, weight.value, into: &dx, mode: .overwrite)
    }

    /// The input gradient passed back through the ReLU whose output `x` is, for
    /// `Linear → ReLU → Linear`: `dX = (dY·W) ⊙ [x > 0]`, the gradient of the layer below's
    /// pre-activation. Its column sums, that layer's bias gradient, are added to `belowBias` in
    /// the same pass as the mask (the sums ``Matrix/columnSums(into:accumulate:)`` makes, in
    /// its order), so the network reads `dX` once instead of twice.
    ///
    /// - Parameters:
    ///   - dy: ∂loss/∂y, `[B, outFeatures]`.
    ///   - x: The ReLU's output, this layer's input, `[B, inFeatures]`.
    ///   - dx: Receives ∂loss/∂(the ReLU's input), reshaped to `[B, inFeatures]`.
    ///   - belowBias: The layer below's bias gradient, `inFeatures` values, added to.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` for mismatched shapes.
    func reluInputGradient(outputGradient dy: Matrix, reluOutput x: Matrix, into dx: inout Matrix,
                           addingColumnSumsTo belowBias: inout Matrix) throws {
        try checkInput(x)
        try checkOutputGradient(dy, rows: x.rows)
        guard belowBias.count == inFeatures else {
            throw LayerError.shapeMismatch(name: "bias gradient below", rows: belowBias.rows, columns: belowBias.columns,
                                           expected: "\(inFeatures) values, one per input feature")
        }
        Matrix.multiply(dy, weight.value, into: &dx, mode: .overwrite)
        let rows = x.rows, columns = inFeatures
        guard rows > 0 else { return }
        x.storage.withUnsafeBufferPointer { mask in
            dx.storage.withUnsafeMutableBufferPointer { gradient in
                belowBias.storage.withUnsafeMutableBufferPointer { sums in
                    guard let m = mask.baseAddress, let g = gradient.baseAddress, let s = sums.baseAddress else { return }
                    ProductKernels.keepWherePositiveAddingColumnSums(m: rows, n: columns, mask: m, x: g, out: s)
                }
            }
        }
    }

    private func checkOutputGradient(_ dy: Matrix, rows: Int) throws {
        guard dy.rows == rows, dy.columns == outFeatures else {
            throw LayerError.shapeMismatch(name: "output gradient", rows: dy.rows, columns: dy.columns,
                                           expected: "\(rows)×\(outFeatures)")
        }
    }

    private func checkInput(_ x: Matrix) throws {
        guard x.columns == inFeatures else {
            throw LayerError.shapeMismatch(name: "input", rows: x.rows, columns: x.columns,
                                           expected: "\(inFeatures) columns (features)")
        }
    }
}
