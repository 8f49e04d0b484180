import ArgumentParser
import Datasets
import Foundation
import Sampling
import Training

/// The labelled HDF5 file a command reads, and where its datasets are.
struct DataFileOptions: ParsableArguments {
    @Argument(help: "An HDF5 file with a features dataset [N, D] and a labels dataset [N].")
    var file: String

    @Option(help: "Path of the features dataset inside the file.")
    var features: String = "/features"

    @Option(help: "Path of the labels dataset inside the file.")
    var labels: String = "/labels"

    @Option(parsing: .unconditional, help: "Number of classes K (default: the largest label + 1). Labels must lie in 0..<K.")
    var classes: Int?

    func validate() throws {
        if let classes, classes < 1 {
            throw ValidationError("--classes must be at least 1, got \(classes)")
        }
    }

    /// Probes `file` in a child process (see ``FileProbe``), then opens it once with
    /// ``openLabelledFile(path:featuresPath:labelsPath:classCount:allowNonfinite:reading:)``.
    func open(_ file: String? = nil, reading: FeatureReading, allowNonfinite: Bool = false) throws -> LabelledSource {
        let path = file ?? self.file
        try FileProbe.check(path, scope: .data(features: features, labels: labels))
        return try openLabelledFile(
            path: path, featuresPath: features, labelsPath: labels, classCount: classes,
            allowNonfinite: allowNonfinite, reading: reading)
    }

    /// The class counts of `file`, its labels checked as ``open(_:reading:allowNonfinite:)``
    /// checks them but not kept (memory O(K) whatever N is).
    func classCounts() throws -> [Int] {
        try FileProbe.check(file, scope: .data(features: features, labels: labels))
        return try labelledFileClassCounts(path: file, featuresPath: features, labelsPath: labels, classCount: classes)
    }

    /// Probes `file` as ``open(_:reading:allowNonfinite:)`` does, then reads the labels dataset
    /// as an [N, K] 0/1 matrix (``loadMultiLabels(path:labelsPath:)``); `--classes`, if given,
    /// must equal K.
    func openMultiLabels() throws -> MultiLabels {
        try FileProbe.check(file, scope: .data(features: features, labels: labels))
        let multiLabels = try loadMultiLabels(path: file, labelsPath: labels)
        if let classes, classes != multiLabels.labelCount {
            throw ValidationError("--classes \(classes) disagrees with the \(multiLabels.labelCount) columns of '\(labels)' read by --multi-label; drop --classes")
        }
        return multiLabels
    }
}

/// `--threads`: how many threads share the large matrix products (train, compare, predict,
/// evaluate).
struct ProductThreadsOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads for the large matrix products, 1 to 256. With 1 (the default) the other core is left to reading and assembling batches; with 2 or more each product of 2²² multiply-adds or more is split in bands of rows, one a thread, with the same results (Linux; on macOS Accelerate chooses its own threads).")
    var threads: Int = 1

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
    }

    /// Sets the threads of the large matrix products (``Training/Matrix/setProductThreadCount(_:)``).
    func configure() throws {
        try Matrix.setProductThreadCount(threads)
    }
}

/// Rank and world size for sharded runs: flags first, then the environment of common launchers.
struct ShardOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "This process's rank in 0..<world-size (default: $RANK or $OMPI_COMM_WORLD_RANK, else 0).")
    var rank: Int?

    @Option(parsing: .unconditional, help: "Number of processes sharing the batches (default: $WORLD_SIZE or $OMPI_COMM_WORLD_SIZE, else 1).")
    var worldSize: Int?

    /// The shard to use, from flags or the launcher's environment.
    ///
    /// - Throws: `ValidationError` naming the flag or variable that is not a valid number or is
    ///   out of range.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard {
        let (rank, rankSource) = try value(flag: self.rank, flagName: "--rank", variables: ["RANK", "OMPI_COMM_WORLD_RANK"], environment: environment, fallback: 0)
        let (size, sizeSource) = try value(flag: worldSize, flagName: "--world-size", variables: ["WORLD_SIZE", "OMPI_COMM_WORLD_SIZE"], environment: environment, fallback: 1)
        guard size >= 1 else { throw ValidationError("\(sizeSource) must be at least 1, got \(size)") }
        guard rank >= 0 && rank < size else {
            throw ValidationError("\(rankSource) \(rank) is out of range; expected 0..<\(size) (\(sizeSource) is \(size))")
        }
        return try Shard(rank: rank, worldSize: size)
    }

    private func value(flag: Int?, flagName: String, variables: [String], environment: [String: String], fallback: Int) throws -> (Int, String) {
        if let flag { return (flag, flagName) }
        for name in variables {
            if let text = environment[name] {
                guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("environment variable \(name)=\"\(text)\" is not a whole number")
                }
                return (number, "$\(name)")
            }
        }
        return (fallback, flagName)
    }
}

