import Foundation
import Testing
import Training

/// `Fixtures/schedules/lr_schedules.json`, written by `scripts/fixtures/make_schedule_fixtures.py`.
private struct ScheduleFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let kind: String
        let base_lr: Double
        let step_size: Int?
        let gamma: Double?
        let t_max: Int?
        let eta_min: Double?
        let rates: [Double]

        var schedule: LearningRateSchedule {
            get throws {
                switch kind {
                case "constant": return .constant
                case "step": return .step(stepSize: try #require(step_size), gamma: try #require(gamma))
                case "cosine":
                    let period: Int = try #require(t_max)
                    return .cosine(period: period, minimum: try #require(eta_min))
                default: throw TrainingError.invalidParameter("unknown fixture kind \(kind)")
                }
            }
        }
    }
    let torch: String
    let cases: [Case]

    static func load() throws -> ScheduleFixture {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let url = fixtures.appendingPathComponent("schedules").appendingPathComponent("lr_schedules.json")
        return try JSONDecoder().decode(ScheduleFixture.self, from: Data(contentsOf: url))
    }
}

@Suite struct LearningRateScheduleTests {
    /// Same rate as torch's within 1e-12 relative (both in double precision, same recursion).
    private static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(b), 1e-300) + 1e-300 }

    @Test("StepLR and CosineAnnealingLR (recursive form, η_min, past T_max) match torch epoch by epoch")
    func ratesMatchTorch() throws {
        let fixture = try ScheduleFixture.load()
        #expect(fixture.cases.count >= 40)
        #expect(Set(fixture.cases.map(\.kind)) == ["constant", "step", "cosine"])
        for c in fixture.cases {
            var scheduler = try LearningRateScheduler(try c.schedule, baseLearningRate: c.base_lr, epochs: 1000)
            for (epoch, expected) in c.rates.enumerated() {
                #expect(scheduler.epoch == epoch)
                #expect(Self.close(scheduler.learningRate, expected), "\(c.name), epoch \(epoch): \(scheduler.learningRate), torch \(expected)")
                scheduler.step()
            }
        }
    }

    @Test("the cosine period defaults to the phase's epochs")
    func cosinePeriodDefaultsToThePhase() throws {
        let fixture = try ScheduleFixture.load()
        let c = try #require(fixture.cases.first { $0.kind == "cosine" && $0.t_max == 10 && $0.eta_min == 0 })
        var scheduler = try LearningRateScheduler(.cosine(), baseLearningRate: c.base_lr, epochs: 10)
        #expect(scheduler.period == 10)
        for (epoch, expected) in c.rates.enumerated() {
            #expect(Self.close(scheduler.learningRate, expected), "epoch \(epoch)")
            scheduler.step()
        }
    }

    @Test("a restored state continues exactly where the saved one was, through JSON")
    func stateRestores() throws {
        for schedule in [LearningRateSchedule.step(stepSize: 3, gamma: 0.5), .cosine(period: 7, minimum: 1e-3), .constant] {
            var reference = try LearningRateScheduler(schedule, baseLearningRate: 0.1, epochs: 7)
            for split in [0, 1, 5, 8, 15] {
                var first = try LearningRateScheduler(schedule, baseLearningRate: 0.1, epochs: 7)
                for _ in 0..<split { first.step() }
                let saved = try JSONEncoder().encode(first.state)
                var resumed = try LearningRateScheduler(schedule, baseLearningRate: 0.1, epochs: 7)
                try resumed.restore(try JSONDecoder().decode(LearningRateScheduler.State.self, from: saved))
                reference = try LearningRateScheduler(schedule, baseLearningRate: 0.1, epochs: 7)
                for _ in 0..<split { reference.step() }
                for _ in 0..<10 {
                    #expect(resumed == reference, "\(schedule) split \(split)")
                    resumed.step()
                    reference.step()
                }
            }
        }
    }

    @Test func schedulesParseAndPrintTheSameSpelling() throws {
        for schedule in [LearningRateSchedule.constant, .step(stepSize: 3, gamma: 0.1), .cosine(), .cosine(minimum: 0.001),
                         .cosine(period: 5, minimum: 0)] {
            #expect(try LearningRateSchedule(parsing: schedule.description) == schedule, "\(schedule)")
        }
        #expect(try LearningRateSchedule(parsing: "step:10:0.5") == .step(stepSize: 10, gamma: 0.5))
        for text in ["linear", "step:3", "step:a:0.1", "cosine:x", "cosine:0:y", "constant:1", ""] {
            #expect(throws: TrainingError.self, "\(text)") { try LearningRateSchedule(parsing: text) }
        }
        #expect(throws: TrainingError.invalidParameter("learning-rate schedule cosine:-1: cosine learning-rate schedule: the minimum rate must be a finite number ≥ 0, got -1.0")) {
            try LearningRateSchedule(parsing: "cosine:-1")
        }
    }

    @Test func badSchedulesAreErrors() throws {
        #expect(throws: TrainingError.invalidParameter("step learning-rate schedule: step size must be at least 1 epoch, got 0")) {
            try LearningRateScheduler(.step(stepSize: 0, gamma: 0.5), baseLearningRate: 0.1, epochs: 5)
        }
        #expect(throws: TrainingError.self) { try LearningRateScheduler(.step(stepSize: 2, gamma: .nan), baseLearningRate: 0.1, epochs: 5) }
        #expect(throws: TrainingError.self) { try LearningRateScheduler(.cosine(period: 0), baseLearningRate: 0.1, epochs: 5) }
        #expect(throws: TrainingError.self) { try LearningRateScheduler(.cosine(minimum: -1), baseLearningRate: 0.1, epochs: 5) }
        #expect(throws: TrainingError.invalidParameter("cosine learning-rate schedule: the period must be at least 1 epoch, got 0")) {
            try LearningRateScheduler(.cosine(), baseLearningRate: 0.1, epochs: 0)
        }
        #expect(throws: TrainingError.self) { try LearningRateScheduler(.constant, baseLearningRate: 0, epochs: 5) }
        var scheduler = try LearningRateScheduler(.constant, baseLearningRate: 0.1, epochs: 5)
        #expect(throws: TrainingError.self) { try scheduler.restore(.init(epoch: -1, learningRate: 0.1)) }
        #expect(throws: TrainingError.self) { try scheduler.restore(.init(epoch: 1, learningRate: .infinity)) }
        #expect(scheduler.epoch == 0 && scheduler.learningRate == 0.1)
    }
}
