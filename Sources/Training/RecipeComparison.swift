import Datasets
import Sampling

/// The figures `compare` reports for one model on one data set.
public struct LongTailFigures: Sendable, Equatable {
    /// Correct / total.
    public var accuracy: Double
    /// Mean recall over the classes present.
    public var balancedAccuracy: Double
    /// Mean F1 over the classes present.
    public var macroF1: Double
    /// Recall of the minority class (the rarest of the training file).
    public var minorityRecall: Double
    /// Σ_c π_c·recall_c, π the training file's class frequencies
    /// (``ClassificationMetrics/realFrequencyAccuracy(priors:)``).
    public var realFrequencyAccuracy: Double

    /// The figures of `metrics`.
    ///
    /// - Parameters:
    ///   - metrics: The confusion of a model on the data.
    ///   - priors: π, the training file's class frequencies.
    ///   - minorityClass: The class whose recall is the minority recall.
    public init(_ metrics: ClassificationMetrics, priors: [Double], minorityClass: Int) {
        accuracy = metrics.accuracy
        balancedAccuracy = metrics.balancedAccuracy
        macroF1 = metrics.macroF1
        minorityRecall = metrics.recall[minorityClass]
        realFrequencyAccuracy = metrics.realFrequencyAccuracy(priors: priors)
    }

    init(_ values: [Double]) {
        (accuracy, balancedAccuracy, macroF1, minorityRecall, realFrequencyAccuracy) = (values[0], values[1], values[2], values[3], values[4])
    }

    /// The five figures in the order of ``names``.
    public var values: [Double] { [accuracy, balancedAccuracy, macroF1, minorityRecall, realFrequencyAccuracy] }
    /// `accuracy`, `balanced_accuracy`, `macro_f1`, `minority_recall`, `real_frequency_accuracy`.
    public static let names = ["accuracy", "balanced_accuracy", "macro_f1", "minority_recall", "real_frequency_accuracy"]

    /// Figure by figure, the mean of `runs` (NaN for none).
    public static func mean(_ runs: [LongTailFigures]) -> LongTailFigures {
        LongTailFigures((0..<names.count).map { i in meanAndDeviation(runs.map { $0.values[i] }).mean })
    }

    /// Figure by figure, the sample standard deviation (n − 1) of `runs` (0 for one run).
    public static func standardDeviation(_ runs: [LongTailFigures]) -> LongTailFigures {
        LongTailFigures((0..<names.count).map { i in meanAndDeviation(runs.map { $0.values[i] }).sd })
    }

    /// The class with the fewest samples, the lower label on ties.
    public static func minorityClass(counts: [Int]) -> Int {
        counts.indices.min { counts[$0] < counts[$1] } ?? 0
    }
}

/// The mean and the sample standard deviation (n − 1; 0 for one value, NaN mean for none).
public func meanAndDeviation(_ values: [Double]) -> (mean: Double, sd: Double) {
    guard !values.isEmpty else { return (.nan, .nan) }
    let mean = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (mean, 0) }
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, (squares / Double(values.count - 1)).squareRoot())
}

/// One training run of a recipe.
public struct RecipeRun: Sendable {
    /// The run's seed (weights, batch stream).
    public var seed: UInt64
    /// Optimizer steps the run took (batches trained on).
    public var steps: Int
    /// The model on the validation rows (with the recipe's prediction rule).
    public var validation: ClassificationMetrics
    /// The model on the test set.
    public var test: ClassificationMetrics
    /// ``test``'s figures.
    public var testFigures: LongTailFigures
}

/// A recipe's runs and their summary.
public struct RecipeResult: Sendable {
    /// The recipe.
    public var recipe: Recipe
    /// Its phases scaled to the budget (what ran).
    public var phases: [TrainingPhase]
    /// One run a seed, in seed order.
    public var runs: [RecipeRun]
    /// Mean and sd of the validation balanced accuracy over the runs: what selection uses.
    public var validationBalancedAccuracy: (mean: Double, sd: Double) {
        meanAndDeviation(runs.map(\.validation.balancedAccuracy))
    }
    /// Figure by figure, the mean over the runs on the test set.
    public var testMean: LongTailFigures { LongTailFigures.mean(runs.map(\.testFigures)) }
    /// Figure by figure, the sample sd over the runs on the test set.
    public var testDeviation: LongTailFigures { LongTailFigures.standardDeviation(runs.map(\.testFigures)) }
    /// The run with the highest validation balanced accuracy (the first on ties).
    public var bestRun: Int {
        Self.argmax(runs.map(\.validation.balancedAccuracy))
    }

    /// The index of the largest value, the first on ties; NaN loses to everything.
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices.dropFirst() where values[i] > values[best] || (values[best].isNaN && !values[i].isNaN) {
            best = i
        }
        return best
    }
}

