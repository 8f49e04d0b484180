import Testing
@testable import Training

@Suite struct SGDTests {
    @Test func trajectoriesMatchTorch() throws {
        let fixture = try OptimizerFixtureRunner.fixture()
        let cases = fixture.cases.filter { $0.optimizer == "sgd" }
        #expect(cases.count >= 10)
        for item in cases {
            let o = item.options
            let optimizer = try o.learningRate.map {
                try SGD(learningRate: $0, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
                        weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, maximize: o.maximize ?? false)
            } ?? SGD()
            OptimizerFixtureRunner.replay(item, in: fixture, optimizer: optimizer)
        }
    }

    @Test func defaultsArePyTorchs() throws {
        let sgd = try SGD()
        #expect(sgd.learningRate == 1e-3 && sgd.momentum == 0 && sgd.dampening == 0 && sgd.weightDecay == 0)
        #expect(!sgd.nesterov && !sgd.maximize)
    }

    @Test func firstMomentumStepSkipsDampening() throws {
        // Step 1: buffer = g (no dampening); step 2: buffer = μ·b + (1 − τ)·g.
        let parameter = Parameter(name: "p", value: Matrix(rows: 1, columns: 1, repeating: 0))
        let sgd = try SGD(learningRate: 1, momentum: 0.5, dampening: 0.5)
        parameter.gradient.storage[0] = 2
        sgd.step([parameter])
        #expect(parameter.value.storage[0] == -2)
        sgd.step([parameter])
        #expect(parameter.value.storage[0] == -2 - (0.5 * 2 + 0.5 * 2))
    }

    @Test func invalidHyperparametersThrow() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "learning rate", value: -0.1,
                                                             expected: "a finite number ≥ 0")) {
            try SGD(learningRate: -0.1)
        }
        #expect(throws: OptimizerError.self) { try SGD(learningRate: .nan) }
        #expect(throws: OptimizerError.self) { try SGD(momentum: -0.9) }
        #expect(throws: OptimizerError.self) { try SGD(weightDecay: -1) }
        #expect(throws: OptimizerError.self) { try SGD(dampening: .infinity) }
        #expect(throws: OptimizerError.nesterovNeedsMomentumWithoutDampening(momentum: 0, dampening: 0)) {
            try SGD(nesterov: true)
        }
        #expect(throws: OptimizerError.nesterovNeedsMomentumWithoutDampening(momentum: 0.9, dampening: 0.1)) {
            try SGD(momentum: 0.9, dampening: 0.1, nesterov: true)
        }
        #expect(throws: Never.self) { try SGD(momentum: 0.9, nesterov: true) }
    }

    @Test func learningRateCanChangeButNotToANegativeValue() throws {
        let sgd = try SGD(learningRate: 0.1)
        try sgd.setLearningRate(0.01)
        #expect(sgd.learningRate == 0.01)
        #expect(throws: OptimizerError.self) { try sgd.setLearningRate(-1) }
        #expect(sgd.learningRate == 0.01)
    }
}
