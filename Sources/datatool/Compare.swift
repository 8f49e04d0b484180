import ArgumentParser
import Datasets
import Foundation
import Sampling
import Training

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train long-tail recipes at an equal budget of optimizer steps, pick one on validation, report the test set.",
        discussion: """
            The recipes (--recipes, default all; phases over 30 epochs, scaled to --epochs):
            \(Recipe.builtIn.map { "  \($0.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(Compare.words(for: $0))" }.joined(separator: "\n"))
            (π: the fit rows' class frequencies; the prior correction adds τ·log π to the logits, \
            so τ = −1 takes the prior out.) The recipes set the loss, the weights and the \
            phases: train's --loss, --tau, --class-weights, --beta, --lr-schedule and --finetune-lr \
            are refused (and not listed below).

            Protocol: a stratified --validation-split of the training file (round(f·n_c) rows of \
            class c, at least 1 when n_c ≥ 2, never all; fixed by --seed) is held out for \
            validation; the models train on the rest (the fit rows). Every recipe gets the same \
            budget of S optimizer steps: --epochs E (default 30) epochs of L batches of B, \
            L = ⌈N_fit/B⌉ (E natural passes), or L = S/E with --steps S; every epoch of every \
            phase, balanced or natural, draws L batches. Each recipe is trained --repeats times \
            (seeds --seed, --seed+1, …). The recipe with the highest mean validation balanced \
            accuracy is selected (the earlier on ties); the test set (--test) is never used for \
            a choice. The table gives, on the test set, mean ± sd over the seeds of accuracy, \
            balanced accuracy, macro-F1, minority recall (the rarest class of the training \
            file) and real-frequency accuracy Σ_c π_c·recall_c (π of the training file). \
            --save writes the selected recipe's model from its best seed on validation, in the \
            format of train --save. scripts/longtail/torch_recipes.py runs the same protocol \
            in PyTorch.

            EXAMPLES:
              datatool compare train.h5 --test test.h5
              datatool compare train.h5 --test test.h5 --recipes natural,crt --json
              datatool compare train.h5 --test test.h5 --steps 150 --save best.h5
            """)

    @OptionGroup var options: TrainOptions

    /// `train`'s loss and schedule flags, not listed: each recipe sets them, so they are refused.
    @OptionGroup(visibility: .hidden) var setByRecipes: LossScheduleOptions

    @Option(help: ArgumentHelp("The recipes to compare, comma separated (default: all): \(Recipe.builtIn.map(\.name).joined(separator: ", ")).", valueName: "recipes"), transform: { try Recipe.list(parsing: $0) })
    var recipes: [Recipe] = Recipe.builtIn

    @Option(parsing: .unconditional, help: "Seeds per recipe (--seed, --seed+1, …); the table shows mean ± sd.")
    var repeats: Int = 5

    @Option(parsing: .unconditional, help: "The budget S in optimizer steps for every recipe, a multiple of --epochs (default: --epochs natural passes over the fit rows).")
    var steps: Int?

    @Option(parsing: .unconditional, help: "The share of each class of the training file held out for validation (selection), in (0, 1).")
    var validationSplit: Double = 0.2

    @Flag(help: "Print one JSON object (the budget and one object per recipe) instead of the table.")
    var json = false

    @Option(help: "Save the selected recipe's model (its best seed on validation) to this HDF5 file, as train --save does.")
    var save: String?

    @Flag(help: "Overwrite an existing --save file.")
    var force = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard options.epochs >= 1 else { throw ValidationError("--epochs must be at least 1 for compare (the budget's epochs), got \(options.epochs)") }
        if let steps, !(steps >= 1 && steps % options.epochs == 0) {
            throw ValidationError("--steps must be a positive multiple of --epochs (\(options.epochs)), so every epoch has the same batches; got \(steps)")
        }
        guard validationSplit > 0 && validationSplit < 1 else {
            throw ValidationError("--validation-split must be between 0 and 1 (exclusive), got \(validationSplit)")
        }
        // The recipes set the loss, the weights and the phases; a flag for them would be ignored.
        if let flag = setByRecipes.changedFlags.first {
            throw ValidationError("\(flag) is set by each recipe in compare; drop it (or use train)")
        }
    }

    func run() throws {
        try checkOutputs([save], force: force)
        try options.productThreads.configure()
        let data = try options.loadData()
        guard let test = data.test else {
            throw ValidationError("compare needs a test set: pass --test FILE.h5 or a --test-split above 0")
        }
        let seeds = (0..<UInt64(repeats)).map { options.seed &+ $0 }
        let comparison = try RecipeComparison<MLP>(
            recipes: recipes, configuration: options.configuration(classCount: data.classCount),
            training: data.training, test: test, validationFraction: validationSplit, splitSeed: options.seed,
            seeds: seeds, epochs: options.epochs, steps: steps, chunkWindow: options.order.chunkWindow)
        let stderrIsTerminal = isatty(2) != 0
        let started = Date()
        let report = try comparison.run(lookahead: options.stream ? options.lookahead : 1) { event in
            guard case .runFinished(let r, let s, _) = event else { return }
            if stderrIsTerminal {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(recipes[r].name): run \(s + 1)/\(repeats) done…".utf8))
            }
            if s == repeats - 1 {
                if stderrIsTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                FileHandle.standardError.write(Data("\(recipes[r].name): done (\(format(Date().timeIntervalSince(started), 1)) s so far)\n".utf8))
            }
        }
        var saved: (file: String, recipe: String, seed: UInt64)?
        if let save {
            let result = report.results[report.selected]
            let trainer = report.bestTrainers[report.selected]
            var provenance = trainer.provenance()
            provenance.schedule = "recipe \(result.recipe.name): \(provenance.schedule)"
                + (result.recipe.priorCorrection.map { ", predict with prior correction τ = \($0)" } ?? "")
            try writeTensorArchive(trainer.model.archive(provenance: provenance), to: save, overwrite: force)
            saved = (save, result.recipe.name, result.runs[result.bestRun].seed)
        }
        let names = (train: options.data.file, test: options.test ?? "a --test-split of \(options.data.file)")
        if json {
            print(Self.json(report, data: data, test: test, names: names, seeds: seeds, saved: saved).text)
            return
        }
        print(Self.header(report, comparison: comparison, data: data, test: test, names: names, seeds: seeds))
        print("")
        print(TextTable.render(Self.table(report)).joined(separator: "\n"))
        let selected = report.results[report.selected]
        print("")
        print("selected: \(selected.recipe.name) (highest mean validation balanced accuracy, \(format(selected.validationBalancedAccuracy.mean, 3)))")
        if let saved { print("saved: \(saved.file) (recipe \(saved.recipe), seed \(saved.seed), its best seed on validation)") }
    }

    /// A recipe in words, for the help.
    static func words(for recipe: Recipe) -> String {
        var parts = [recipe.schedule]
        if recipe.loss != .crossEntropy { parts.append("loss \(recipe.loss.rawValue) τ = \(format(recipe.logitAdjustmentTau, 0))") }
        if recipe.classWeighting != .none { parts.append("loss weights \(JSONReport.weighting(recipe.classWeighting))") }
        if let tau = recipe.priorCorrection { parts.append("predict with logits + τ·log π, τ = \(format(tau, 0))") }
        return parts.joined(separator: "; ")
    }

    static func counts(_ counts: [Int]) -> String { counts.map(String.init).joined(separator: "/") }

    static func header(
        _ report: ComparisonReport<MLP>, comparison: RecipeComparison<MLP>, data: TrainingData, test: LabelledDataset,
        names: (train: String, test: String), seeds: [UInt64]
    ) -> String {
        let c = comparison.configuration
        let b = report.budget
        let widths = [data.dimension] + c.hidden + [data.classCount]
        return """
            \(names.train) (\(counts(data.classCounts))): \(report.fitRows) fit rows, \(report.validationRows) validation rows; \
            test \(names.test) (\(counts(test.classCounts)))
            budget: \(b.steps) optimizer steps per run = \(b.epochs) epochs × \(b.batchesPerEpoch) batches of B = \(c.batchSize); \
            \(seeds.count) seed\(seeds.count == 1 ? "" : "s")\(seedRange(seeds)); \
            MLP \(widths.map(String.init).joined(separator: "-")) \(c.activation.kind.rawValue), \(c.optimizer.rawValue) lr \(c.learningRate); \
            minority class \(report.minorityClass)
            """
    }

    /// " (first–last)" of the seeds, or nothing for none.
    private static func seedRange(_ seeds: [UInt64]) -> String {
        guard let first = seeds.first, let last = seeds.last else { return "" }
        return " (\(first)–\(last))"
    }

    static func table(_ report: ComparisonReport<MLP>) -> [[String]] {
        var rows = [["recipe", "schedule", "val bal acc", "accuracy", "balanced acc", "macro-F1", "minority recall", "real-freq acc"]]
        for (i, result) in report.results.enumerated() {
            let mean = result.testMean.values, sd = result.testDeviation.values
            rows.append(
                [result.recipe.name + (i == report.selected ? " (selected)" : ""), words(for: result.recipe, phases: result.phases),
                 format(result.validationBalancedAccuracy.mean, 3)]
                + zip(mean, sd).map { "\(format($0, 3)) ± \(format($1, 3))" })
        }
        return rows
    }

    /// The scaled phases, plus the loss and the correction when not plain.
    static func words(for recipe: Recipe, phases: [TrainingPhase]) -> String {
        var scaled = recipe
        scaled.phases = phases
        return words(for: scaled)
    }

    static func json(
        _ report: ComparisonReport<MLP>, data: TrainingData, test: LabelledDataset, names: (train: String, test: String),
        seeds: [UInt64], saved: (file: String, recipe: String, seed: UInt64)?
    ) -> JSON {
        func figures(_ f: LongTailFigures) -> JSON {
            .object(zip(LongTailFigures.names, f.values).map { ($0, .double($1)) })
        }
        let b = report.budget
        return .object([
            ("train", .string(names.train)),
            ("test", .string(names.test)),
            ("classes", .int(data.classCount)),
            ("train_counts", .array(data.classCounts.map { .int($0) })),
            ("fit_rows", .int(report.fitRows)),
            ("validation_rows", .int(report.validationRows)),
            ("test_rows", .int(report.testRows)),
            ("minority_class", .int(report.minorityClass)),
            ("budget", .object([
                ("steps", .int(b.steps)), ("epochs", .int(b.epochs)), ("batches_per_epoch", .int(b.batchesPerEpoch)),
                ("batch_size", .int(report.bestTrainers[0].configuration.batchSize)),
            ])),
            ("seeds", .array(seeds.map { .int(Int(truncatingIfNeeded: $0)) })),
            ("product_threads", JSONReport.productThreads),
            ("recipes", .array(report.results.enumerated().map { i, result in
                .object([
                    ("recipe", .string(result.recipe.name)),
                    ("schedule", .string(result.phases.map(\.description).joined(separator: ","))),
                    ("loss", .string(result.recipe.loss.rawValue)),
                    ("class_weights", .string(JSONReport.weighting(result.recipe.classWeighting))),
                    ("prior_correction", result.recipe.priorCorrection.map { .double($0) } ?? .null),
                    ("steps", .array(result.runs.map { .int($0.steps) })),
                    ("validation_balanced_accuracy", .object([
                        ("mean", .double(result.validationBalancedAccuracy.mean)), ("sd", .double(result.validationBalancedAccuracy.sd)),
                    ])),
                    ("mean", figures(result.testMean)),
                    ("sd", figures(result.testDeviation)),
                    ("selected", .bool(i == report.selected)),
                ])
            })),
            ("saved", saved.map { .object([("file", .string($0.file)), ("recipe", .string($0.recipe)), ("seed", .int(Int(truncatingIfNeeded: $0.seed)))]) } ?? .null),
        ])
    }
}