/// What ``RecipeComparison/run(lookahead:observer:)`` found.
public struct ComparisonReport<Model: Classifier> {
    /// The budget every recipe ran at.
    public var budget: StepBudget
    /// Rows trained on, validated on and tested on.
    public var fitRows: Int, validationRows: Int, testRows: Int
    /// π, the training file's class frequencies (of real-frequency accuracy).
    public var priors: [Double]
    /// The class of the minority recall.
    public var minorityClass: Int
    /// One result a recipe, in the order given.
    public var results: [RecipeResult]
    /// The recipe with the highest mean validation balanced accuracy (the earlier on ties).
    public var selected: Int
    /// Each recipe's best run on validation (``RecipeResult/bestRun``), trained.
    public var bestTrainers: [Trainer<Model>]
}

/// Progress of a comparison.
public enum ComparisonEvent: Sendable {
    /// Run `run` of recipe `recipe` (indices into the recipes and the seeds) is done.
    case runFinished(recipe: Int, run: Int, RecipeRun)
}

/// Trains each of a list of recipes over several seeds at an equal budget of optimizer steps,
/// selects the recipe on a stratified validation split of the training rows, and reports test
/// figures.
///
/// The protocol (`scripts/longtail/torch_recipes.py` runs the same in PyTorch):
/// - A stratified `validationFraction` of the training rows is held out
///   (``Datasets/stratifiedSplitRows(_:testFraction:seed:)``, fixed by `splitSeed`); the
///   models train on the rest, the "fit" rows, whose class frequencies are the priors the
///   trainer uses (logit adjustment, prior correction, class weights).
/// - The budget: E epochs (30 by default) of L batches, L = ⌈N_fit / B⌉ or S / E for a given
///   S; every phase of every recipe draws L batches an epoch (``StepBudget``,
///   ``Recipe/configuration(from:budget:seed:)``), so each run takes S = E·L optimizer steps.
/// - Every recipe runs once per seed; the recipe with the highest mean validation balanced
///   accuracy (its own prediction rule) is selected, the earlier one on ties. The test set is
///   never used for a choice.
/// - Test figures, mean ± sample sd over the seeds: accuracy, balanced accuracy, macro-F1,
///   minority recall (the rarest class of the whole training file, the lower label on ties)
///   and real-frequency accuracy Σ_c π_c·recall_c, π the whole training file's frequencies.
public struct RecipeComparison<Model: Classifier> {
    /// The recipes, in order.
    public let recipes: [Recipe]
    /// Model, optimizer, rate and batch size of every run (the recipes set the rest).
    public let configuration: TrainingConfiguration
    /// The seeds, one run each per recipe.
    public let seeds: [UInt64]
    /// The step budget.
    public let budget: StepBudget
    /// The rows the models train on.
    public let fit: LabelledSource
    /// The held-out rows selection looks at.
    public let validation: LabelledDataset
    /// The test set, only reported on.
    public let test: LabelledDataset
    /// π of the whole training file.
    public let priors: [Double]
    /// The rarest class of the whole training file.
    public let minorityClass: Int
    /// The chunked order of the fit rows (`nil`: the exact random order).
    public let chunkedOrder: ChunkedOrder?
    private let makeModel: (TrainingConfiguration) throws -> Model

    /// Splits the training rows and sets the budget; checks every recipe's configuration (by
    /// building its trainer and batch stream) before any training.
    ///
    /// - Parameters:
    ///   - recipes: At least one recipe.
    ///   - configuration: Model, optimizer, rate and batch size.
    ///   - training: The training rows, in memory or in a file.
    ///   - test: The test set, with the training rows' width and class count.
    ///   - validationFraction: The held-out share, in (0, 1).
    ///   - splitSeed: Fixes the validation split.
    ///   - seeds: At least one seed.
    ///   - epochs: E of the budget.
    ///   - steps: S of the budget; `nil` for E natural passes over the fit rows.
    ///   - chunkWindow: Visit the fit rows chunk by chunk with windows of this many chunks
    ///     (``Sampling/ChunkedOrder``); `nil` for the exact random order. Needs rows read from a
    ///     chunked dataset.
    ///   - makeModel: A fresh model for a run's configuration (its seed fixes the weights).
    /// - Throws: ``TrainingError`` for no recipes or seeds, a budget that does not split, or a
    ///   configuration the trainer refuses; ``Datasets/DatasetError`` for a bad fraction;
    ///   sampling errors (an empty class under a balanced phase).
    public init(
        recipes: [Recipe], configuration: TrainingConfiguration, training: LabelledSource, test: LabelledDataset,
        validationFraction: Double = 0.2, splitSeed: UInt64 = 0, seeds: [UInt64], epochs: Int = Recipe.referenceEpochs,
        steps: Int? = nil, chunkWindow: Int? = nil, makeModel: @escaping (TrainingConfiguration) throws -> Model
    ) throws {
        guard !recipes.isEmpty, !seeds.isEmpty else {
            throw TrainingError.invalidParameter("a comparison needs at least one recipe and one seed, got \(recipes.count) and \(seeds.count)")
        }
        guard test.dimension == training.dimension, test.classCount <= training.classCount else {
            throw TrainingError.invalidParameter("the test set has \(test.dimension) features and \(test.classCount) classes; expected \(training.dimension) features and at most \(training.classCount) classes")
        }
        let parts = try training.stratifiedSplit(testFraction: validationFraction, seed: splitSeed)
        self.recipes = recipes
        self.configuration = configuration
        self.seeds = seeds
        self.fit = parts.training
        self.validation = try parts.test.materialize()
        self.test = try test.withClassCount(training.classCount)
        self.budget = try StepBudget(epochs: epochs, rows: parts.training.rowCount, batchSize: configuration.batchSize, steps: steps)
        let counts = training.labels.counts
        let n = Double(counts.reduce(0, +))
        self.priors = counts.map { Double($0) / n }
        self.minorityClass = LongTailFigures.minorityClass(counts: counts)
        if let chunkWindow {
            guard let blocks = try parts.training.rowBlocks() else {
                throw TrainingError.invalidParameter("the chunked order needs rows read from a chunked dataset")
            }
            self.chunkedOrder = ChunkedOrder(blocks: blocks, window: chunkWindow)
        } else {
            self.chunkedOrder = nil
        }
        self.makeModel = makeModel
        for recipe in recipes {
            do {
                _ = try prepare(recipe, seed: seeds[0])
            } catch let TrainingError.invalidParameter(message) {
                throw TrainingError.invalidParameter("recipe \(recipe.name): \(message)")
            }
        }
    }

