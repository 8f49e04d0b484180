import ArgumentParser
import Datasets
import Foundation
import Sampling
import Training

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the same model five ways and compare them on held-out data.",
        discussion: """
            The strategies, each with the same model, optimiser, epochs and seeds:
              natural                  batches at the real class frequencies
              weighted                 with-replacement inverse-frequency draws (WeightedRandomSampler)
              balanced                 class-balanced batches from per-class circular buffers
              balanced + fine-tune     then --finetune-epochs at the real frequencies (--finetune-layer)
              balanced + prior corr.   predict with logits + τ·log π_y instead (--prior-correction)
            Each is trained --repeats times with seeds seed, seed+1, …; the table shows the mean \
            (and the standard deviation of balanced accuracy) of held-out accuracy, balanced \
            accuracy, macro-F1 and per-class recall. Test on a balanced held-out set (--test) to \
            see what each strategy does for the rare classes.

            EXAMPLES:
              datatool compare train.h5 --test test.h5
              datatool compare train.h5 --test test.h5 --repeats 5 --epochs 50 --json
            """)

    @OptionGroup var options: TrainOptions

    @Option(parsing: .unconditional, help: "Fine-tune epochs of the balanced + fine-tune strategy.")
    var finetuneEpochs: Int = 2

    @Option(help: "What fine-tuning updates: output (the last layer) or all.")
    var finetuneLayer: FinetuneLayers = .output

    @Option(parsing: .unconditional, help: "τ of the prior-correction strategy.")
    var priorCorrection: Double = 1

    @Option(parsing: .unconditional, help: "Trainings per strategy, with consecutive seeds; the table shows means.")
    var repeats: Int = 3

    @Flag(help: "Print the rows as one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard finetuneEpochs >= 1 else { throw ValidationError("--finetune-epochs must be at least 1 for the fine-tune strategy, got \(finetuneEpochs)") }
        guard priorCorrection.isFinite else { throw ValidationError("--prior-correction must be a finite number, got \(priorCorrection)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    struct Strategy {
        var name: String
        var apply: (inout TrainingConfiguration) -> Void
    }

    func run() throws {
        let data = try options.loadData()
        let k = data.classCount
        guard let test = data.test else {
            throw ValidationError("compare needs held-out data: pass --test FILE.h5 or a --test-split above 0")
        }
        let strategies = [
            Strategy(name: "natural") { $0.sampler = .natural },
            Strategy(name: "weighted") { $0.sampler = .weighted },
            Strategy(name: "balanced") { $0.sampler = .balanced },
            Strategy(name: "balanced + fine-tune") { [finetuneEpochs, finetuneLayer] in
                $0.sampler = .balanced
                $0.finetuneEpochs = finetuneEpochs
                $0.finetuneLayers = finetuneLayer
            },
            Strategy(name: "balanced + prior correction") { [priorCorrection] in
                $0.sampler = .balanced
                $0.priorCorrection = priorCorrection
            },
        ]
        // Every strategy's settings are checked before any training, so a refusal comes first.
        let runs = try strategies.map { strategy in
            try (0..<repeats).map { r in
                var configuration = options.configuration(classCount: k)
                configuration.seed = options.seed &+ UInt64(r)
                strategy.apply(&configuration)
                return try TrainingRun(configuration: configuration, data: data, lookahead: options.stream ? options.lookahead : 1)
            }
        }
        let stderrIsTerminal = isatty(2) != 0
        var rows = [(name: String, metrics: [ClassificationMetrics])]()
        for (strategy, strategyRuns) in zip(strategies, runs) {
            var results = [ClassificationMetrics]()
            for (r, run) in strategyRuns.enumerated() {
                if stderrIsTerminal {
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(strategy.name): run \(r + 1)/\(repeats)…".utf8))
                }
                let report = try run.fit { _ in }
                if let metrics = report.test { results.append(metrics) }
            }
            rows.append((strategy.name, results))
            if stderrIsTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            FileHandle.standardError.write(Data("\(strategy.name): balanced accuracy \(SummaryTables.percent(mean(results.map(\.balancedAccuracy))))\n".utf8))
        }
        let header = "\(options.data.file) (\(data.classCounts.map(String.init).joined(separator: "/"))) → \(options.test ?? "held-out split") (\(test.classCounts.map(String.init).joined(separator: "/"))), \(repeats) seed\(repeats == 1 ? "" : "s") each, \(options.epochs) epochs"
        if json {
            print(JSON.object([
                ("file", .string(options.data.file)),
                ("test", .string(options.test ?? "split")),
                ("repeats", .int(repeats)),
                ("rows", .array(rows.map { row in
                    .object([
                        ("strategy", .string(row.name)),
                        ("accuracy", .double(mean(row.metrics.map(\.accuracy)))),
                        ("balanced_accuracy", .double(mean(row.metrics.map(\.balancedAccuracy)))),
                        ("balanced_accuracy_sd", .double(standardDeviation(row.metrics.map(\.balancedAccuracy)))),
                        ("macro_f1", .double(mean(row.metrics.map(\.macroF1)))),
                        ("recall", .array((0..<k).map { c in .double(mean(row.metrics.map { $0.recall[c] })) })),
                    ])
                })),
            ]).text)
            return
        }
        var table = [["strategy", "accuracy", "balanced acc (± sd)", "macro-F1"] + (0..<k).map { "recall \($0)" }]
        for row in rows {
            table.append([
                row.name,
                SummaryTables.percent(mean(row.metrics.map(\.accuracy))),
                SummaryTables.percent(mean(row.metrics.map(\.balancedAccuracy))) + " ± " + format(100 * standardDeviation(row.metrics.map(\.balancedAccuracy)), 1),
                format(mean(row.metrics.map(\.macroF1)), 3),
            ] + (0..<k).map { c in SummaryTables.percent(mean(row.metrics.map { $0.recall[c] })) })
        }
        print(header)
        print("")
        print(TextTable.render(table).joined(separator: "\n"))
    }

    private func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    private func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }
}
