import ArgumentParser
import Datasets
import Sampling
import Training

extension ActivationKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension FinetuneLayers: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}

/// How the loss weighs classes, as a flag value.
enum ClassWeightsOption: String, CaseIterable, ExpressibleByArgument {
    case none, inverse, effective
}

/// Model, optimiser and data options shared by `train` and `compare` (the loss and the rate
/// schedule, which `compare`'s recipes set, are ``LossScheduleOptions``).
struct TrainOptions: ParsableArguments {
    @OptionGroup var data: DataFileOptions

    @Option(help: "Held-out data: an HDF5 file with the same dataset paths.")
    var test: String?

    @Option(parsing: .unconditional, help: "Without --test, hold out this share of each class (stratified).")
    var testSplit: Double = 0.2

    @Option(parsing: .unconditionalSingleValue, help: "Hidden layer width; repeat for depth (--hidden 100 --hidden 50); 0 for a linear model.")
    var hidden: [Int] = [100]

    @Option(help: "Hidden activation: \(ActivationKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var activation: ActivationKind = .relu

    @Option(help: "sgd, adam or adamw.")
    var optimizer: OptimizerKind = .adam

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate of the main phase.")
    var learningRate: Double = 0.01

    @Option(parsing: .unconditional, help: "SGD momentum.")
    var momentum: Double = 0.9

    @Option(parsing: .unconditional, help: "Weight decay (default: 0 for sgd and adam, 0.01 for adamw).")
    var weightDecay: Double?

    @Option(parsing: .unconditional, help: "Batch size B, any size ≥ 1 (default: 32·K, at most 256).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Epochs of the main phase.")
    var epochs: Int = 30

    @Option(parsing: .unconditional, help: "Seed of the weights, the batch stream and the split.")
    var seed: UInt64 = 0

    @OptionGroup var productThreads: ProductThreadsOptions

    @Flag(help: "Accept NaN and infinite feature values instead of refusing the file.")
    var allowNonfinite = false

    @Flag(help: "Read the training rows from the file batch by batch instead of loading them (for data larger than memory); the batches and the model are the same.")
    var stream = false

    @Option(parsing: .unconditional, help: "With --stream: batches gathered per read of the file, so each chunk is decoded once for many rows.")
    var lookahead: Int = 256

    @Option(name: .customLong("cache-mb"), parsing: .unconditional, help: "With --stream: memory for decoded features, in MiB: the classes pinned by --pin-mb, the rest for decoded chunks kept between reads.")
    var cacheMegabytes: Int = 64

    @Option(name: .customLong("pin-mb"), parsing: .unconditional, help: "With --stream: the part of --cache-mb (default: half of it) for whole classes held decoded in memory, smallest classes first, read once; a balanced epoch draws the rare classes many times over.")
    var pinMegabytes: Int?

    @Option(help: ArgumentHelp(
        "With --stream: the order of each class's pass: exact (uniform shuffles) or chunked[:W] (chunk by chunk in a shuffled chunk order, shuffled within windows of W chunks, default 4; each chunk decoded about once per pass).",
        valueName: "order"), transform: SampleOrderOption.parse)
    var order: SampleOrderOption = .exact

    func validate() throws {
        guard testSplit >= 0 && testSplit < 1 else {
            throw ValidationError("--test-split must be in [0, 1), got \(testSplit)")
        }
        guard !hidden.contains(where: { $0 < 0 }) else {
            throw ValidationError("--hidden widths must be 0 or more, got \(hidden.map(String.init).joined(separator: ", "))")
        }
        guard learningRate > 0 && learningRate.isFinite else { throw ValidationError("--lr must be a positive number, got \(learningRate)") }
        guard momentum >= 0 && momentum.isFinite else { throw ValidationError("--momentum must be 0 or more, got \(momentum)") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) {
            throw ValidationError("--weight-decay must be 0 or more, got \(weightDecay)")
        }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard epochs >= 0 else { throw ValidationError("--epochs must be 0 or more, got \(epochs)") }
        guard lookahead >= 1 else { throw ValidationError("--lookahead must be at least 1, got \(lookahead)") }
        guard cacheMegabytes >= 0 else { throw ValidationError("--cache-mb must be 0 or more, got \(cacheMegabytes)") }
        if let pinMegabytes {
            guard pinMegabytes >= 0 && pinMegabytes <= cacheMegabytes else {
                throw ValidationError("--pin-mb must be between 0 and --cache-mb (\(cacheMegabytes)), got \(pinMegabytes)")
            }
            guard stream else { throw ValidationError("--pin-mb holds classes of a --stream run in memory; without --stream every row is in memory already") }
        }
        if order != .exact && !stream {
            throw ValidationError("--order \(order) reads the file chunk by chunk; it needs --stream (without it the rows are in memory and the order is exact)")
        }
    }

    /// MiB of --cache-mb for pinned classes.
    var pinnedMegabytes: Int { pinMegabytes ?? cacheMegabytes / 2 }

    /// Training and held-out data with one class count covering both. Each file is opened
    /// once; the held-out part (--test FILE, or a stratified --test-split of the training
    /// file) is read into memory; with `--stream` the training rows stay in the file.
    func loadData() throws -> TrainingData {
        let reading: FeatureReading = stream ? .stream(chunkCacheBudget: (cacheMegabytes - pinnedMegabytes) << 20) : .memory
        var training = try data.open(reading: reading, allowNonfinite: allowNonfinite)
        var test = try self.test.map { try data.open($0, reading: .memory, allowNonfinite: allowNonfinite) }
        if test == nil && testSplit > 0 {
            (training, test) = try training.stratifiedSplit(testFraction: testSplit, seed: seed)
        }
        if let test, test.dimension != training.dimension {
            throw ValidationError("\(self.test ?? data.file) has \(test.dimension) features per row but \(data.file) has \(training.dimension); expected the same")
        }
        let k = max(training.classCount, test?.classCount ?? 0)
        training = try training.withClassCount(k)
        if stream { training = try training.pinningClasses(budgetBytes: pinnedMegabytes << 20) }
        return TrainingData(
            training: training, test: try test?.withClassCount(k).materialize(),
            chunkedOrder: try order.chunkedOrder(for: training, file: data.file, featuresPath: data.features))
    }

    /// The trainer's configuration for these options and `k` classes, with the default loss
    /// and a constant rate (``LossScheduleOptions/apply(to:)`` sets `train`'s).
    func configuration(classCount k: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.hidden = hidden.filter { $0 > 0 }
        c.activation = Activation(activation)
        c.optimizer = optimizer
        c.learningRate = learningRate
        c.momentum = momentum
        c.weightDecay = weightDecay
        c.batchSize = batchSize ?? min(32 * k, 256)
        c.epochs = epochs
        c.seed = seed
        return c
    }
}

/// The loss and the learning-rate schedule of `train`. `compare`'s recipes set these
/// themselves: it takes them hidden, only to refuse them by name.
struct LossScheduleOptions: ParsableArguments {
    @Option(help: "cross-entropy (log-softmax and NLL fused), nll (explicit log-softmax, then NLL), logit-adjusted (cross-entropy of logits + τ·log π in training, Menon et al. 2021) or balanced-softmax (Ren et al. 2020, the τ = 1 case).")
    var loss: LossKind = .crossEntropy

