import Datasets
import Sampling
import Testing
import Training

@Suite struct TrainingPhaseTests {
    static let data = try! SpiralSpecification(counts: [200, 40, 10], noise: 0.1, seed: 4).generate()

    static func configuration(_ phases: [TrainingPhase]?) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.batchSize = 30
        c.epochs = 2
        c.phases = phases
        return c
    }

    static func fit(_ model: TanhNetwork, _ phases: [TrainingPhase]) throws -> TrainingReport {
        let trainer = try Trainer(model: model, configuration: configuration(phases), classCounts: data.classCounts)
        return try trainer.fit(source: data, labels: data.labels)
    }

    @Test("the short form is a main phase and a natural head phase at a tenth of the rate")
    func shortFormPhases() throws {
        var c = TrainingConfiguration()
        c.sampler = .weighted
        c.epochs = 7
        c.learningRateSchedule = .cosine()
        #expect(c.resolvedPhases == [TrainingPhase(.weighted, epochs: 7, learningRateSchedule: .cosine())])
        c.finetuneEpochs = 2
        #expect(c.resolvedPhases == [TrainingPhase(.weighted, epochs: 7, learningRateSchedule: .cosine()),
                                     TrainingPhase(.natural, epochs: 2, learningRate: .factor(0.1), scope: .head)])
        c.finetuneLayers = .all
        c.finetuneLearningRate = 0.003
        #expect(c.resolvedPhases[1] == TrainingPhase(.natural, epochs: 2, learningRate: .absolute(0.003), scope: .all))
        #expect(TrainingPhase(.balanced, epochs: 1, reinitializesHead: true).scope == .head)
    }

    @Test("explicit phases that spell the short form train the same model, bit for bit")
    func explicitPhasesEqualTheShortForm() throws {
        var short = Self.configuration(nil)
        short.finetuneEpochs = 1
        let a = try Trainer(configuration: short, inputs: 2, classCounts: Self.data.classCounts)
        _ = try a.fit(source: Self.data, labels: Self.data.labels)
        var explicit = Self.configuration([TrainingPhase(.balanced, epochs: 2),
                                           TrainingPhase(.natural, epochs: 1, learningRate: .factor(0.1), scope: .head)])
        explicit.epochs = 99                                  // ignored when phases are given
        let b = try Trainer(configuration: explicit, inputs: 2, classCounts: Self.data.classCounts)
        let report = try b.fit(source: Self.data, labels: Self.data.labels)
        #expect(a.model.parameters.map(\.value) == b.model.parameters.map(\.value))
        #expect(report.epochs.map(\.phaseIndex) == [0, 0, 1])
        #expect(report.epochs.map(\.phase) == [.balanced, .balanced, .natural])
        #expect(report.epochs.map(\.learningRate) == [0.01, 0.01, 0.001])
    }

    @Test("a re-initialised head phase re-draws the head once and trains only the head")
    func reinitialisedHeadPhase() throws {
        let main = TrainingPhase(.balanced, epochs: 2)
        let reference = try TanhNetwork(inputs: 2, width: 16, classes: 3, seed: 5)
        _ = try Self.fit(reference, [main])
        let headOnly = try TanhNetwork(inputs: 2, width: 16, classes: 3, seed: 5)
        _ = try Self.fit(headOnly, [main, TrainingPhase(.natural, epochs: 1, scope: .head)])
        let reinit = try TanhNetwork(inputs: 2, width: 16, classes: 3, seed: 5)
        let report = try Self.fit(reinit, [main, TrainingPhase(.natural, epochs: 1, learningRate: .absolute(0.005), reinitializesHead: true)])
        #expect(reinit.headResets == 1)
        #expect(headOnly.headResets == 0)
        // The hidden layer is what the first phase left; the head moved.
        #expect(reinit.hiddenLayer.weight.value == reference.hiddenLayer.weight.value)
        #expect(reinit.hiddenLayer.bias.value == reference.hiddenLayer.bias.value)
        #expect(headOnly.hiddenLayer.weight.value == reference.hiddenLayer.weight.value)
        #expect(reinit.head.weight.value != reference.head.weight.value)
        #expect(reinit.head.weight.value != headOnly.head.weight.value)
        #expect(report.epochs.map(\.learningRate) == [0.01, 0.01, 0.005])
    }

    @Test("a phase's learning-rate schedule steps per epoch; a rate of 0 freezes the model")
    func schedulesStepPerEpoch() throws {
        let step = try Self.fit(try TanhNetwork(inputs: 2, width: 8, classes: 3, seed: 1),
                                [TrainingPhase(.balanced, epochs: 4, learningRate: .factor(2), learningRateSchedule: .step(stepSize: 1, gamma: 0.5))])
        #expect(step.epochs.map(\.learningRate) == [0.02, 0.01, 0.005, 0.0025])
        var cosine = try LearningRateScheduler(.cosine(minimum: 0.001), baseLearningRate: 0.01, epochs: 3)
        var expected = [Double]()
        for _ in 0..<3 { expected.append(cosine.learningRate); cosine.step() }
        let cosineReport = try Self.fit(try TanhNetwork(inputs: 2, width: 8, classes: 3, seed: 1),
                                        [TrainingPhase(.natural, epochs: 3, learningRateSchedule: .cosine(minimum: 0.001))])
        #expect(cosineReport.epochs.map(\.learningRate) == expected)

        // γ = 0 after the first epoch: three epochs leave the model where one left it.
        let one = try TanhNetwork(inputs: 2, width: 8, classes: 3, seed: 2)
        _ = try Self.fit(one, [TrainingPhase(.balanced, epochs: 1)])
        let frozen = try TanhNetwork(inputs: 2, width: 8, classes: 3, seed: 2)
        _ = try Self.fit(frozen, [TrainingPhase(.balanced, epochs: 3, learningRateSchedule: .step(stepSize: 1, gamma: 0))])
        #expect(frozen.parameters.map(\.value) == one.parameters.map(\.value))
    }

    @Test("phases parse from the command line's spelling, and their descriptions parse back")
    func phasesParse() throws {
        let cRT = try TrainingPhase.list(parsing: "natural:20,balanced:5/reinit/lr=0.01")
        #expect(cRT == [TrainingPhase(.natural, epochs: 20),
                        TrainingPhase(.balanced, epochs: 5, learningRate: .absolute(0.01), reinitializesHead: true)])
        let phases = [
            TrainingPhase(.weighted, epochs: 3, learningRate: .factor(0.5), learningRateSchedule: .cosine(period: 4, minimum: 0.001)),
            TrainingPhase(.natural, epochs: 2, learningRate: .factor(0.1), scope: .head),
            TrainingPhase(.balanced, epochs: 7, learningRateSchedule: .step(stepSize: 2, gamma: 0.5)),
            TrainingPhase(.balanced, epochs: 1, learningRateSchedule: .cosine()),
        ]
        for phase in phases {
            #expect(try TrainingPhase(parsing: phase.description) == phase, "\(phase)")
        }
        #expect(try TrainingPhase(parsing: "natural:2/lr=x0.1/head") == phases[1])
        #expect(phases[1].description == "natural:2/head/lr=×0.1")
        for (text, message) in [
            ("balanced", "phase balanced: expected POLICY:EPOCHS, e.g. balanced:30"),
            ("balanced:x", "phase balanced:x: expected POLICY:EPOCHS, e.g. balanced:30"),
            ("zipf:3", "phase zipf:3: unknown sampling policy \"zipf\"; expected balanced, sqrt, power:Q, instance, progressive, repeat:T, natural or weighted"),
            ("natural:3/freeze", "phase natural:3/freeze: unknown option /freeze; expected /head, /reinit, /lr=η, /lr=×f or /lr-schedule=SPEC"),
            ("natural:3/lr=fast", "phase natural:3/lr=fast: lr=fast is not a learning rate; expected lr=η or lr=×f"),
            ("natural:3/lr-schedule=step:0:1", "learning-rate schedule step:0:1: step learning-rate schedule: step size must be at least 1 epoch, got 0"),
        ] {
            #expect(throws: TrainingError.invalidParameter(message)) { try TrainingPhase.list(parsing: text) }
        }
    }

    @Test func badPhasesAreErrors() throws {
        let counts = Self.data.classCounts
        func refuse(_ phases: [TrainingPhase], _ message: String) {
            #expect(throws: TrainingError.invalidParameter(message)) {
                try Trainer(configuration: Self.configuration(phases), inputs: 2, classCounts: counts)
            }
        }
        refuse([], "a training run needs at least one phase")
        refuse([TrainingPhase(.balanced, epochs: -1)], "phase 0 (balanced): epochs must be 0 or more, got -1")
        refuse([TrainingPhase(.balanced, epochs: 2), TrainingPhase(.natural, epochs: 1, learningRate: .factor(0))],
               "phase 1 (natural): the learning rate must be a positive number, got 0.0")
        refuse([TrainingPhase(.balanced, epochs: 2, learningRateSchedule: .step(stepSize: 0, gamma: 0.1))],
               "phase 0 (balanced): step learning-rate schedule: step size must be at least 1 epoch, got 0")
        // Any sequence of policies is a schedule now: deferred re-sampling (natural, then balanced) trains.
        let deferred = try Trainer(
            configuration: Self.configuration([TrainingPhase(.natural, epochs: 1), TrainingPhase(.balanced, epochs: 1)]),
            inputs: 2, classCounts: counts)
        let report = try deferred.fit(source: Self.data, labels: Self.data.labels)
        #expect(report.epochs.map(\.phaseIndex) == [0, 1])
        #expect(report.epochs.map(\.phase) == [.natural, .balanced])
    }
}
