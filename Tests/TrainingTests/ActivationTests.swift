import Testing
@testable import Training

/// Forward and backward of every activation against PyTorch (fixture
/// `layers/activations.json`): random points, ±1000, and every kink with its Float32
/// neighbours.
@Suite struct ActivationTests {
    let fixture: LayerFixtures.Activations

    init() throws {
        fixture = try LayerFixtures.load("activations.json", as: LayerFixtures.Activations.self)
    }

    @Test func fixtureCoversEveryActivation() {
        let covered = Set((fixture.elementwise + fixture.rowwise).map(\.kind))
        #expect(covered == Set(ActivationKind.allCases.map(\.rawValue)))
    }

    @Test func elementwiseMatchTorchValuesAndGradients() throws {
        for item in fixture.elementwise {
            let activation = try LayerFixtures.activation(kind: item.kind, parameters: item.parameters)
            let label = activation.description
            // RReLU's fixture is its evaluation form; every other function ignores the mode.
            let modes = activation.kind == .rrelu ? [false] : [false, true]
            for training in modes {
                let layer = try ActivationLayer(activation)
                let x = Matrix(rows: 1, columns: item.x.count, storage: LayerTolerance.floats(item.x))
                let dy = Matrix(rows: 1, columns: item.x.count, storage: LayerTolerance.floats(item.gradOutput))
                var y = Matrix(rows: 0, columns: 0)
                var dx = Matrix(rows: 0, columns: 0)
                layer.forward(x, into: &y, training: training)
                layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
                LayerTolerance.expectClose(y.storage, item.y, "\(label) forward (training \(training))")
                LayerTolerance.expectClose(dx.storage, item.gradInput, "\(label) backward (training \(training))")
                if let expectedWeightGradient = item.gradWeight {
                    let weight = try #require(layer.weight)
                    #expect(LayerTolerance.isClose(weight.gradient.storage[0], Float(expectedWeightGradient)),
                            "\(label) weight gradient \(weight.gradient.storage[0]), expected \(expectedWeightGradient)")
                }
            }
        }
    }

    @Test func rowwiseMatchTorchValuesAndGradients() throws {
        for item in fixture.rowwise {
            let activation = try LayerFixtures.activation(kind: item.kind, parameters: item.parameters)
            let rows = try #require(item.rows), columns = try #require(item.columns)
            let label = "\(activation) on \(rows)×\(columns)"
            let layer = try ActivationLayer(activation)
            let x = Matrix(rows: rows, columns: columns, storage: LayerTolerance.floats(item.x))
            let dy = Matrix(rows: rows, columns: columns, storage: LayerTolerance.floats(item.gradOutput))
            var y = Matrix(rows: 0, columns: 0)
            var dx = Matrix(rows: 0, columns: 0)
            layer.forward(x, into: &y, training: true)
            layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
            #expect(y.rows == rows && y.columns == columns)
            LayerTolerance.expectClose(y.storage, item.y, "\(label) forward")
            LayerTolerance.expectClose(dx.storage, item.gradInput, "\(label) backward")
        }
    }

    @Test func backwardMayOverwriteTheUpstreamGradientInPlace() throws {
        // The kernels allow dx to alias dy; check the row-wise ones, which read dy twice.
        for kind in [Activation.softmax, .softmin, .logSoftmax, .gelu, .softsign] {
            let x: [Float] = [0.3, -1.2, 2.5, 0.0, -0.7, 1.1]
            let dy: [Float] = [1, -2, 0.5, 0.25, -1, 3]
            var y = [Float](repeating: 0, count: 6)
            var separate = [Float](repeating: 0, count: 6)
            var inPlace = dy
            kind.forward(x, &y, count: 6, columns: 3, weight: 0)
            kind.backward(x, y, dy, &separate, count: 6, columns: 3, weight: 0)
            inPlace.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                kind.backward(x, y, base, base, count: 6, columns: 3, weight: 0)
            }
            #expect(inPlace == separate, "\(kind)")
        }
    }

    @Test func validateRejectsBadHyperparameters() {
        let bad: [Activation] = [
            .rrelu(lower: 0.4, upper: 0.2), .rrelu(lower: -0.1, upper: 0.2), .softplus(beta: 0, threshold: 20),
            .celu(alpha: 0), .hardtanh(minValue: 2, maxValue: 1), .softshrink(lambda: -0.5),
            .hardshrink(lambda: -1), .leakyReLU(negativeSlope: .nan), .elu(alpha: .infinity),
            .threshold(threshold: .nan, value: 1), .prelu(initialWeight: .infinity),
        ]
        for activation in bad {
            #expect(throws: LayerError.self, "\(activation)") { try activation.validate() }
        }
        for kind in ActivationKind.allCases {
            #expect(throws: Never.self, "\(kind)") { try Activation(kind).validate() }
        }
    }

    @Test func rowwiseFunctionsAreFlagged() {
        let rowwise = ActivationKind.allCases.filter { Activation($0).isRowwise }
        #expect(rowwise == [.softmin, .softmax, .logSoftmax])
    }
}
