import Datasets

/// A multilayer perceptron: `Linear → activation → … → Linear`, the network of the course
/// notes (seed 003, Eq. 2) with any number of hidden layers, ending in logits `[B, K]`.
///
/// ```swift
/// let mlp = try MLP(inputs: 2, hidden: [100], outputs: 3, activation: .relu, seed: 1)
/// let optimizer = try Adam(learningRate: 1e-3)
/// mlp.zeroGradients()                                 // zero_grad()
/// let logits = try mlp.forward(x)                     // model(input)
/// let dLogits = …                                     // ∂loss/∂logits from a loss
/// try mlp.backward(dLogits: dLogits)                  // loss.backward()
/// optimizer.step(mlp.parameters)                      // optimizer.step()
/// ```
///
/// `hidden: []` is a linear model (one `Linear`). Every hidden layer has its own activation
/// layer (so a PReLU network has one learnable slope per hidden layer, as with separate
/// `nn.PReLU()` modules in an `nn.Sequential`). Parameters are listed in PyTorch's order for
/// `nn.Sequential(Linear, act, Linear, act, …, Linear)` and named after its indices
/// (`"layers.0.weight"`, `"layers.0.bias"`, `"layers.1.weight"` for a PReLU, …).
///
/// The same seed gives the same network: the `Linear` layers draw PyTorch's default
/// initialisation from one ``Xoshiro256StarStar`` seeded with `seed`, in layer order; the
/// RReLU layer after hidden layer `l` draws its training slopes from stream `l + 1` of the seed.
///
/// All activations and gradients live in buffers inside the network, reused from batch to
/// batch: after the first step at a given batch size, forward, backward and an optimizer step
/// allocate nothing. A network is a reference type and is not thread-safe.
public final class MLP: Classifier {
    /// Input features.
    public let inputs: Int
    /// Hidden layer widths, first to last.
    public let hidden: [Int]
    /// Output classes (logits per row).
    public let outputs: Int
    /// The hidden layers' activation.
    public let activation: Activation
    /// The affine layers, first to last; the last one produces the logits.
    public let linears: [Linear]
    /// The activation layer after each hidden `Linear` (`hidden.count` of them).
    public let activationLayers: [ActivationLayer]
    /// Every learnable parameter, in PyTorch's `parameters()` order.
    public let parameters: [Parameter]
    /// The last `Linear`'s weight and bias: the head, the parameters a head-only phase trains.
    public let headParameters: [Parameter]
    /// Training mode (the default, like a fresh `nn.Module`): RReLU draws random slopes.
    /// Evaluation mode uses its mean slope. No other activation depends on the mode.
    public var isTraining = true

    private var input = Matrix(rows: 0, columns: 0)
    private var preActivations: [Matrix]
    private var hiddenOutputs: [Matrix]
    private var hiddenGradients: [Matrix]
    private var preActivationGradients: [Matrix]
    private var logits = Matrix(rows: 0, columns: 0)
    private var hasForwardPass = false
    /// ReLU networks fuse the activation into the work around it: forward, into the stores of
    /// our product kernels (one pass after a BLAS product); backward, the mask into the pass
    /// that sums the layer below's bias gradient. Same results as the separate steps, one pass
    /// less over each hidden layer backward, and forward for small layers.
    private let fusesReLU: Bool

