import Datasets

/// An ``Activation`` applied as a layer: it owns PReLU's learnable weight and RReLU's random
/// slopes, and keeps its buffers across calls so a training step allocates nothing.
///
/// ```swift
/// let layer = try ActivationLayer(.prelu(initialWeight: 0.25), name: "act.0")
/// layer.forward(z, into: &h, training: true)
/// layer.backward(input: z, output: h, outputGradient: dh, into: &dz)   // also adds to ∂/∂a
/// ```
///
/// RReLU in training draws one slope `a ~ U(lower, upper)` for every input `x ≤ 0` from the
/// layer's own ``Xoshiro256StarStar`` (PyTorch draws from its global generator, so the slopes
/// are ours; the formulas are PyTorch's), and the backward pass multiplies by the slopes of the
/// latest training forward pass. In evaluation the slope is `(lower + upper)/2`.
public final class ActivationLayer {
    /// The function and its hyperparameters.
    public let activation: Activation
    /// PReLU's single learnable slope, `[1, 1]`; `nil` for every other activation.
    public let weight: Parameter?
    /// Where RReLU's training slopes come from.
    public internal(set) var generator: Xoshiro256StarStar
    /// RReLU's slope for each value of the latest training forward pass (1 where `x > 0`).
    private(set) var slopes: [Float] = []
    /// Whether the latest forward pass used RReLU's random slopes.
    private var usedRandomSlopes = false

    /// A layer applying `activation`.
    ///
    /// - Parameters:
    ///   - activation: The function and its hyperparameters.
    ///   - generator: The source of RReLU's training slopes (unused by other activations).
    ///   - name: A prefix for the parameter's name (PReLU's weight is `"<name>.weight"`).
    /// - Throws: ``LayerError/invalidHyperparameter(name:value:expected:)`` when
    ///   ``Activation/validate()`` rejects the hyperparameters.
    public init(_ activation: Activation, generator: Xoshiro256StarStar = Xoshiro256StarStar(seed: 0),
                name: String = "activation") throws {
        try activation.validate()
        self.activation = activation
        self.generator = generator
        if case .prelu(let initialWeight) = activation {
            weight = Parameter(name: "\(name).weight",
                               value: Matrix(rows: 1, columns: 1, repeating: Float(initialWeight)))
        } else {
            weight = nil
        }
    }

    /// The learnable parameters: PReLU's weight, or none.
    public var parameters: [Parameter] {
        weight.map { [$0] } ?? []
    }

    /// `y = f(x)`, the forward pass.
    ///
    /// - Parameters:
    ///   - x: The input, `[B, F]` (row-wise functions act on each row of `F` values).
    ///   - y: Receives the output, reshaped to `[B, F]`.
    ///   - training: Training mode: RReLU draws fresh random slopes; every other function is
    ///     the same in both modes.
    /// - Complexity: O(B·F), no allocation once the buffers have grown to the batch size.
    public func forward(_ x: Matrix, into y: inout Matrix, training: Bool) {
        y.reshape(rows: x.rows, columns: x.columns)
        let n = x.count
        if training, case .rrelu(let lower, let upper) = activation {
            drawSlopes(for: x, lower: lower, upper: upper)
            applySlopes(x, into: &y)
            return
        }
        usedRandomSlopes = false
        let slope = weight?.value.storage[0] ?? 0
        let columns = x.columns
        x.storage.withUnsafeBufferPointer { input in
            y.storage.withUnsafeMutableBufferPointer { output in
                guard let xp = input.baseAddress, let yp = output.baseAddress else { return }
                activation.forward(xp, yp, count: n, columns: columns, weight: slope)
            }
        }
    }

    /// The backward pass: `dx = dy ⊙ f′(x)`, and for PReLU `weight.gradient += Σ x·dy` over
    /// `x ≤ 0`.
    ///
    /// - Parameters:
    ///   - x: The input of the latest ``forward(_:into:training:)``.
    ///   - y: Its output.
    ///   - dy: ∂loss/∂y, the same shape.
    ///   - dx: Receives ∂loss/∂x, reshaped to the same shape.
    /// - Precondition: `x`, `y` and `dy` have the same shape.
    /// - Complexity: O(B·F), no allocation once `dx` has grown to the batch size.
    public func backward(input x: Matrix, output y: Matrix, outputGradient dy: Matrix, into dx: inout Matrix) {
        precondition(x.rows == dy.rows && x.columns == dy.columns && y.count == x.count,
                     "activation backward: input, output and gradient shapes differ")
        dx.reshape(rows: x.rows, columns: x.columns)
        let n = x.count
        if usedRandomSlopes {
            precondition(slopes.count == n, "RReLU backward on a batch of another size than its forward pass")
            slopes.withUnsafeBufferPointer { slope in
                dy.storage.withUnsafeBufferPointer { upstream in
                    dx.storage.withUnsafeMutableBufferPointer { downstream in
                        for i in 0..<n {
                            downstream[i] = upstream[i] * slope[i]
                        }
                    }
                }
            }
            return
        }
        let slope = weight?.value.storage[0] ?? 0
        let columns = x.columns
        let weightGradient = x.storage.withUnsafeBufferPointer { input in
            y.storage.withUnsafeBufferPointer { output in
                dy.storage.withUnsafeBufferPointer { upstream in
                    dx.storage.withUnsafeMutableBufferPointer { downstream -> Float in
                        guard let xp = input.baseAddress, let yp = output.baseAddress,
                              let gp = upstream.baseAddress, let dp = downstream.baseAddress else { return 0 }
                        return activation.backward(xp, yp, gp, dp, count: n, columns: columns, weight: slope)
                    }
                }
            }
        }
        if let weight {
            weight.gradient.storage[0] += weightGradient
        }
    }

    /// RReLU training forward with given slopes (for the tests that replay PyTorch's draws).
    func forward(_ x: Matrix, into y: inout Matrix, givenSlopes: [Float]) {
        precondition(givenSlopes.count == x.count)
        y.reshape(rows: x.rows, columns: x.columns)
        slopes = givenSlopes
        usedRandomSlopes = true
        applySlopes(x, into: &y)
    }

    private func drawSlopes(for x: Matrix, lower: Double, upper: Double) {
        let n = x.count
        if slopes.count != n {
            slopes.removeAll(keepingCapacity: true)
            slopes.append(contentsOf: repeatElement(1, count: n))
        }
        usedRandomSlopes = true
        x.storage.withUnsafeBufferPointer { input in
            slopes.withUnsafeMutableBufferPointer { slope in
                for i in 0..<n {
                    slope[i] = input[i] <= 0 ? Float(generator.nextUniform(lower, upper)) : 1
                }
            }
        }
    }

    private func applySlopes(_ x: Matrix, into y: inout Matrix) {
        let n = x.count
        x.storage.withUnsafeBufferPointer { input in
            slopes.withUnsafeBufferPointer { slope in
                y.storage.withUnsafeMutableBufferPointer { output in
                    for i in 0..<n {
                        output[i] = input[i] * slope[i]
                    }
                }
            }
        }
    }
}
