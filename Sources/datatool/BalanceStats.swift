import ArgumentParser
import Datasets
import Sampling

struct BalanceStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance-stats",
        abstract: "Show class counts, imbalance and what an epoch of a sampling policy does to each class.",
        discussion: """
            Reads the labels (and checks the features' row count) and prints, for batch size B \
            and a policy (--sampler, default balanced) with its epoch length: the draws T and \
            batches T/B of an epoch, each class's quota Q_c, its repetition Q_c/n_c, how many \
            times one of its samples is drawn (min/median/max) and, for a fixed epoch length, \
            the share of the class seen per epoch (with --multi-label, the labels dataset is \
            [N, K] 0/1, the table is per label, and the label appearances of an epoch — every \
            label of every drawn sample — are shown with their spread max/min, next to a \
            natural epoch's); natural (fine-tune) batches per epoch ⌈N/B⌉; \
            and the inverse-frequency N/(K·n_c) and effective-number (Cui et al. 2019) class \
            weights. Progressive figures are for its first epoch (instance-balanced); \
            repeat:T figures for epoch 0 of seed 0, whose length is random (each sample ⌊r⌋ \
            times plus once with probability r − ⌊r⌋; with --multi-label a sample counts in \
            the row of its rarest label, whose r is the largest of its labels'). With \
            --schedule, the figures of every phase (JSON: a "phases" list).

            EXAMPLES:
              datatool balance-stats spirals.h5
              datatool balance-stats longtail.h5 --batch-size 256 --sampler sqrt
              datatool balance-stats longtail.h5 --epoch-length batches:500 --json
              datatool balance-stats longtail.h5 --schedule "natural:20,balanced:5"
              datatool balance-stats data.h5 --features /train/x --labels /train/y --json
            """)

    @OptionGroup var data: DataFileOptions

    @OptionGroup var sampling: SamplingOptions

    @Option(parsing: .unconditional, help: "β in [0, 1) for the effective-number weights.")
    var beta: Double = 0.999

    @Flag(help: "Natural and weighted epochs drop a smaller last batch.")
    var dropLast = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard beta >= 0 && beta < 1 else { throw ValidationError("--beta must be in [0, 1), got \(beta)") }
    }

    /// Several labels a sample: what an epoch of a policy shows of each label.
    struct LabelAppearances {
        /// N (samples), and those that carry no label.
        var samples: Int
        var unlabelled: Int
        /// Appearances of each label in the policy's first epoch and in a natural epoch,
        /// counting every label of every drawn sample.
        var appearances: [Int]
        var naturalAppearances: [Int]

        static func spread(_ a: [Int]) -> Double { Double(a.max() ?? 0) / Double(Swift.max(1, a.min() ?? 0)) }
    }

    func run() throws {
        let phases = sampling.schedule ?? [SchedulePhase(sampling.sampler ?? .balanced, epochs: 1)]
        let counts: [Int]
        var groupCounts: [Int]?
        var figures = [LabelAppearances?](repeating: nil, count: phases.count)
        if sampling.multiLabel {
            let labels = try data.openMultiLabels()
            counts = labels.counts
            if phases.contains(where: \.policy.isRepeatFactor) { groupCounts = labels.rarestLabelCounts }
            let unlabelled = (0..<labels.sampleCount).filter { labels.labels(ofSample: $0).isEmpty }.count
            for (p, phase) in phases.enumerated() {
                var schedule = try BatchSchedule(multiLabels: labels, configuration: ScheduleConfiguration(
                    batchSize: sampling.batchSize(samples: labels.sampleCount),
                    phases: [SchedulePhase(phase.policy, epochs: Swift.max(1, phase.epochs)), SchedulePhase(.natural, epochs: 1)],
                    epochLength: sampling.epochLength, dropLast: dropLast))
                figures[p] = LabelAppearances(
                    samples: labels.sampleCount, unlabelled: unlabelled,
                    appearances: schedule.labelAppearances(epoch: 0),
                    naturalAppearances: schedule.labelAppearances(epoch: schedule.totalEpochs - 1))
            }
        } else {
            counts = try data.classCounts()
        }
        let stats = try phases.map { phase in
            try BalanceStatistics(
                counts: counts, batchSize: sampling.batchSize(samples: figures[0]?.samples ?? counts.reduce(0, +)),
                policy: phase.policy, epochLength: sampling.epochLength, beta: beta, dropLast: dropLast,
                phaseEpochs: phase.epochs, naturalSamples: figures[0]?.samples, groupCounts: groupCounts)
        }
        guard let schedule = sampling.schedule else {
            print(json ? jsonObject(stats[0], figures[0]).text : table(stats[0], figures[0]))
            return
        }
        if json {
            let objects = zip(schedule, stats).enumerated().map { p, item -> JSON in
                guard case .object(let fields) = jsonObject(item.1, figures[p]) else { return .null }
                return .object([("phase_index", .int(p)), ("epochs", .int(item.0.epochs))] + fields.filter { $0.0 != "file" })
            }
            print(JSON.object([("file", .string(data.file)), ("schedule", .string(schedule.map(\.description).joined(separator: ","))), ("phases", .array(objects))]).text)
        } else {
            print(zip(schedule, stats).enumerated().map { p, item in
                "phase \(p): \(item.0.policy.rawValue) × \(item.0.epochs) epochs\n" + table(item.1, figures[p])
            }.joined(separator: "\n\n"))
        }
    }

    private func jsonObject(_ s: BalanceStatistics, _ multi: LabelAppearances?) -> JSON {
        func optional(_ value: Int?) -> JSON { value.map { .int($0) } ?? .null }
        func optional(_ value: Double?) -> JSON { value.map { .double($0) } ?? .null }
        var extra = [(String, JSON)]()
        if let multi {
            extra = [
                ("multi_label", .bool(true)),
                ("samples", .int(multi.samples)),
                ("unlabelled", .int(multi.unlabelled)),
                ("label_appearances", .array(multi.appearances.map { .int($0) })),
                ("appearance_spread", .double(LabelAppearances.spread(multi.appearances))),
                ("natural_label_appearances", .array(multi.naturalAppearances.map { .int($0) })),
                ("natural_appearance_spread", .double(LabelAppearances.spread(multi.naturalAppearances))),
            ]
        }
        return .object(extra + [
            ("file", .string(data.file)),
            ("n", .int(s.sampleCount)),
            ("classes", .int(s.classCount)),
            ("imbalance_ratio", .double(s.imbalanceRatio)),
            ("batch_size", .int(s.batchSize)),
            ("policy", .string(s.policy.rawValue)),
            ("epoch_length", .string(s.epochLength.description)),
            ("epoch_draws", .int(s.epochDraws)),
            ("per_class_per_batch", .double(Double(s.batchSize) / Double(s.classCount))),
            ("balanced_batches_per_epoch", .int(s.batchesPerEpoch)),
            ("finetune_batches_per_epoch", .int(s.naturalBatchesPerEpoch)),
            ("beta", .double(s.beta)),
            ("per_class", .array(s.perClass.map { c in
                .object([
                    ("label", .int(c.label)),
                    ("count", .int(c.count)),
                    ("frequency", .double(c.frequency)),
                    ("quota", .int(c.quota)),
                    ("draws_per_epoch", .int(c.quota)),
                    ("repetition", .double(c.repetition)),
                    ("draws_min", optional(c.drawsMin)),
                    ("draws_median", optional(c.drawsMedian)),
                    ("draws_max", optional(c.drawsMax)),
                    ("seen_share", optional(c.seenShare)),
                    ("weight_inverse", .double(c.weightInverse)),
                    ("weight_effective", .double(c.weightEffective)),
                ])
            })),
        ])
    }

    private func table(_ s: BalanceStatistics, _ multi: LabelAppearances?) -> String {
        var lines = [String]()
        if let multi {
            lines.append("\(data.file): \(multi.samples) samples (\(multi.unlabelled) with no label), \(s.classCount) labels carried \(s.sampleCount) times, imbalance ratio \(format(s.imbalanceRatio, 1)):1")
            lines.append("label appearances per epoch (every label of every drawn sample): spread max/min \(format(LabelAppearances.spread(multi.appearances), 2)) for \(s.policy.rawValue), \(format(LabelAppearances.spread(multi.naturalAppearances), 2)) for natural")
            lines.append("  \(s.policy.rawValue): " + multi.appearances.map(String.init).joined(separator: " "))
            lines.append("  natural: " + multi.naturalAppearances.map(String.init).joined(separator: " "))
        } else {
            lines.append("\(data.file): \(s.sampleCount) samples, \(s.classCount) classes, imbalance ratio \(format(s.imbalanceRatio, 1)):1")
        }
        lines.append("\(s.policy.rawValue) epochs (\(s.epochLength)), batch size \(s.batchSize): \(s.epochDraws) draws in \(s.batchesPerEpoch) batches per epoch; \(s.naturalBatchesPerEpoch) natural (fine-tune) batches per epoch")
        lines.append("")
        let header = ["class", "count", "frequency", "quota", "repetition", "draws min/med/max", "seen", "w inverse", "w effective"]
        var rows = [header]
        for c in s.perClass {
            let perSample = c.drawsMin.map { min in "\(min)/\(format(c.drawsMedian ?? 0, 1))/\(c.drawsMax ?? min)" } ?? "random"
            rows.append([
                String(c.label), String(c.count), format(100 * c.frequency, 2) + "%", String(c.quota),
                format(c.repetition, 2) + "×", perSample, c.seenShare.map { format(100 * $0, 1) + "%" } ?? "-",
                format(c.weightInverse, 4), format(c.weightEffective, 4),
            ])
        }
        lines.append(contentsOf: TextTable.render(rows))
        lines.append("")
        lines.append("w inverse = N/(K·n_c); w effective = (1−β)/(1−β^n_c) scaled to sum to K, β = \(s.beta)")
        return lines.joined(separator: "\n")
    }
}
