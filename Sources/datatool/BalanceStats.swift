import ArgumentParser
import Datasets
import Sampling

struct BalanceStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance-stats",
        abstract: "Show class counts, imbalance and what balanced epochs do to each class.",
        discussion: """
            Reads the labels (and checks the features' row count) and prints, for batch size B = K·m: \
            balanced batches per epoch ⌈M/m⌉ (M the largest class), draws of each class per epoch, \
            the repetition factor draws/n_c, fine-tune batches per epoch ⌈N/B⌉, and the \
            inverse-frequency N/(K·n_c) and effective-number (Cui et al. 2019) class weights.

            EXAMPLES:
              datatool balance-stats spirals.h5
              datatool balance-stats spirals.h5 --batch-size 96 --beta 0.9999
              datatool balance-stats data.h5 --features /train/x --labels /train/y --json
            """)

    @OptionGroup var data: DataFileOptions

    @Option(parsing: .unconditional, help: "Batch size B, a multiple of the number of classes K (default: 32·K).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "β in [0, 1) for the effective-number weights.")
    var beta: Double = 0.999

    @Flag(help: "Fine-tune epochs drop a smaller last batch.")
    var dropLast = false

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard beta >= 0 && beta < 1 else { throw ValidationError("--beta must be in [0, 1), got \(beta)") }
    }

    func run() throws {
        let counts = try data.open(reading: .stream()).labels.counts
        let b = batchSize ?? 32 * counts.count
        let stats = try BalanceStatistics(counts: counts, batchSize: b, beta: beta, dropLast: dropLast)
        print(json ? jsonObject(stats).text : table(stats))
    }

    private func jsonObject(_ s: BalanceStatistics) -> JSON {
        .object([
            ("file", .string(data.file)),
            ("n", .int(s.sampleCount)),
            ("classes", .int(s.classCount)),
            ("imbalance_ratio", .double(s.imbalanceRatio)),
            ("batch_size", .int(s.batchSize)),
            ("per_class_per_batch", .int(s.batchSize / s.classCount)),
            ("balanced_batches_per_epoch", .int(s.balancedBatchesPerEpoch)),
            ("finetune_batches_per_epoch", .int(s.finetuneBatchesPerEpoch)),
            ("beta", .double(s.beta)),
            ("per_class", .array(s.perClass.map { c in
                .object([
                    ("label", .int(c.label)),
                    ("count", .int(c.count)),
                    ("frequency", .double(c.frequency)),
                    ("draws_per_epoch", .int(c.drawsPerEpoch)),
                    ("repetition", .double(c.repetition)),
                    ("weight_inverse", .double(c.weightInverse)),
                    ("weight_effective", .double(c.weightEffective)),
                ])
            })),
        ])
    }

    private func table(_ s: BalanceStatistics) -> String {
        var lines = [String]()
        lines.append("\(data.file): \(s.sampleCount) samples, \(s.classCount) classes, imbalance ratio \(format(s.imbalanceRatio, 1)):1")
        lines.append("batch size \(s.batchSize) (\(s.batchSize / s.classCount) per class): \(s.balancedBatchesPerEpoch) balanced batches per epoch, \(s.finetuneBatchesPerEpoch) fine-tune batches per epoch")
        lines.append("")
        let header = ["class", "count", "frequency", "draws/epoch", "repetition", "w inverse", "w effective"]
        var rows = [header]
        for c in s.perClass {
            rows.append([
                String(c.label), String(c.count), format(100 * c.frequency, 2) + "%", String(c.drawsPerEpoch),
                format(c.repetition, 2) + "×", format(c.weightInverse, 4), format(c.weightEffective, 4),
            ])
        }
        lines.append(contentsOf: TextTable.render(rows))
        lines.append("")
        lines.append("w inverse = N/(K·n_c); w effective = (1−β)/(1−β^n_c) scaled to sum to K, β = \(s.beta)")
        return lines.joined(separator: "\n")
    }
}
