import Datasets
import Testing
@testable import Training

@Suite struct ActivationLayerTests {
    @Test func rreluTrainingMatchesTorchGivenItsSlopes() throws {
        let fixture = try LayerFixtures.load("activations.json", as: LayerFixtures.Activations.self)
        #expect(!fixture.rreluTraining.isEmpty)
        for item in fixture.rreluTraining {
            let layer = try ActivationLayer(.rrelu(lower: item.lower, upper: item.upper))
            let n = item.x.count
            let x = Matrix(rows: 1, columns: n, storage: LayerTolerance.floats(item.x))
            let dy = Matrix(rows: 1, columns: n, storage: LayerTolerance.floats(item.gradOutput))
            var y = Matrix(rows: 0, columns: 0), dx = Matrix(rows: 0, columns: 0)
            layer.forward(x, into: &y, givenSlopes: LayerTolerance.floats(item.slopes))
            layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
            LayerTolerance.expectClose(y.storage, item.y, "rrelu(\(item.lower), \(item.upper)) training forward")
            LayerTolerance.expectClose(dx.storage, item.gradInput, "rrelu(\(item.lower), \(item.upper)) training backward")
        }
    }

    @Test func rreluTrainingDrawsSlopesInRangeOnlyForNonPositiveInputs() throws {
        let lower = 0.125, upper = 1.0 / 3
        let layer = try ActivationLayer(.rrelu(lower: lower, upper: upper), generator: Xoshiro256StarStar(seed: 5))
        var rng = Xoshiro256StarStar(seed: 99)
        let n = 2000
        var values = (0..<n).map { _ in Float(rng.nextUniform(-3, 3)) }
        values[0] = 0
        let x = Matrix(rows: 40, columns: 50, storage: values)
        var y = Matrix(rows: 0, columns: 0)
        layer.forward(x, into: &y, training: true)
        var slopes: [Double] = []
        for i in 0..<n {
            if values[i] > 0 {
                #expect(y.storage[i] == values[i])
                #expect(layer.slopes[i] == 1)
            } else {
                let slope = Double(layer.slopes[i])
                #expect(slope >= lower && slope <= upper, "slope \(slope) at \(i)")
                #expect(y.storage[i] == values[i] * layer.slopes[i])
                slopes.append(slope)
            }
        }
        // U(lower, upper) has mean (lower + upper)/2 and standard deviation (upper − lower)/√12;
        // with ~1000 draws the sample mean is within 5 standard errors of it.
        let mean = slopes.reduce(0, +) / Double(slopes.count)
        let standardError = (upper - lower) / 12.0.squareRoot() / Double(slopes.count).squareRoot()
        #expect(abs(mean - (lower + upper) / 2) < 5 * standardError)

        // Backward multiplies by the same slopes.
        let dy = Matrix(rows: 40, columns: 50, repeating: 2)
        var dx = Matrix(rows: 0, columns: 0)
        layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
        #expect(dx.storage == layer.slopes.map { 2 * $0 })
    }

    @Test func rreluSlopesDependOnlyOnTheGenerator() throws {
        let x = Matrix(rows: 1, columns: 8, storage: [-1, -2, 3, -4, 0, -0.5, 2, -8])
        func run(seed: UInt64) throws -> [Float] {
            let layer = try ActivationLayer(.rrelu(lower: 0.1, upper: 0.3), generator: Xoshiro256StarStar(seed: seed))
            var y = Matrix(rows: 0, columns: 0)
            layer.forward(x, into: &y, training: true)
            layer.forward(x, into: &y, training: true)   // fresh slopes each pass
            return y.storage
        }
        #expect(try run(seed: 3) == run(seed: 3))
        #expect(try run(seed: 3) != run(seed: 4))
    }

    @Test func rreluEvaluationUsesTheMeanSlopeAndDrawsNothing() throws {
        let layer = try ActivationLayer(.rrelu(lower: 0.1, upper: 0.3), generator: Xoshiro256StarStar(seed: 1))
        let before = layer.generator
        let x = Matrix(rows: 1, columns: 3, storage: [-2, 0, 3])
        var y = Matrix(rows: 0, columns: 0), dx = Matrix(rows: 0, columns: 0)
        layer.forward(x, into: &y, training: false)
        #expect(layer.generator == before)
        #expect(y.storage == [-2 * Float(0.2), 0, 3])
        layer.backward(input: x, output: y, outputGradient: Matrix(rows: 1, columns: 3, repeating: 1), into: &dx)
        #expect(dx.storage == [Float(0.2), Float(0.2), 1])
    }

    @Test func preluOwnsOneWeightThatAccumulates() throws {
        let layer = try ActivationLayer(.prelu(initialWeight: 0.25), name: "layers.1")
        let weight = try #require(layer.weight)
        #expect(layer.parameters.count == 1)
        #expect(weight.name == "layers.1.weight")
        #expect(weight.value == Matrix(rows: 1, columns: 1, repeating: 0.25))
        let x = Matrix(rows: 2, columns: 2, storage: [-2, 1, 0, -0.5])
        let dy = Matrix(rows: 2, columns: 2, storage: [1, 3, 5, 2])
        var y = Matrix(rows: 0, columns: 0), dx = Matrix(rows: 0, columns: 0)
        layer.forward(x, into: &y, training: true)
        layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
        layer.backward(input: x, output: y, outputGradient: dy, into: &dx)
        // Σ_{x ≤ 0} x·dy = −2·1 + 0·5 − 0.5·2 = −3, twice.
        #expect(weight.gradient.storage == [-6])
        #expect(dx.storage == [0.25, 3, 1.25, 0.5])
    }

    @Test func otherActivationsHaveNoParameters() throws {
        for kind in ActivationKind.allCases where kind != .prelu {
            let layer = try ActivationLayer(Activation(kind))
            #expect(layer.weight == nil && layer.parameters.isEmpty, "\(kind)")
        }
    }

    @Test func invalidHyperparametersThrow() {
        #expect(throws: LayerError.invalidHyperparameter(name: "rrelu upper", value: 0.1,
                                                         expected: "a number ≥ lower (0.2)")) {
            try ActivationLayer(.rrelu(lower: 0.2, upper: 0.1))
        }
    }
}
