import Testing
@testable import Training

/// Adam in both weight-decay forms: L2 (`torch.optim.Adam`) and decoupled (`torch.optim.AdamW`).
@Suite struct AdamTests {
    /// The fixture's optimizer name, whether the decay is decoupled, its default λ and the
    /// fewest cases the fixture must hold.
    static let forms: [(name: String, decoupled: Bool, defaultDecay: Double, minimumCases: Int)] = [
        ("adam", false, 0, 6), ("adamw", true, 0.01, 3),
    ]

    @Test(arguments: AdamTests.forms.indices)
    func trajectoriesMatchTorch(form: Int) throws {
        let (name, decoupled, defaultDecay, minimumCases) = Self.forms[form]
        let fixture = try OptimizerFixtureRunner.fixture()
        let cases = fixture.cases.filter { $0.optimizer == name }
        #expect(cases.count >= minimumCases, "\(name)")
        for item in cases {
            let o = item.options
            let optimizer = try Adam(learningRate: o.learningRate ?? 1e-3, betas: (o.beta1 ?? 0.9, o.beta2 ?? 0.999),
                                     epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay ?? defaultDecay,
                                     decoupledWeightDecay: decoupled, amsgrad: o.amsgrad ?? false,
                                     maximize: o.maximize ?? false)
            OptimizerFixtureRunner.replay(item, in: fixture, optimizer: optimizer)
        }
    }

    @Test func defaultsArePyTorchs() throws {
        for (optimizer, decay, decoupled) in [(try Adam(), 0.0, false), (try Adam.adamW(), 0.01, true)] {
            #expect(optimizer.learningRate == 1e-3 && optimizer.betas == (0.9, 0.999) && optimizer.epsilon == 1e-8)
            #expect(optimizer.weightDecay == decay && optimizer.decoupledWeightDecay == decoupled)
            #expect(!optimizer.amsgrad && !optimizer.maximize)
        }
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

    @Test func decayIsDecoupledFromTheGradient() throws {
        // With a zero gradient Adam's moments stay 0, so only the decoupled shrink moves p.
        let parameter = Parameter(name: "p", value: Matrix(rows: 1, columns: 2, storage: [2, -4]))
        try Adam.adamW(learningRate: 0.1, weightDecay: 0.5).step([parameter])
        #expect(parameter.value.storage == [2 * Float(0.95), -4 * Float(0.95)])
        // The same through the initializer's option.
        let same = Parameter(name: "p", value: Matrix(rows: 1, columns: 2, storage: [2, -4]))
        try Adam(learningRate: 0.1, weightDecay: 0.5, decoupledWeightDecay: true).step([same])
        #expect(same.value == parameter.value)
        // Adam's L2 decay goes through the moments instead: a full normalised step.
        let other = Parameter(name: "q", value: Matrix(rows: 1, columns: 2, storage: [2, -4]))
        try Adam(learningRate: 0.1, weightDecay: 0.5).step([other])
        #expect(LayerTolerance.isClose(other.value.storage[0], 1.9) && LayerTolerance.isClose(other.value.storage[1], -3.9))
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
        #expect(throws: OptimizerError.self) { try Adam.adamW(learningRate: -1) }
        #expect(throws: OptimizerError.self) { try Adam.adamW(betas: (0.9, 1)) }
        #expect(throws: OptimizerError.self) { try Adam.adamW(weightDecay: -0.01) }
        #expect(throws: OptimizerError.self) { try Adam.adamW(epsilon: .infinity) }
    }
}
