import Testing
@testable import Training

@Suite struct AdamWTests {
    @Test func trajectoriesMatchTorch() throws {
        let fixture = try OptimizerFixtureRunner.fixture()
        let cases = fixture.cases.filter { $0.optimizer == "adamw" }
        #expect(cases.count >= 3)
        for item in cases {
            let o = item.options
            let optimizer = try AdamW(learningRate: o.learningRate ?? 1e-3, betas: (o.beta1 ?? 0.9, o.beta2 ?? 0.999),
                                      epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? 0.01,
                                      amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false)
            OptimizerFixtureRunner.replay(item, in: fixture, optimizer: optimizer)
        }
    }

    @Test func defaultsArePyTorchs() throws {
        let adamW = try AdamW()
        #expect(adamW.learningRate == 1e-3 && adamW.betas == (0.9, 0.999) && adamW.epsilon == 1e-8)
        #expect(adamW.weightDecay == 0.01 && !adamW.amsgrad && !adamW.maximize)
    }

    @Test func decayIsDecoupledFromTheGradient() throws {
        // With a zero gradient Adam's moments stay 0, so only the decoupled shrink moves p.
        let parameter = Parameter(name: "p", value: Matrix(rows: 1, columns: 2, storage: [2, -4]))
        try AdamW(learningRate: 0.1, weightDecay: 0.5).step([parameter])
        #expect(parameter.value.storage == [2 * Float(0.95), -4 * Float(0.95)])
        // Adam's L2 decay goes through the moments instead: a full normalised step.
        let other = Parameter(name: "q", value: Matrix(rows: 1, columns: 2, storage: [2, -4]))
        try Adam(learningRate: 0.1, weightDecay: 0.5).step([other])
        #expect(LayerTolerance.isClose(other.value.storage[0], 1.9) && LayerTolerance.isClose(other.value.storage[1], -3.9))
    }

    @Test func invalidHyperparametersThrow() {
        #expect(throws: OptimizerError.self) { try AdamW(learningRate: -1) }
        #expect(throws: OptimizerError.self) { try AdamW(betas: (0.9, 1)) }
        #expect(throws: OptimizerError.self) { try AdamW(weightDecay: -0.01) }
        #expect(throws: OptimizerError.self) { try AdamW(epsilon: .infinity) }
    }
}
