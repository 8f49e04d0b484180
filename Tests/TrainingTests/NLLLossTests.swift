import Testing
@testable import Training

@Suite struct NLLLossTests {
    private static func loss(for fixtureCase: LossFixture.Case) throws -> NLLLoss {
        let options = try fixtureCase.classTargetOptions()
        return try NLLLoss(weight: options.weight, ignoreIndex: options.ignoreIndex, reduction: options.reduction)
    }

    @Test func matchesPyTorch() throws {
        let fixture = try LossFixture.load("nll_loss")
        #expect(fixture.cases.count > 50)
        var gradient = Matrix(rows: 0, columns: 0)
        for c in fixture.cases {
            let loss = try Self.loss(for: c)
            let input = try c.matrix("log_probabilities")
            let targets = try c.ints("targets")
            let expected = try c.matrix("output")
            let expectedGradient = try c.matrix("grad_log_probabilities")
            LossParity.expect(try loss.forward(logProbabilities: input, targets: targets), expected, "\(c.name): output")
            let backward = try loss.backward(logProbabilities: input, targets: targets, upstream: try c.matrix("upstream"))
            LossParity.expect(backward, expectedGradient, "\(c.name): gradient")
            if loss.reduction != .none {
                let value = try loss.valueAndGradient(logProbabilities: input, targets: targets, gradient: &gradient)
                LossParity.expect(Matrix(rows: 1, columns: 1, repeating: value), expected, "\(c.name): fused value")
                LossParity.expect(gradient, expectedGradient, "\(c.name): fused gradient")
            }
        }
    }

    @Test func weightedMeanDividesByTheTargetWeights() throws {
        // −(2·(−1) + 0.5·(−3)) / (2 + 0.5), not / 2 rows.
        let input = Matrix([[-1, -2], [-4, -3]])
        let loss = try NLLLoss(weight: [2, 0.5])
        let value = try loss.forward(logProbabilities: input, targets: [0, 1]).storage[0]
        #expect(abs(value - 3.5 / 2.5) < 1e-6)
    }

    @Test func meanOverAllIgnoredRowsIsNaNWithZeroGradient() throws {
        let loss = try NLLLoss()
        var gradient = Matrix(rows: 0, columns: 0)
        let value = try loss.valueAndGradient(
            logProbabilities: Matrix([[-1, -2], [-3, -4]]), targets: [-100, -100], gradient: &gradient)
        #expect(value.isNaN)
        #expect(gradient.rows == 2 && gradient.columns == 2)
        #expect(gradient.storage.allSatisfy { $0 == 0 })
    }

    /// The loss is linear in its input, so central differences are exact up to rounding.
    @Test func gradientMatchesFiniteDifferences() throws {
        var rng = LossTestRandom(seed: 11)
        let loss = try NLLLoss(weight: [0.5, 2, 1], ignoreIndex: 2)
        var input = Matrix(rows: 5, columns: 3)
        for k in input.storage.indices { input.storage[k] = rng.normal() }
        let targets: [Int32] = [0, 1, 2, 1, 0]
        let gradient = try loss.backward(logProbabilities: input, targets: targets)
        for k in input.storage.indices {
            var plus = input
            plus.storage[k] += 0.25
            var minus = input
            minus.storage[k] -= 0.25
            let numeric = (try loss.forward(logProbabilities: plus, targets: targets).storage[0]
                - loss.forward(logProbabilities: minus, targets: targets).storage[0]) / 0.5
            #expect(abs(numeric - gradient.storage[k]) < 1e-5, "element \(k)")
        }
    }

    @Test func badArgumentsThrowClearErrors() throws {
        let input = Matrix(rows: 3, columns: 2, repeating: -0.7)
        let loss = try NLLLoss(ignoreIndex: -1)
        let outOfRange = try #require(throws: LossError.self) {
            try loss.forward(logProbabilities: input, targets: [0, 2, 1])
        }
        #expect(outOfRange.description == "target 2 at row 1 is out of range; expected 0..<2 or the ignore index -1")
        var gradient = Matrix(rows: 0, columns: 0)
        let count = try #require(throws: LossError.self) {
            try loss.valueAndGradient(logProbabilities: input, targets: [0], gradient: &gradient)
        }
        #expect(count.description == "targets has 1 entry; expected 3 (one per row of logProbabilities)")
        let noClasses = try #require(throws: LossError.self) {
            try loss.backward(logProbabilities: Matrix(rows: 1, columns: 0), targets: [0])
        }
        #expect(noClasses.description == "logProbabilities has no columns; expected at least one class")
        let weights = try #require(throws: LossError.self) {
            try NLLLoss(weight: [1, 2, 3]).forward(logProbabilities: input, targets: [0, 1, 0])
        }
        #expect(weights.description == "weight has 3 entries; expected 2 (one per class, the columns of logProbabilities)")
        let nanWeight = try #require(throws: LossError.self) { try NLLLoss(weight: [1, .nan]) }
        #expect(nanWeight.description == "weight[1] is nan; expected a finite, non-negative weight")
        let unreduced = try #require(throws: LossError.self) {
            try NLLLoss(reduction: .none).valueAndGradient(logProbabilities: input, targets: [0, 1, 0], gradient: &gradient)
        }
        #expect(unreduced.description == "valueAndGradient needs reduction mean or sum; this NLLLoss has reduction none")
        let upstream = try #require(throws: LossError.self) {
            try NLLLoss(reduction: .none).backward(logProbabilities: input, targets: [0, 1, 0], upstream: Matrix(rows: 2, columns: 1))
        }
        #expect(upstream.description == "upstream gradient is 2×1; expected 3×1 (the shape of the unreduced loss)")
    }
}