    /// A network with PyTorch's default initialisation drawn from `seed`.
    ///
    /// - Parameters:
    ///   - inputs: Input features, at least 1.
    ///   - hidden: Hidden layer widths, each at least 1; empty for a linear model.
    ///   - outputs: Output logits (classes), at least 1.
    ///   - activation: The activation after each hidden layer (from a command-line name:
    ///     `Activation(kind)`, PyTorch's defaults).
    ///   - seed: Fixes the initial weights and RReLU's slopes.
    /// - Throws: ``LayerError/invalidSize(name:value:)`` for a size below 1,
    ///   ``LayerError/invalidHyperparameter(name:value:expected:)`` for a bad activation.
    public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation, seed: UInt64) throws {
        guard inputs >= 1 else { throw LayerError.invalidSize(name: "inputs", value: inputs) }
        for (index, width) in hidden.enumerated() where width < 1 {
            throw LayerError.invalidSize(name: "hidden layer \(index) width", value: width)
        }
        guard outputs >= 1 else { throw LayerError.invalidSize(name: "outputs", value: outputs) }
        try activation.validate()

        var rng = Xoshiro256StarStar(seed: seed)
        let widths = [inputs] + hidden + [outputs]
        var linears: [Linear] = []
        var activationLayers: [ActivationLayer] = []
        var parameters: [Parameter] = []
        for l in 0..<(widths.count - 1) {
            let linear = try Linear(inFeatures: widths[l], outFeatures: widths[l + 1], using: &rng,
                                    name: "layers.\(2 * l)")
            linears.append(linear)
            parameters += linear.parameters
            if l < hidden.count {
                let layer = try ActivationLayer(activation,
                                                generator: Xoshiro256StarStar(seed: seed, stream: UInt64(l + 1)),
                                                name: "layers.\(2 * l + 1)")
                activationLayers.append(layer)
                parameters += layer.parameters
            }
        }
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        self.activation = activation
        fusesReLU = activation == .relu
        self.linears = linears
        self.activationLayers = activationLayers
        self.parameters = parameters
        self.headParameters = linears[linears.count - 1].parameters
        let empty = Array(repeating: Matrix(rows: 0, columns: 0), count: hidden.count)
        preActivations = empty
        hiddenOutputs = empty
        hiddenGradients = empty
        preActivationGradients = empty
    }

    /// The logits for `x`, in the current mode (``isTraining``).
    ///
    /// The result shares the network's logits buffer: holding on to it past the next forward
    /// pass makes that pass copy the buffer. ``forward(_:into:)`` never does.
    ///
    /// - Parameter x: The batch, `[B, inputs]`.
    /// - Returns: The logits, `[B, outputs]`.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inputs` columns.
    /// - Complexity: O(B · Σ layer in·out).
    public func forward(_ x: Matrix) throws -> Matrix {
        try run(x, training: isTraining)
        return logits
    }

    /// Computes the logits for `x` in the current mode into `output` (reshaped to
    /// `[B, outputs]`), as ``forward(_:into:training:)`` does: no copy, and no allocation once
    /// `output` and the network's own matrix have the capacity.
    ///
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inputs` columns.
    public func forward(_ x: Matrix, into output: inout Matrix) throws {
        try forward(x, into: &output, training: isTraining)
    }

    /// Computes the logits for `x` in training mode or not (whatever ``isTraining`` says) into
    /// `output` (reshaped to `[B, outputs]`). The ``Classifier`` entry point, once a step: the
    /// network computes into its own logits matrix and trades it for `output`, so the logits
    /// are not copied, and the caller's previous matrix is the next pass's destination (no
    /// allocation once both have the capacity).
    ///
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inputs` columns.
    public func forward(_ x: Matrix, into output: inout Matrix, training: Bool) throws {
        try run(x, training: training)
        swap(&output, &logits)
    }

    /// The logits for `x` in evaluation mode, whatever ``isTraining`` says (`model.eval()`
    /// then `model(x)`). Like any forward pass it replaces the activations a following
    /// ``backward(dLogits:headOnly:)`` would use.
    ///
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inputs` columns.
    public func predict(_ x: Matrix) throws -> Matrix {
        try run(x, training: false)
        return logits
    }

    /// The predicted class of each row of `x` (the argmax of the evaluation-mode logits).
    ///
    /// - Parameter classes: Replaced by `B` class indices; its capacity is reused.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` when `x` does not
    ///   have `inputs` columns.
    public func predictClasses(_ x: Matrix, into classes: inout [Int]) throws {
        try run(x, training: false)
        logits.rowArgmax(into: &classes)
    }

    /// Back-propagates ∂loss/∂logits of the latest forward pass, adding every parameter's
    /// gradient into ``Parameter/gradient`` (PyTorch accumulates; zero them first).
    ///
    /// - Parameters:
    ///   - dLogits: ∂loss/∂logits, `[B, outputs]` for the `B` rows of the latest forward pass.
    ///   - headOnly: Compute only the last `Linear`'s gradients (for training the output layer
    ///     alone); the other parameters' gradients are left as they are.
    /// - Throws: ``LayerError/noForwardPass`` before any forward pass,
    ///   ``LayerError/shapeMismatch(name:rows:columns:expected:)`` for a `dLogits` of the
    ///   wrong shape.
    /// - Complexity: O(B · Σ layer in·out); the first layer's input gradient is not computed.
    public func backward(dLogits: Matrix, headOnly: Bool = false) throws {
        guard hasForwardPass else { throw LayerError.noForwardPass }
        guard dLogits.rows == input.rows, dLogits.columns == outputs else {
            throw LayerError.shapeMismatch(name: "dLogits", rows: dLogits.rows, columns: dLogits.columns,
                                           expected: "\(input.rows)×\(outputs), the logits of the latest forward pass")
        }
        let last = linears.count - 1
        guard last > 0 else {
            try linears[0].backward(input: input, outputGradient: dLogits)
            return
        }
        if headOnly {
            try linears[last].backward(input: hiddenOutputs[last - 1], outputGradient: dLogits)
            return
        }
        if fusesReLU {
            // ReLU's backward is one pass after each input-gradient product, dZ = (dY·W) ⊙ [h > 0],
            // which also sums dZ's columns into the bias gradient of the layer below.
            try linears[last].backward(input: hiddenOutputs[last - 1], outputGradient: dLogits)
            try linears[last].reluInputGradient(outputGradient: dLogits, reluOutput: hiddenOutputs[last - 1],
                                                into: &preActivationGradients[last - 1],
                                                addingColumnSumsTo: &linears[last - 1].bias.gradient)
            for l in stride(from: last - 1, through: 0, by: -1) {
                try linears[l].accumulateWeightGradient(input: l == 0 ? input : hiddenOutputs[l - 1],
                                                        outputGradient: preActivationGradients[l])
                if l > 0 {
                    try linears[l].reluInputGradient(outputGradient: preActivationGradients[l], reluOutput: hiddenOutputs[l - 1],
                                                     into: &preActivationGradients[l - 1],
                                                     addingColumnSumsTo: &linears[l - 1].bias.gradient)
                }
            }
            return
        }
        try linears[last].backward(input: hiddenOutputs[last - 1], outputGradient: dLogits,
                                   inputGradient: &hiddenGradients[last - 1])
        for l in stride(from: last - 1, through: 0, by: -1) {
            activationLayers[l].backward(input: preActivations[l], output: hiddenOutputs[l],
                                         outputGradient: hiddenGradients[l], into: &preActivationGradients[l])
            if l == 0 {
                try linears[0].backward(input: input, outputGradient: preActivationGradients[0])
            } else {
                try linears[l].backward(input: hiddenOutputs[l - 1], outputGradient: preActivationGradients[l],
                                        inputGradient: &hiddenGradients[l - 1])
            }
        }
    }

    /// Re-draws the last `Linear`'s weight and bias with PyTorch's default initialisation
    /// (``Linear/resetParameters(using:)``); the hidden layers are left as they are.
    public func resetHead<G: RandomNumberGenerator>(using rng: inout G) {
        linears[linears.count - 1].resetParameters(using: &rng)
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        parameters.zeroGradients()
    }

    /// Replaces the parameters' values, in ``parameters`` order (e.g. weights copied from
    /// PyTorch's `model.parameters()`, or a checkpoint).
    ///
    /// - Parameter values: One matrix per parameter, each of that parameter's shape.
    /// - Throws: ``LayerError/shapeMismatch(name:rows:columns:expected:)`` naming the first
    ///   parameter whose shape differs (nothing is changed then), or when the count differs.
    public func load(parameterValues values: [Matrix]) throws {
        guard values.count == parameters.count else {
            throw LayerError.shapeMismatch(name: "parameter list", rows: values.count, columns: 1,
                                           expected: "\(parameters.count) parameters")
        }
        for (parameter, value) in zip(parameters, values)
        where parameter.value.rows != value.rows || parameter.value.columns != value.columns {
            throw LayerError.shapeMismatch(name: parameter.name, rows: value.rows, columns: value.columns,
                                           expected: "\(parameter.value.rows)×\(parameter.value.columns)")
        }
        for (parameter, value) in zip(parameters, values) {
            parameter.value.copy(from: value)
        }
    }

    private func run(_ x: Matrix, training: Bool) throws {
        guard x.columns == inputs else {
            throw LayerError.shapeMismatch(name: "input batch", rows: x.rows, columns: x.columns,
                                           expected: "\(inputs) columns (features)")
        }
        input.copy(from: x)
        let last = linears.count - 1
        for l in 0..<last {
            if fusesReLU {
                // ReLU applied as the product is stored; its backward needs only the output.
                if l == 0 {
                    try linears[0].forward(input, into: &hiddenOutputs[0], fusingReLU: true)
                } else {
                    try linears[l].forward(hiddenOutputs[l - 1], into: &hiddenOutputs[l], fusingReLU: true)
                }
                continue
            }
            if l == 0 {
                try linears[0].forward(input, into: &preActivations[0])
            } else {
                try linears[l].forward(hiddenOutputs[l - 1], into: &preActivations[l])
            }
            activationLayers[l].forward(preActivations[l], into: &hiddenOutputs[l], training: training)
        }
        if last == 0 {
            try linears[0].forward(input, into: &logits)
        } else {
            try linears[last].forward(hiddenOutputs[last - 1], into: &logits)
        }
        hasForwardPass = true
    }
}
