import Testing
@testable import Training

@Suite struct AdamTests {
    @Test func trajectoriesMatchTorch() throws {
        let fixture = try OptimizerFixtureRunner.fixture()
        let cases = fixture.cases.filter { $0.optimizer == "adam" }
        #expect(cases.count >= 6)
        for item in cases {
            let o = item.options
            let optimizer = try Adam(learningRate: o.learningRate ?? 1e-3, betas: (o.beta1 ?? 0.9, o.beta2 ?? 0.999),
                                     epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? 0,
                                     amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false)
            OptimizerFixtureRunner.replay(item, in: fixture, optimizer: optimizer)
        }
    }

    @Test func defaultsArePyTorchs() throws {
        let adam = try Adam()
        #expect(adam.learningRate == 1e-3 && adam.betas == (0.9, 0.999) && adam.epsilon == 1e-8)
        #expect(adam.weightDecay == 0 && !adam.amsgrad && !adam.maximize)
    }

    @Test func firstStepMovesEachValueByTheLearningRate() throws {
        // At t = 1, m̂ = g and v̂ = g², so the step is η·g/(|g| + ε) ≈ η·sign(g).
        let parameter = Parameter(name: "p", value: Matrix(rows: 1, columns: 3, storage: [1, 1, 1]))
        parameter.gradient.storage = [3, -0.5, 1e-3]
        try Adam(learningRate: 0.1).step([parameter])
        for (value, expected) in zip(parameter.value.storage, [Float(0.9), 1.1, 0.9]) {
            #expect(LayerTolerance.isClose(value, expected))
        }
    }

    @Test func invalidHyperparametersThrow() {
        #expect(throws: OptimizerError.self) { try Adam(learningRate: -1e-3) }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "beta1", value: 1, expected: "a number in [0, 1)")) {
            try Adam(betas: (1, 0.999))
        }
        #expect(throws: OptimizerError.self) { try Adam(betas: (0.9, -0.1)) }
        #expect(throws: OptimizerError.self) { try Adam(betas: (0.9, .nan)) }
        #expect(throws: OptimizerError.self) { try Adam(epsilon: -1e-8) }
        #expect(throws: OptimizerError.self) { try Adam(weightDecay: -0.1) }
        #expect(throws: Never.self) { try Adam(betas: (0, 0)) }
    }
}