extension SamplingPolicy: ExpressibleByArgument {}

/// Batch size, policy, epoch length and phases, shared by `sample` and `balance-stats`.
struct SamplingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Batch size B ≥ 1, any size (default: 256, or N if smaller).")
    var batchSize: Int?

    @Option(help: ArgumentHelp(
        "How the main phase samples: balanced, sqrt, power:Q (Q in [0, 1]), instance, progressive, repeat:T (T > 0), natural or weighted.",
        valueName: "policy"), transform: { try SamplingPolicy(parsing: $0) })
    var sampler: SamplingPolicy?

    @Option(help: ArgumentHelp(
        "Draws per epoch: cover (every sample at least once), samples:S or batches:N.", valueName: "length"),
        transform: { try EpochLength(parsing: $0) })
    var epochLength: EpochLength = .cover

    @Option(help: ArgumentHelp(
        "Phases POLICY:EPOCHS, comma separated, e.g. \"balanced:30,natural:2\" (instead of --sampler/--epochs/--finetune-epochs).",
        valueName: "phases"), transform: { try SchedulePhase.parseSchedule($0) })
    var schedule: [SchedulePhase]?

    @Flag(help: "Read the labels dataset as [N, K] 0/1 (any integer type or bool), several labels a sample.")
    var multiLabel = false

    /// The batch size to use for N samples.
    func batchSize(samples n: Int) -> Int { batchSize ?? Swift.min(256, n) }

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if schedule != nil && sampler != nil {
            throw ValidationError("--schedule gives the phases and their policies; drop --sampler or drop --schedule")
        }
    }
}

/// `--order`: the exact order, or the chunked order with a window of W chunks.
enum SampleOrderOption: Equatable, CustomStringConvertible {
    case exact
    case chunked(window: Int)

    /// Parses `exact`, `chunked` or `chunked:W`.
    ///
    /// - Throws: `ValidationError` saying what was expected.
    static func parse(_ text: String) throws -> SampleOrderOption {
        guard let order = SampleOrderOption(argument: text) else {
            throw ValidationError("expected exact, chunked or chunked:W with W ≥ 1 chunks a window")
        }
        return order
    }

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        switch (parts[0].lowercased(), parts.count > 1 ? Int(parts[1]) : nil) {
        case ("exact", nil) where parts.count == 1: self = .exact
        case ("chunked", nil) where parts.count == 1: self = .chunked(window: ChunkedOrder.defaultWindow)
        case ("chunked", let window?) where window >= 1: self = .chunked(window: window)
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .exact: return "exact"
        case .chunked(let window): return window == ChunkedOrder.defaultWindow ? "chunked" : "chunked:\(window)"
        }
    }

    /// The chunks per window of the chunked order; `nil` for exact.
    var chunkWindow: Int? {
        if case .chunked(let window) = self { return window }
        return nil
    }

    /// The order over `source`'s rows: `nil` for exact; for chunked, the blocks of the file's
    /// chunk layout.
    ///
    /// - Throws: `ValidationError` when the features are not stored in chunks.
    func chunkedOrder(for source: LabelledSource, file: String, featuresPath: String) throws -> ChunkedOrder? {
        guard case .chunked(let window) = self else { return nil }
        guard let blocks = try source.rowBlocks() else {
            throw ValidationError("--order chunked visits the file chunk by chunk, but '\(featuresPath)' in \(file) is not chunked; use --order exact")
        }
        return ChunkedOrder(blocks: blocks, window: window)
    }
}
