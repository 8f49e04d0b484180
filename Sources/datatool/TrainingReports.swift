import Datasets
import Sampling
import Training

/// The machine-readable form of training results.
enum JSONReport {
    static func metrics(_ m: ClassificationMetrics) -> JSON {
        let recall = m.recall, precision = m.precision, f1 = m.f1, support = m.support
        return .object([
            ("accuracy", .double(m.accuracy)),
            ("balanced_accuracy", .double(m.balancedAccuracy)),
            ("macro_f1", .double(m.macroF1)),
            ("per_class", .array((0..<m.classCount).map { c in
                .object([
                    ("label", .int(c)),
                    ("recall", .double(recall[c])),
                    ("precision", .double(precision[c])),
                    ("f1", .double(f1[c])),
                    ("support", .int(support[c])),
                ])
            })),
            ("confusion", .array(m.confusion.map { .array($0.map { .int($0) }) })),
        ])
    }

    static func epoch(_ e: EpochReport) -> JSON {
        var members: [(String, JSON)] = [
            ("epoch", .int(e.epoch)),
            ("phase", .string(e.phase.rawValue)),
            ("phase_index", .int(e.phaseIndex)),
            ("lr", .double(e.learningRate)),
            ("train_loss", .double(e.trainLoss)),
            ("train_accuracy", .double(e.trainAccuracy)),
        ]
        if let test = e.test {
            members += [
                ("test_loss", .double(e.testLoss ?? .nan)),
                ("test_accuracy", .double(test.accuracy)),
                ("test_balanced_accuracy", .double(test.balancedAccuracy)),
                ("test_macro_f1", .double(test.macroF1)),
                ("test_recall", .array(test.recall.map { .double($0) })),
            ]
        }
        members.append(("seconds", .double(e.seconds)))
        return .object(members)
    }

    /// `none`, `inverse` or `effective(beta=β)`.
    static func weighting(_ weighting: ClassWeighting) -> String {
        switch weighting {
        case .none: return "none"
        case .inverse: return "inverse"
        case .effective(let beta): return "effective(beta=\(beta))"
        }
    }

    /// The threads of the large products (`--threads`), `null` where the BLAS library
    /// chooses (Accelerate).
    static var productThreads: JSON { Matrix.productThreadCount.map { .int($0) } ?? .null }

    static func configuration(_ c: TrainingConfiguration) -> JSON {
        .object([
            ("hidden", .array(c.hidden.map { .int($0) })),
            ("activation", .string(c.activation.kind.rawValue)),
            ("loss", .string(c.loss.rawValue)),
            ("tau", .double(c.logitAdjustmentTau)),
            ("class_weights", .string(weighting(c.classWeighting))),
            ("optimizer", .string(c.optimizer.rawValue)),
            ("lr", .double(c.learningRate)),
            ("lr_schedule", .string(c.learningRateSchedule.description)),
            ("batch_size", .int(c.batchSize)),
            ("sampler", .string(c.sampler.rawValue)),
            ("epochs", .int(c.epochs)),
            ("phases", .string(c.resolvedPhases.map(\.description).joined(separator: ","))),
            ("finetune_epochs", .int(c.finetuneEpochs)),
            ("finetune_layer", .string(c.finetuneLayers.rawValue)),
            ("prior_correction", c.priorCorrection.map { .double($0) } ?? .null),
            ("seed", .int(Int(truncatingIfNeeded: c.seed))),
            ("product_threads", productThreads),
            ("rank", .int(c.shard.rank)),
            ("world_size", .int(c.shard.worldSize)),
        ])
    }

    static func training(_ report: TrainingReport, run: TrainingRun, file: String) -> JSON {
        .object([
            ("file", .string(file)),
            ("classes", .int(run.trainer.classCounts.count)),
            ("train_counts", .array(run.trainer.classCounts.map { .int($0) })),
            ("test_counts", run.test.map { t in .array(t.classCounts.map { .int($0) }) } ?? .null),
            ("configuration", configuration(run.trainer.configuration)),
            ("epochs", .array(report.epochs.map(epoch))),
            ("test", report.test.map(metrics) ?? .null),
        ])
    }
}

/// The human-readable form: an epoch table, a per-class table and the confusion matrix.
enum SummaryTables {
    static func render(_ report: TrainingReport, run: TrainingRun, file: String) -> String {
        var lines = [String]()
        let counts = run.trainer.classCounts.map(String.init).joined(separator: "/")
        lines.append("\(file): trained on \(run.data.training.rowCount) samples (\(counts)), \(run.summary)\(run.lookahead > 1 ? ", streamed from the file" : "")")
        var rows = [["epoch", "phase", "train loss", "train acc", "test loss", "test acc", "balanced acc", "macro-F1"]]
        for e in report.epochs {
            rows.append([
                String(e.epoch + 1), e.phase.rawValue, format(e.trainLoss, 4), percent(e.trainAccuracy),
                e.testLoss.map { format($0, 4) } ?? "-", e.test.map { percent($0.accuracy) } ?? "-",
                e.test.map { percent($0.balancedAccuracy) } ?? "-", e.test.map { format($0.macroF1, 3) } ?? "-",
            ])
        }
        lines.append("")
        lines.append(contentsOf: TextTable.render(rows))
        guard let test = report.test else {
            lines.append("")
            lines.append("no held-out data (--test-split 0 and no --test): no test figures")
            return lines.joined(separator: "\n")
        }
        lines.append("")
        lines.append(contentsOf: heldOut(test))
        return lines.joined(separator: "\n")
    }

    /// The held-out figures: a summary line, the per-class table and the confusion matrix
    /// (what `train` ends with and `evaluate` prints).
    static func heldOut(_ test: ClassificationMetrics) -> [String] {
        var lines = [String]()
        lines.append("held-out: \(test.total) samples, accuracy \(percent(test.accuracy)), balanced accuracy \(percent(test.balancedAccuracy)), macro-F1 \(format(test.macroF1, 3))")
        var perClass = [["class", "support", "recall", "precision", "F1"]]
        let recall = test.recall, precision = test.precision, f1 = test.f1, support = test.support
        for c in 0..<test.classCount {
            perClass.append([String(c), String(support[c]), percent(recall[c]), percent(precision[c]), format(f1[c], 3)])
        }
        lines.append("")
        lines.append(contentsOf: TextTable.render(perClass))
        lines.append("")
        lines.append("confusion matrix (rows: true class, columns: predicted)")
        var confusion = [["true \\ pred"] + (0..<test.classCount).map(String.init)]
        for (c, row) in test.confusion.enumerated() { confusion.append([String(c)] + row.map(String.init)) }
        lines.append(contentsOf: TextTable.render(confusion))
        return lines
    }

    static func percent(_ value: Double) -> String {
        value.isNaN ? "-" : format(100 * value, 1) + "%"
    }
}
