import Datasets
import Testing
@testable import Training

@Suite struct LinearTests {
    /// Sums of up to 40 products of terms ≲ 10: Float rounding may reach ~1e-5 in absolute
    /// terms where the terms cancel, so the absolute tolerance is 1e-5 here.
    static let absolute: Float = 1e-5

    @Test func forwardAndBackwardMatchTorch() throws {
        let fixture = try LayerFixtures.load("linear.json", as: LayerFixtures.Linears.self)
        for item in fixture.cases {
            let label = "Linear(\(item.inFeatures), \(item.outFeatures)) batch \(item.batch)"
            let layer = try Linear(
                weight: Matrix(rows: item.outFeatures, columns: item.inFeatures, storage: LayerTolerance.floats(item.weight)),
                bias: Matrix(rows: 1, columns: item.outFeatures, storage: LayerTolerance.floats(item.bias)))
            let x = Matrix(rows: item.batch, columns: item.inFeatures, storage: LayerTolerance.floats(item.x))
            let dy = Matrix(rows: item.batch, columns: item.outFeatures, storage: LayerTolerance.floats(item.gradOutput))
            var y = Matrix(rows: 0, columns: 0), dx = Matrix(rows: 0, columns: 0)
            try layer.forward(x, into: &y)
            #expect(y.rows == item.batch && y.columns == item.outFeatures, "\(label)")
            LayerTolerance.expectClose(y.storage, item.y, absolute: Self.absolute, "\(label) y")
            try layer.backward(input: x, outputGradient: dy, inputGradient: &dx)
            LayerTolerance.expectClose(dx.storage, item.gradInput, absolute: Self.absolute, "\(label) dX")
            LayerTolerance.expectClose(layer.weight.gradient.storage, item.gradWeight, absolute: Self.absolute, "\(label) dW")
            LayerTolerance.expectClose(layer.bias.gradient.storage, item.gradBias, absolute: Self.absolute, "\(label) db")

            // A second backward pass accumulates, as PyTorch's .grad does; the variant without
            // the input gradient adds the same parameter gradients.
            try layer.backward(input: x, outputGradient: dy)
            LayerTolerance.expectClose(layer.weight.gradient.storage, item.gradWeight.map { 2 * $0 },
                                       absolute: 2 * Self.absolute, "\(label) dW accumulated")
            LayerTolerance.expectClose(layer.bias.gradient.storage, item.gradBias.map { 2 * $0 },
                                       absolute: 2 * Self.absolute, "\(label) db accumulated")
            layer.parameters.zeroGradients()
            #expect(layer.weight.gradient.storage.allSatisfy { $0 == 0 })
            #expect(layer.bias.gradient.storage.allSatisfy { $0 == 0 })
        }
    }

