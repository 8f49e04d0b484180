import Datasets
import Foundation
import Sampling
import Testing
import TestSupport
@testable import Training

@Suite struct RecipeComparisonTests {
    @Test("real-frequency accuracy and minority recall follow their definitions on a hand-checkable confusion")
    func metricDefinitions() {
        let confusion = [[8, 1, 1], [2, 3, 0], [0, 1, 1]]
        let metrics = ClassificationMetrics(confusion: confusion)
        let counts = [70, 20, 10]
        let priors = counts.map { Double($0) / Double(counts.reduce(0, +)) }
        // Σ_c π_c · (correct_c / rows_c), written out from the definition.
        var expected = 0.0
        for c in 0..<3 { expected += priors[c] * Double(confusion[c][c]) / Double(confusion[c].reduce(0, +)) }
        #expect(abs(metrics.realFrequencyAccuracy(priors: priors) - expected) < 1e-12)
        let minority = LongTailFigures.minorityClass(counts: counts)
        #expect(minority == 2)
        #expect(LongTailFigures.minorityClass(counts: [5, 3, 3]) == 1)         // ties: the lower label
        let figures = LongTailFigures(metrics, priors: priors, minorityClass: minority)
        #expect(abs(figures.minorityRecall - Double(confusion[2][2]) / Double(confusion[2].reduce(0, +))) < 1e-12)
        #expect(abs(figures.accuracy - Double(8 + 3 + 1) / Double(confusion.joined().reduce(0, +))) < 1e-12)
        // A class without test rows has no recall and adds nothing.
        let absent = ClassificationMetrics(confusion: [[4, 1, 0], [0, 0, 0], [1, 0, 4]])
        let withoutMiddle = priors[0] * 4 / 5 + priors[2] * 4 / 5
        #expect(abs(absent.realFrequencyAccuracy(priors: priors) - withoutMiddle) < 1e-12)
        // Mean and sample sd (n − 1) from their definitions.
        let values = [0.5, 0.75, 1.0, 0.25]
        let mean = values.reduce(0, +) / 4
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        let summary = meanAndDeviation(values)
        #expect(abs(summary.mean - mean) < 1e-12 && abs(summary.sd - sd) < 1e-12)
        #expect(meanAndDeviation([0.3]).sd == 0)
    }

    /// Long-tailed spirals, a small MLP, a short budget.
    static func comparison(recipes: [Recipe] = Recipe.builtIn, test: LabelledDataset? = nil, seeds: [UInt64] = [0], epochs: Int = 15) throws -> RecipeComparison<MLP> {
        let training = try SpiralSpecification(counts: [200, 40, 8], noise: 0.2, seed: 1).generate()
        let testSet = try test ?? SpiralSpecification(counts: [60, 60, 60], noise: 0.2, seed: 2).generate()
        var configuration = TrainingConfiguration()
        configuration.hidden = [16]
        configuration.batchSize = 24
        return try RecipeComparison(
            recipes: recipes, configuration: configuration, training: LabelledSource(training), test: testSet,
            validationFraction: 0.2, splitSeed: 3, seeds: seeds, epochs: epochs)
    }

