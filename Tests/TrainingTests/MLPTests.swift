import Datasets
import Foundation
import Testing
@testable import Training

@Suite struct MLPTests {
    static func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64, scale: Double = 2) -> Matrix {
        var rng = Xoshiro256StarStar(seed: seed)
        return Matrix(rows: rows, columns: columns,
                      storage: (0..<(rows * columns)).map { _ in Float(rng.nextUniform(-scale, scale)) })
    }

    // MARK: PyTorch parity

    /// Logits and gradients are sums over up to 100 products, so the absolute tolerance is
    /// 1e-5 (see `LinearTests.absolute`); the relative one is 1e-5.
    @Test func forwardAndBackwardMatchTorch() throws {
        let fixture = try LayerFixtures.load("mlp.json", as: LayerFixtures.MLPs.self)
        for item in fixture.cases {
            let activation = try LayerFixtures.activation(kind: item.activation, parameters: item.parameters)
            let mlp = try MLP(inputs: item.inputs, hidden: item.hidden, outputs: item.outputs,
                              activation: activation, seed: 0)
            #expect(mlp.parameters.map(\.name) == item.parameterNames.map { "layers.\($0)" }, "\(item.label)")
            let shapes = mlp.parameters.map { [$0.value.rows, $0.value.columns] }
            // PyTorch shapes a bias and PReLU's weight as rank 1; ours are [1, n].
            #expect(shapes == item.parameterShapes.map { $0.count == 1 ? [1, $0[0]] : $0 }, "\(item.label)")
            try mlp.load(parameterValues: zip(mlp.parameters, item.parameterValues).map { parameter, values in
                Matrix(rows: parameter.value.rows, columns: parameter.value.columns, storage: LayerTolerance.floats(values))
            })
            mlp.isTraining = item.mode == "train"
            let x = Matrix(rows: item.batch, columns: item.inputs, storage: LayerTolerance.floats(item.x))
            let logits = try mlp.forward(x)
            LayerTolerance.expectClose(logits.storage, item.logits, absolute: 1e-5, "\(item.label) logits")
            mlp.zeroGradients()
            try mlp.backward(dLogits: Matrix(rows: item.batch, columns: item.outputs,
                                             storage: LayerTolerance.floats(item.gradLogits)))
            for (parameter, expected) in zip(mlp.parameters, item.parameterGradients) {
                LayerTolerance.expectClose(parameter.gradient.storage, expected, absolute: 1e-5,
                                           "\(item.label) ∂\(parameter.name)")
            }
        }
    }

    // MARK: Finite differences

    /// Central differences of `L = Σ logits ⊙ R` computed by an independent Double forward
    /// pass (``Reference``) with h = 1e-6, against our Float32 backward pass, for every
    /// activation (RReLU in evaluation mode) and every parameter value. The tolerance is
    /// Float32's: 1e-4 relative plus 1e-5 absolute.
    @Test(arguments: ActivationKind.allCases)
    func backwardMatchesFiniteDifferences(kind: ActivationKind) throws {
        let mlp = try MLP(inputs: 3, hidden: [5, 4], outputs: 3, activation: Activation(kind), seed: 17)
        mlp.isTraining = kind != .rrelu
        let x = Self.randomMatrix(6, 3, seed: 1)
        let r = Self.randomMatrix(6, 3, seed: 2, scale: 1)
        _ = try mlp.forward(x)
        mlp.zeroGradients()
        try mlp.backward(dLogits: r)

        let reference = Reference(mlp: mlp)
        let h = 1e-6
        for (p, parameter) in mlp.parameters.enumerated() {
            for i in 0..<parameter.count {
                var plus = reference, minus = reference
                plus.parameters[p][i] += h
                minus.parameters[p][i] -= h
                let difference = (plus.loss(x, r) - minus.loss(x, r)) / (2 * h)
                let analytic = Double(parameter.gradient.storage[i])
                #expect(abs(analytic - difference) <= 1e-4 * abs(difference) + 1e-5,
                        "\(kind) ∂\(parameter.name)[\(i)] = \(analytic), finite difference \(difference)")
            }
        }
    }

    /// The network recomputed in Double with naive loops and the textbook formulas.
    struct Reference {
        var activation: Activation
        var widths: [Int]
        var parameters: [[Double]]
        var hasWeight: Bool

        init(mlp: MLP) {
            activation = mlp.activation
            widths = [mlp.inputs] + mlp.hidden + [mlp.outputs]
            parameters = mlp.parameters.map { $0.value.storage.map(Double.init) }
            hasWeight = mlp.activationLayers.first?.weight != nil
        }

        func loss(_ x: Matrix, _ r: Matrix) -> Double {
            var h = x.storage.map(Double.init)
            var p = 0
            let rows = x.rows
            for l in 0..<(widths.count - 1) {
                let inputs = widths[l], outputs = widths[l + 1]
                let w = parameters[p], b = parameters[p + 1]
                p += 2
                var z = [Double](repeating: 0, count: rows * outputs)
                for i in 0..<rows {
                    for o in 0..<outputs {
                        var sum = b[o]
                        for k in 0..<inputs { sum += h[i * inputs + k] * w[o * inputs + k] }
                        z[i * outputs + o] = sum
                    }
                }
                if l < widths.count - 2 {
                    var slope = 0.0
                    if hasWeight {
                        slope = parameters[p][0]
                        p += 1
                    }
                    h = apply(z, columns: outputs, slope: slope)
                } else {
                    h = z
                }
            }
            return zip(h, r.storage).reduce(0) { $0 + $1.0 * Double($1.1) }
        }

        func apply(_ z: [Double], columns: Int, slope: Double) -> [Double] {
            switch activation {
            case .softmax, .softmin, .logSoftmax:
                var out = z
                for start in stride(from: 0, to: z.count, by: columns) {
                    let row = z[start..<(start + columns)].map { activation == .softmin ? -$0 : $0 }
                    let largest = row.max() ?? 0
                    let total = row.reduce(0) { $0 + exp($1 - largest) }
                    for j in 0..<columns {
                        out[start + j] = activation == .logSoftmax
                            ? row[j] - largest - log(total) : exp(row[j] - largest) / total
                    }
                }
                return out
            default:
                return z.map { scalar($0, slope: slope) }
            }
        }

        func scalar(_ x: Double, slope: Double) -> Double {
            switch activation {
            case .relu: return max(x, 0)
            case .rrelu(let lower, let upper): return x >= 0 ? x : (lower + upper) / 2 * x
            case .leakyReLU(let a): return x > 0 ? x : a * x
            case .prelu: return x > 0 ? x : slope * x
            case .softplus(let beta, let threshold): return beta * x > threshold ? x : log(1 + exp(beta * x)) / beta
            case .elu(let alpha): return x > 0 ? x : alpha * (exp(x) - 1)
            case .celu(let alpha): return x > 0 ? x : alpha * (exp(x / alpha) - 1)
            case .selu: return Activation.seluScale * (x > 0 ? x : Activation.seluAlpha * (exp(x) - 1))
            case .gelu: return x * 0.5 * (1 + erf(x / 2.0.squareRoot()))
            case .geluTanh: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
            case .relu6: return min(max(x, 0), 6)
            case .sigmoid: return 1 / (1 + exp(-x))
            case .tanh: return tanh(x)
            case .softsign: return x / (1 + abs(x))
            case .hardtanh(let low, let high): return min(max(x, low), high)
            case .threshold(let threshold, let value): return x > threshold ? x : value
            case .tanhshrink: return x - tanh(x)
            case .softshrink(let lambda): return x > lambda ? x - lambda : (x < -lambda ? x + lambda : 0)
            case .hardshrink(let lambda): return abs(x) > lambda ? x : 0
            case .logSigmoid: return -log(1 + exp(-x))
            case .softmax, .softmin, .logSoftmax: return x
            }
        }
    }

    // MARK: Behaviour

    @Test func parametersAreListedInPyTorchOrder() throws {
        let mlp = try MLP(inputs: 2, hidden: [4, 3], outputs: 5, activation: .prelu(), seed: 1)
        #expect(mlp.parameters.map(\.name) == [
            "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.2.weight", "layers.2.bias",
            "layers.3.weight", "layers.4.weight", "layers.4.bias",
        ])
        #expect(mlp.headParameters.map(\.name) == ["layers.4.weight", "layers.4.bias"])
        #expect(mlp.headParameters[0] === mlp.parameters[6])
        #expect(mlp.parameters.scalarCount == (8 + 4) + 1 + (12 + 3) + 1 + (15 + 5))
        let linear = try MLP(inputs: 2, hidden: [], outputs: 3, activation: .relu, seed: 1)
        #expect(linear.parameters.map(\.name) == ["layers.0.weight", "layers.0.bias"])
        #expect(linear.activationLayers.isEmpty)
    }

    @Test func sameSeedSameNetwork() throws {
        let a = try MLP(inputs: 2, hidden: [100], outputs: 3, activation: .relu, seed: 9)
        let b = try MLP(inputs: 2, hidden: [100], outputs: 3, activation: .relu, seed: 9)
        let c = try MLP(inputs: 2, hidden: [100], outputs: 3, activation: .relu, seed: 10)
        #expect(a.parameters.map(\.value) == b.parameters.map(\.value))
        #expect(a.parameters.map(\.value) != c.parameters.map(\.value))
        // The first layer is the first draws of Xoshiro256StarStar(seed:), as in Linear.
        #expect(try Linear(inFeatures: 2, outFeatures: 100, seed: 9).weight.value == a.parameters[0].value)
    }

    @Test func headOnlyBackwardTouchesOnlyTheLastLayer() throws {
        let mlp = try MLP(inputs: 3, hidden: [6, 5], outputs: 4, activation: .tanh, seed: 3)
        let x = Self.randomMatrix(7, 3, seed: 4)
        let dLogits = Self.randomMatrix(7, 4, seed: 5, scale: 1)
        _ = try mlp.forward(x)
        try mlp.backward(dLogits: dLogits)
        let full = mlp.headParameters.map(\.gradient)
        mlp.zeroGradients()
        try mlp.backward(dLogits: dLogits, headOnly: true)
        #expect(mlp.headParameters.map(\.gradient) == full)
        for parameter in mlp.parameters where !mlp.headParameters.contains(where: { $0 === parameter }) {
            #expect(parameter.gradient.storage.allSatisfy { $0 == 0 }, "\(parameter.name)")
        }
    }

    @Test func batchSizeMayChangeBetweenCalls() throws {
        let mlp = try MLP(inputs: 2, hidden: [8], outputs: 3, activation: .gelu, seed: 6)
        let fresh = try MLP(inputs: 2, hidden: [8], outputs: 3, activation: .gelu, seed: 6)
        let big = Self.randomMatrix(96, 2, seed: 7), small = Self.randomMatrix(5, 2, seed: 8)
        for x in [big, small, big, small] {
            var viaBuffer = Matrix(rows: 0, columns: 0)
            try mlp.forward(x, into: &viaBuffer)
            let logits = try mlp.forward(x)
            #expect(viaBuffer == logits)
            #expect(logits.rows == x.rows && logits.columns == 3)
            let dLogits = Matrix(rows: x.rows, columns: 3, repeating: 0.5)
            mlp.zeroGradients()
            try mlp.backward(dLogits: dLogits)
            let freshLogits = try fresh.forward(x)
            fresh.zeroGradients()
            try fresh.backward(dLogits: dLogits)
            #expect(logits == freshLogits)
            #expect(mlp.parameters.map(\.gradient) == fresh.parameters.map(\.gradient))
        }
    }

    @Test func predictUsesEvaluationMode() throws {
        let mlp = try MLP(inputs: 2, hidden: [16], outputs: 3, activation: .rrelu(), seed: 2)
        let x = Self.randomMatrix(10, 2, seed: 3)
        let first = try mlp.forward(x)
        let second = try mlp.forward(x)
        #expect(first != second, "training mode draws fresh RReLU slopes")
        let predicted = try mlp.predict(x)
        #expect(mlp.isTraining)
        mlp.isTraining = false
        let evaluated = try mlp.forward(x)
        #expect(predicted == evaluated)
        var classes: [Int] = []
        try mlp.predictClasses(x, into: &classes)
        #expect(classes == evaluated.rowArgmax())
    }

    @Test func badConfigurationsAndInputsThrow() throws {
        #expect(throws: LayerError.invalidSize(name: "inputs", value: 0)) {
            try MLP(inputs: 0, hidden: [], outputs: 2, activation: .relu, seed: 1)
        }
        #expect(throws: LayerError.invalidSize(name: "hidden layer 1 width", value: 0)) {
            try MLP(inputs: 2, hidden: [3, 0], outputs: 2, activation: .relu, seed: 1)
        }
        #expect(throws: LayerError.invalidSize(name: "outputs", value: 0)) {
            try MLP(inputs: 2, hidden: [3], outputs: 0, activation: .relu, seed: 1)
        }
        #expect(throws: LayerError.self) {
            try MLP(inputs: 2, hidden: [3], outputs: 2, activation: .hardtanh(minValue: 1, maxValue: 0), seed: 1)
        }
        let mlp = try MLP(inputs: 2, hidden: [3], outputs: 2, activation: .relu, seed: 1)
        #expect(throws: LayerError.noForwardPass) {
            try mlp.backward(dLogits: Matrix(rows: 1, columns: 2))
        }
        #expect(throws: LayerError.shapeMismatch(name: "input batch", rows: 4, columns: 3,
                                                 expected: "2 columns (features)")) {
            try mlp.forward(Matrix(rows: 4, columns: 3))
        }
        _ = try mlp.forward(Matrix(rows: 4, columns: 2))
        #expect(throws: LayerError.self) {
            try mlp.backward(dLogits: Matrix(rows: 5, columns: 2))
        }
        #expect(throws: LayerError.self) {
            try mlp.load(parameterValues: [Matrix(rows: 3, columns: 2)])
        }
        let before = mlp.parameters.map(\.value)
        #expect(throws: LayerError.self) {
            try mlp.load(parameterValues: mlp.parameters.map(\.value).reversed())
        }
        #expect(mlp.parameters.map(\.value) == before, "a failed load changes nothing")
    }
}
