import Datasets
import Sampling
import Testing
@testable import Training

@Suite struct RecipeTests {
    @Test("the built-in recipes parse by name, in the order given; unknown and repeated names are refused")
    func parsing() throws {
        #expect(Recipe.builtIn.map(\.name) == [
            "natural", "weighted-loss", "balanced", "balanced+finetune", "deferred", "crt", "logit-adjusted", "posthoc",
        ])
        #expect(try Recipe.list(parsing: "crt, natural").map(\.name) == ["crt", "natural"])
        #expect(try Recipe.list(parsing: "crt").first?.schedule == "natural:20,balanced:10/reinit")
        #expect(try Recipe.list(parsing: "balanced+finetune").first?.schedule == "balanced:28,natural:2/head/lr=×0.1")
        #expect(try Recipe.list(parsing: "posthoc").first?.priorCorrection == -1)
        #expect(try Recipe.list(parsing: "logit-adjusted").first?.loss == .logitAdjusted)
        #expect(try Recipe.list(parsing: "weighted-loss").first?.classWeighting == .inverse)
        for recipe in Recipe.builtIn {
            #expect(recipe.phases.reduce(0) { $0 + $1.epochs } == Recipe.referenceEpochs, "\(recipe.name)")
        }
        do {
            _ = try Recipe.list(parsing: "natural,focal")
            Issue.record("an unknown recipe was accepted")
        } catch let TrainingError.invalidParameter(message) {
            #expect(message.contains("'focal'"))
            for recipe in Recipe.builtIn { #expect(message.contains(recipe.name), "\(message) lacks \(recipe.name)") }
        }
        #expect(throws: TrainingError.self) { try Recipe.list(parsing: "natural,natural") }
        #expect(throws: TrainingError.self) { try Recipe.list(parsing: "") }
    }

    @Test("phases scale to E epochs: boundaries round(E·cumulative/30), halves to even, adding up to E")
    func scaling() throws {
        let finetune = try #require(Recipe.builtIn.first { $0.name == "balanced+finetune" })
        let deferred = try #require(Recipe.builtIn.first { $0.name == "deferred" })
        #expect(finetune.phases(epochs: 30).map(\.epochs) == [28, 2])
        #expect(finetune.phases(epochs: 15).map(\.epochs) == [14, 1])     // 14.0, then 15
        #expect(finetune.phases(epochs: 45).map(\.epochs) == [42, 3])
        #expect(finetune.phases(epochs: 3).map(\.epochs) == [3, 0])       // 2.8 → 3
        #expect(deferred.phases(epochs: 10).map(\.epochs) == [7, 3])      // 6.67 → 7
        #expect(deferred.phases(epochs: 1).map(\.epochs) == [1, 0])       // 0.67 → 1
        #expect(finetune.phases(epochs: 15)[1].scope == .head && finetune.phases(epochs: 15)[1].learningRate == .factor(0.1))
        // Halves to even, as Python's round.
        #expect([(1, 2), (3, 2), (5, 2), (7, 2), (4, 3), (5, 3)].map { Recipe.roundedHalfToEven($0.0, $0.1) } == [0, 2, 2, 4, 1, 2])
    }

    @Test("a budget is E epochs of ⌈N/B⌉ batches, or of S/E batches; S must split into E equal epochs")
    func budget() throws {
        let natural = try StepBudget(epochs: 30, rows: 888, batchSize: 96)
        #expect(natural.batchesPerEpoch == 10 && natural.steps == 300)
        #expect(try StepBudget(epochs: 30, rows: 888, batchSize: 96, steps: 150).batchesPerEpoch == 5)
        #expect(throws: TrainingError.self) { try StepBudget(epochs: 30, rows: 888, batchSize: 96, steps: 100) }
        #expect(throws: TrainingError.self) { try StepBudget(epochs: 0, batchesPerEpoch: 3) }
        let c = try #require(Recipe.builtIn.first { $0.name == "crt" }).configuration(from: TrainingConfiguration(), budget: natural, seed: 7)
        #expect(c.epochLength == .batches(10) && c.seed == 7 && c.phases?.map(\.epochs) == [20, 10])
    }
}