    @Test("--order chunked reaches every run: the fit rows' chunk bands order the batches, so the trained models differ from the exact order's")
    func chunkedOrderReachesTheRuns() throws {
        let folder = try TemporaryFolder("recipes")
        defer { folder.remove() }
        // 1,500 rows × 64 features: written in chunks of 256 rows, so the rows fall in 6 bands.
        let path = folder.path("wide.h5")
        var rng = Xoshiro256StarStar(seed: 9)
        let labels = (0..<1_500).map { _ in Int32(rng.nextBounded(5) == 0 ? 1 : 0) }
        let features = labels.flatMap { label in (0..<64).map { _ in Float(label) + Float(rng.nextUniform(-2, 2)) } }
        try writeLabelledDataset(try LabelledDataset(features: features, dimension: 64, labels: labels), to: path)
        let streamed = try openLabelledFile(path: path, reading: .stream())
        let testSet = try LabelledDataset(features: [Float](repeating: 0, count: 128), dimension: 64, labels: [0, 1])
        var configuration = TrainingConfiguration()
        configuration.hidden = [8]
        configuration.batchSize = 30
        func weights(chunkWindow: Int?) throws -> (RecipeComparison<MLP>, [[Float]]) {
            let comparison = try RecipeComparison<MLP>(
                recipes: try Recipe.list(parsing: "natural"), configuration: configuration, training: streamed, test: testSet,
                validationFraction: 0.2, splitSeed: 3, seeds: [0], epochs: 2, chunkWindow: chunkWindow)
            let report = try comparison.run(lookahead: 4)
            return (comparison, report.bestTrainers[0].model.parameters.map { $0.value.storage })
        }
        let (exact, exactWeights) = try weights(chunkWindow: nil)
        let (chunked, chunkedWeights) = try weights(chunkWindow: 2)
        #expect(exact.chunkedOrder == nil)
        #expect(chunked.chunkedOrder == ChunkedOrder(blocks: try #require(try chunked.fit.rowBlocks()), window: 2))
        #expect(chunkedWeights != exactWeights, "the chunked order trained on the exact order's batches")
        #expect(try weights(chunkWindow: 2).1 == chunkedWeights, "the chunked order is not deterministic")
        // Rows in memory have no chunks to follow.
        #expect(throws: TrainingError.self) {
            try RecipeComparison<MLP>(
                recipes: try Recipe.list(parsing: "natural"), configuration: configuration, training: try openLabelledFile(path: path),
                test: testSet, validationFraction: 0.2, splitSeed: 3, seeds: [0], epochs: 2, chunkWindow: 2)
        }
    }

    @Test("every recipe takes the same number of optimizer steps, E·L, whatever its policies")
    func equalStepBudget() throws {
        let comparison = try Self.comparison()
        let budget = comparison.budget
        // 248 rows: the split holds out 40 + 8 + 2 = 50, so the fit rows are 198, L = ⌈198/24⌉ = 9.
        #expect(comparison.fit.rowCount == 198 && comparison.validation.count == 50)
        #expect(budget.batchesPerEpoch == 9 && budget.steps == 135)
        // The batch streams the recipes train on, counted batch by batch.
        for recipe in comparison.recipes {
            let c = recipe.configuration(from: comparison.configuration, budget: budget, seed: 0)
            let trainer = try Trainer(configuration: c, inputs: 2, classCounts: comparison.fit.labels.counts)
            var schedule = try trainer.makeSchedule(labels: comparison.fit.labels)
            var indices = [Int32]()
            var batches = 0, rows = 0
            while let tag = schedule.next(into: &indices) {
                batches += 1
                rows += tag.count
            }
            #expect(batches == budget.steps, "\(recipe.name): \(batches) batches")
            #expect(rows == budget.steps * 24, "\(recipe.name): \(rows) rows, expected full batches")
        }
        // And the optimizer steps each run took.
        let report = try comparison.run()
        for result in report.results {
            #expect(result.runs.map(\.steps) == [budget.steps], "\(result.recipe.name)")
        }
    }

    @Test("selection looks at the validation rows only: another test set changes the test figures, not the choice")
    func selectionUsesValidation() throws {
        let recipes = try Recipe.list(parsing: "natural,balanced,posthoc")
        let balancedTest = try SpiralSpecification(counts: [60, 60, 60], noise: 0.2, seed: 2).generate()
        // A test set of the majority class alone: a natural model, which favours it, scores best on it.
        let majorityOnly = try balancedTest.subset(balancedTest.labels.indices.filter { balancedTest.labels[$0] == 0 })
        let a = try Self.comparison(recipes: recipes, test: balancedTest, seeds: [0, 1]).run()
        let b = try Self.comparison(recipes: recipes, test: majorityOnly, seeds: [0, 1]).run()
        #expect(a.selected == b.selected)
        #expect(a.results.map(\.validationBalancedAccuracy.mean) == b.results.map(\.validationBalancedAccuracy.mean))
        #expect(a.results.map(\.testMean.balancedAccuracy) != b.results.map(\.testMean.balancedAccuracy))
        // The choice is the highest mean validation balanced accuracy …
        let validation = a.results.map(\.validationBalancedAccuracy.mean)
        #expect(validation[a.selected] == validation.max())
        // … which here is not what the majority-only test set would pick.
        let onTest = b.results.map(\.testMean.balancedAccuracy)
        #expect(onTest.firstIndex(of: onTest.max()!) != b.selected, "validation \(validation), majority-only test \(onTest)")
        // Each recipe's kept model is its best run on validation.
        for (result, trainer) in zip(a.results, a.bestTrainers) {
            #expect(trainer.configuration.seed == result.runs[result.bestRun].seed)
        }
    }

    @Test("torch_recipes.py holds out the same validation rows: package_split.py agrees with stratifiedSplitRows")
    func pythonSplitAgrees() throws {
        let labels = try SpiralSpecification(counts: [200, 40, 8, 1, 2, 5], noise: 0.2, seed: 1).generate().classLabels
        for (fraction, seed) in [(0.2, UInt64(0)), (0.2, 3), (0.5, 11), (0.3, 12345678901234)] {
            let swift = try stratifiedSplitRows(labels, testFraction: fraction, seed: seed).test
            let run = try PythonScript.run(
                "scripts/longtail/package_split.py", ["\(fraction)", "\(seed)"] + labels.values.map { String($0) })
            #expect(run.status == 0, "\(run.stderr)")
            let python = String(decoding: run.stdout, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            #expect(python == swift, "fraction \(fraction), seed \(seed)")
        }
    }
}