    @Test func fusedReLUPathsMatchTheSeparateSteps() throws {
        // Both forward strategies (outputs ≥ inputs and outputs < inputs).
        for (inFeatures, outFeatures) in [(2, 100), (40, 3), (16, 16)] {
            let layer = try Linear(inFeatures: inFeatures, outFeatures: outFeatures, seed: 5)
            let x = MLPTests.randomMatrix(9, inFeatures, seed: 6)
            var y = Matrix(rows: 0, columns: 0), fused = Matrix(rows: 0, columns: 0)
            try layer.forward(x, into: &y)
            try layer.forward(x, into: &fused, fusingReLU: true)
            #expect(fused.storage == y.storage.map { $0 < 0 ? 0 : $0 }, "\(inFeatures)→\(outFeatures)")

            let dy = MLPTests.randomMatrix(9, outFeatures, seed: 7)
            let reluOutput = Matrix(rows: 9, columns: inFeatures, storage: x.storage.map { max($0, 0) })
            var dx = Matrix(rows: 0, columns: 0), maskedDx = Matrix(rows: 0, columns: 0)
            try layer.backward(input: reluOutput, outputGradient: dy, inputGradient: &dx)
            let expectedDx = zip(dx.storage, reluOutput.storage).map { $1 > 0 ? $0 : 0 }
            // The sums are added to what the layer below's bias gradient holds, as columnSums adds them.
            let held = MLPTests.randomMatrix(1, inFeatures, seed: 8)
            var expectedSums = held
            Matrix(rows: 9, columns: inFeatures, storage: expectedDx).columnSums(into: &expectedSums, accumulate: true)
            var belowBias = held
            try layer.reluInputGradient(outputGradient: dy, reluOutput: reluOutput, into: &maskedDx,
                                        addingColumnSumsTo: &belowBias)
            #expect(maskedDx.storage == expectedDx)
            #expect(belowBias == expectedSums)
            #expect(throws: LayerError.self) {
                var wrong = Matrix(rows: 1, columns: inFeatures + 1)
                try layer.reluInputGradient(outputGradient: dy, reluOutput: reluOutput, into: &maskedDx,
                                            addingColumnSumsTo: &wrong)
            }
        }
    }

    @Test func initialisationDrawsPyTorchsBoundsFromTheGenerator() throws {
        var rng = Xoshiro256StarStar(seed: 42)
        let layer = try Linear(inFeatures: 4, outFeatures: 3, using: &rng, name: "fc")
        #expect(layer.weight.name == "fc.weight" && layer.bias.name == "fc.bias")
        #expect(layer.weight.value.rows == 3 && layer.weight.value.columns == 4)
        #expect(layer.bias.value.rows == 1 && layer.bias.value.columns == 3)
        // Weights row by row, then the bias, each U(−1/√fan_in, 1/√fan_in).
        var replay = Xoshiro256StarStar(seed: 42)
        let expected = (0..<15).map { _ in Float(replay.nextUniform(-0.5, 0.5)) }
        #expect(layer.weight.value.storage + layer.bias.value.storage == expected)
        #expect(rng == replay)
        #expect(try Linear(inFeatures: 4, outFeatures: 3, seed: 42, name: "fc").weight.value == layer.weight.value)
        #expect(try Linear(inFeatures: 4, outFeatures: 3, seed: 43).weight.value != layer.weight.value)
    }

    @Test func initialisationIsUniformOnTheKaimingBound() throws {
        let fanIn = 200
        let layer = try Linear(inFeatures: fanIn, outFeatures: 100, seed: 7)
        let bound = 1 / Float(fanIn).squareRoot()
        let values = layer.weight.value.storage
        #expect(values.allSatisfy { abs($0) <= bound })
        // 20 000 draws of U(−b, b): mean 0 and variance b²/3; the sample mean's standard error is
        // b/√(3·20000) and the sample variance's relative standard error is about 0.9%; allow 5σ.
        let n = Double(values.count), b = Double(bound)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        #expect(abs(mean) < 5 * b / (3 * n).squareRoot())
        #expect(abs(variance / (b * b / 3) - 1) < 0.045)
    }

    @Test func badSizesAndShapesThrow() throws {
        #expect(throws: LayerError.invalidSize(name: "inFeatures", value: 0)) {
            try Linear(inFeatures: 0, outFeatures: 3, seed: 1)
        }
        #expect(throws: LayerError.invalidSize(name: "outFeatures", value: -1)) {
            try Linear(inFeatures: 2, outFeatures: -1, seed: 1)
        }
        #expect(throws: LayerError.self) {
            try Linear(weight: Matrix(rows: 3, columns: 2), bias: Matrix(rows: 1, columns: 2))
        }
        let layer = try Linear(inFeatures: 2, outFeatures: 3, seed: 1)
        var y = Matrix(rows: 0, columns: 0)
        #expect(throws: LayerError.shapeMismatch(name: "input", rows: 4, columns: 5, expected: "2 columns (features)")) {
            try layer.forward(Matrix(rows: 4, columns: 5), into: &y)
        }
        #expect(throws: LayerError.self) {
            try layer.backward(input: Matrix(rows: 4, columns: 2), outputGradient: Matrix(rows: 4, columns: 2))
        }
    }
}