    @Option(parsing: .unconditional, help: "τ of --loss logit-adjusted, any finite number (default 1).")
    var tau: Double = 1

    @Option(help: "Per-class loss weights: none, inverse (N/(K·n_c)) or effective (Cui et al. 2019, with --beta).")
    var classWeights: ClassWeightsOption = .none

    @Option(parsing: .unconditional, help: "β in [0, 1) for --class-weights effective.")
    var beta: Double = 0.999

    @Option(name: .customLong("lr-schedule"), help: ArgumentHelp(
        "How the main phase's rate changes per epoch (default: constant): constant, step:EPOCHS:GAMMA (PyTorch's StepLR) or cosine[:ETA_MIN] (CosineAnnealingLR over the phase's epochs).",
        valueName: "lr-schedule"), transform: { try LearningRateSchedule(parsing: $0) })
    var learningRateSchedule: LearningRateSchedule = .constant

    @Option(name: .customLong("finetune-lr"), parsing: .unconditional, help: "Learning rate of the fine-tune phase (default: a tenth of --lr).")
    var finetuneLearningRate: Double?

    func validate() throws {
        if let finetuneLearningRate, !(finetuneLearningRate > 0 && finetuneLearningRate.isFinite) {
            throw ValidationError("--finetune-lr must be a positive number, got \(finetuneLearningRate)")
        }
        guard beta >= 0 && beta < 1 else { throw ValidationError("--beta must be in [0, 1), got \(beta)") }
        guard tau.isFinite else { throw ValidationError("--tau must be a finite number, got \(tau)") }
    }

    /// The flags of these options given other values than their defaults.
    var changedFlags: [String] {
        [("--loss", loss != .crossEntropy), ("--tau", tau != 1), ("--class-weights", classWeights != .none),
         ("--beta", beta != 0.999), ("--lr-schedule", learningRateSchedule != .constant),
         ("--finetune-lr", finetuneLearningRate != nil)].filter(\.1).map(\.0)
    }

    /// Sets the loss, its class weights and the rate schedule of `c`.
    func apply(to c: inout TrainingConfiguration) {
        c.loss = loss
        c.logitAdjustmentTau = tau
        switch classWeights {
        case .none: c.classWeighting = .none
        case .inverse: c.classWeighting = .inverse
        case .effective: c.classWeighting = .effective(beta: beta)
        }
        c.learningRateSchedule = learningRateSchedule
        c.finetuneLearningRate = finetuneLearningRate
    }
}

/// What a training run reads: the training rows (in memory or in the file) and the held-out
/// data, with the same class count.
struct TrainingData {
    var training: LabelledSource
    var test: LabelledDataset?
    /// The locality order of the training rows (`--order chunked`), or `nil` for the exact order.
    var chunkedOrder: ChunkedOrder? = nil

    var classCount: Int { training.classCount }
    var dimension: Int { training.dimension }
    /// n_c of the training rows.
    var classCounts: [Int] { training.labels.counts }
}