    /// A trainer and its batch stream for one run.
    private func prepare(_ recipe: Recipe, seed: UInt64) throws -> (Trainer<Model>, BatchSchedule) {
        let c = recipe.configuration(from: configuration, budget: budget, seed: seed)
        let trainer = try Trainer(model: try makeModel(c), configuration: c, classCounts: fit.labels.counts)
        return (trainer, try trainer.makeSchedule(labels: fit.labels, chunkedOrder: chunkedOrder))
    }

    /// Trains every recipe with every seed, evaluates on the validation rows and the test set,
    /// and selects.
    ///
    /// - Parameters:
    ///   - lookahead: Batches gathered per read of a streamed source.
    ///   - observer: Called after each run, on the calling thread.
    /// - Returns: The results, the selection and each recipe's best trained model.
    /// - Throws: Read errors from the source; the trainer's errors.
    /// - Complexity: recipes × seeds runs of S steps, plus two evaluations each.
    public func run(lookahead: Int = 1, observer: (ComparisonEvent) -> Void = { _ in }) throws -> ComparisonReport<Model> {
        var results = [RecipeResult]()
        var best = [Trainer<Model>]()
        for (r, recipe) in recipes.enumerated() {
            var runs = [RecipeRun]()
            var trainers = [Trainer<Model>]()
            for (s, seed) in seeds.enumerated() {
                let (trainer, schedule) = try prepare(recipe, seed: seed)
                var steps = 0
                _ = try trainer.fit(source: fit, schedule: schedule, test: nil, lookahead: lookahead) { event in
                    if case .batch = event { steps += 1 }
                }
                let testMetrics = try trainer.evaluate(test).metrics
                let run = RecipeRun(
                    seed: seed, steps: steps, validation: try trainer.evaluate(validation).metrics, test: testMetrics,
                    testFigures: LongTailFigures(testMetrics, priors: priors, minorityClass: minorityClass))
                runs.append(run)
                // Keep only the best run's model so far (validation balanced accuracy, first on ties).
                if trainers.isEmpty || RecipeResult.argmax(runs.map(\.validation.balancedAccuracy)) == s {
                    trainers = [trainer]
                }
                observer(.runFinished(recipe: r, run: s, run))
            }
            results.append(RecipeResult(recipe: recipe, phases: recipe.phases(epochs: budget.epochs), runs: runs))
            best.append(trainers[0])
        }
        let selected = RecipeResult.argmax(results.map(\.validationBalancedAccuracy.mean))
        return ComparisonReport(
            budget: budget, fitRows: fit.rowCount, validationRows: validation.count, testRows: test.count,
            priors: priors, minorityClass: minorityClass, results: results, selected: selected, bestTrainers: best)
    }
}

extension RecipeComparison where Model == MLP {
    /// A comparison of ``MLP``s built from the configuration (`hidden`, `activation`, the run's
    /// seed); the other parameters as ``init(recipes:configuration:training:test:validationFraction:splitSeed:seeds:epochs:steps:chunkWindow:makeModel:)``.
    ///
    /// - Throws: As that initialiser; the MLP's errors for sizes it refuses.
    public init(
        recipes: [Recipe], configuration: TrainingConfiguration, training: LabelledSource, test: LabelledDataset,
        validationFraction: Double = 0.2, splitSeed: UInt64 = 0, seeds: [UInt64], epochs: Int = Recipe.referenceEpochs,
        steps: Int? = nil, chunkWindow: Int? = nil
    ) throws {
        let inputs = training.dimension, classes = training.classCount
        try self.init(
            recipes: recipes, configuration: configuration, training: training, test: test,
            validationFraction: validationFraction, splitSeed: splitSeed, seeds: seeds, epochs: epochs, steps: steps,
            chunkWindow: chunkWindow
        ) { c in
            try MLP(inputs: inputs, hidden: c.hidden, outputs: classes, activation: c.activation, seed: c.seed)
        }
    }
}
