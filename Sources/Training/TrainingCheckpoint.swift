import Datasets

/// Everything a ``Trainer`` needs to continue a run where it stopped, so that the resumed run
/// ends with the very weights (bit for bit) of one that was never interrupted: the model's
/// parameters and random generators, the optimizer's per-parameter state, the learning-rate
/// schedule's position, where the batch stream stands, and a fingerprint of what must be the
/// same on resume (data, schedule, loss, optimizer, architecture).
///
/// A checkpoint is taken between epochs (``CheckpointPolicy``), so the stream resumes at the
/// first batch of ``nextEpoch``; the batch stream itself needs nothing else, since
/// `(seed, epoch)` fixes every batch (``Sampling/BatchSchedule/seek(epoch:batch:)``).
///
/// ```swift
/// var last: TrainingCheckpoint?
/// let policy = try CheckpointPolicy(every: 5) { last = $0 }      // or write it: archive
/// _ = try trainer.fit(source: train, labels: train.labels, checkpoints: policy)
/// // … later, in another process, with a trainer built the same way:
/// _ = try fresh.fit(source: train, labels: train.labels, resumingFrom: last)
/// ```
///
/// ``archive`` and ``init(archive:)`` turn it into the tensors and attributes of an HDF5
/// file (``Datasets/writeTensorArchive(_:to:overwrite:)``) and back.
public struct TrainingCheckpoint: Sendable, Equatable {
    /// The epoch the resumed run starts with (epochs count over all phases; the epochs before
    /// it are done).
    public var nextEpoch: Int
    /// The phase of the last epoch done (epoch `nextEpoch − 1`).
    public var phaseIndex: Int
    /// That phase's learning-rate schedule after its last epoch (before the step that follows).
    public var learningRate: LearningRateScheduler.State
    /// The model's parameters in ``Classifier/parameters`` order, each named as its
    /// ``Parameter/name``, shape `[rows, columns]`.
    public var parameters: [NamedTensor]
    /// The optimizer's per-parameter state, by position in ``Classifier/parameters``.
    public var optimizer: OptimizerState
    /// The model's random generators (``Classifier/generatorStates``).
    public var generators: [Xoshiro256StarStar]
    /// What the run was; a resume must match it.
    public var fingerprint: TrainingFingerprint

    /// A checkpoint (``Trainer`` makes them; tests and tools may too).
    public init(
        nextEpoch: Int, phaseIndex: Int, learningRate: LearningRateScheduler.State, parameters: [NamedTensor],
        optimizer: OptimizerState, generators: [Xoshiro256StarStar], fingerprint: TrainingFingerprint
    ) {
        self.nextEpoch = nextEpoch
        self.phaseIndex = phaseIndex
        self.learningRate = learningRate
        self.parameters = parameters
        self.optimizer = optimizer
        self.generators = generators
        self.fingerprint = fingerprint
    }
}

/// When a ``Trainer`` takes a checkpoint, and what it does with it.
public struct CheckpointPolicy {
    /// Epochs between checkpoints: one is taken after every epoch e with (e + 1) divisible by
    /// it, and after the last epoch.
    public let every: Int
    /// Receives each checkpoint, on the training thread; what it throws ends the run.
    public let save: (TrainingCheckpoint) throws -> Void

    /// A policy.
    ///
    /// - Parameters:
    ///   - every: Epochs between checkpoints, at least 1.
    ///   - save: Stores the checkpoint (write it atomically: a crash while writing must leave
    ///     the previous one).
    /// - Throws: ``TrainingError/invalidParameter(_:)`` when `every` is below 1.
    public init(every: Int = 1, save: @escaping (TrainingCheckpoint) throws -> Void) throws {
        guard every >= 1 else {
            throw TrainingError.invalidParameter("checkpoints must be at least 1 epoch apart, got \(every)")
        }
        self.every = every
        self.save = save
    }

    /// Whether to take a checkpoint after epoch `epoch` of `total`.
    func isDue(afterEpoch epoch: Int, of total: Int) -> Bool {
        (epoch + 1) % every == 0 || epoch + 1 == total
    }
}

/// What must be the same for a checkpoint to resume a run: the training data (its shape,
/// class counts and a hash of its labels) and every setting that changes the batches or the
/// steps. Settings that only change what is reported (held-out data, prior correction) are not
/// part of it.
public struct TrainingFingerprint: Sendable, Equatable {
    /// n_c of the training rows (K = its count, N = its sum).
    public var classCounts: [Int]
    /// D, features per row.
    public var dimension: Int
    /// FNV-1a over the training labels in row order (``labelHash(_:)``).
    public var labelHash: UInt64
    /// The phases, as ``TrainingPhase/description`` spells them, comma separated.
    public var schedule: String
    /// The run's main learning rate.
    public var learningRate: Double
    /// B.
    public var batchSize: Int
    /// The run's seed.
    public var seed: UInt64
    /// `rank/world size`.
    public var shard: String
    /// The loss, with τ for the logit-adjusted one.
    public var loss: String
    /// The class weighting of the loss.
    public var classWeights: String
    /// The optimizer and its settings.
    public var optimizer: String
    /// ``Classifier/architectureDescription``.
    public var model: String

    /// A fingerprint.
    public init(
        classCounts: [Int], dimension: Int, labelHash: UInt64, schedule: String, learningRate: Double, batchSize: Int,
        seed: UInt64, shard: String, loss: String, classWeights: String, optimizer: String, model: String
    ) {
        self.classCounts = classCounts
        self.dimension = dimension
        self.labelHash = labelHash
        self.schedule = schedule
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.shard = shard
        self.loss = loss
        self.classWeights = classWeights
        self.optimizer = optimizer
        self.model = model
    }

    /// FNV-1a (64-bit) over the labels' little-endian bytes: cheap, and any change of a label
    /// or of the rows' order changes it with overwhelming probability.
    ///
    /// - Complexity: O(N).
    public static func labelHash(_ labels: [Int32]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for label in labels {
            var bits = UInt32(bitPattern: label).littleEndian
            for _ in 0..<4 {
                hash = (hash ^ UInt64(bits & 0xff)) &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return hash
    }

    /// How the run `current` differs from the one this fingerprint was taken of: the first
    /// difference of the data (K, then D, N, the class counts, the labels; the later ones
    /// follow from the earlier), then every differing setting.
    public func mismatches(against current: TrainingFingerprint) -> [FingerprintMismatch] {
        var found = [FingerprintMismatch]()
        func text(_ counts: [Int]) -> String { counts.map(String.init).joined(separator: ", ") }
        let data: [(FingerprintMismatch.Field, String, String)] = [
            (.classes, String(classCounts.count), String(current.classCounts.count)),
            (.features, String(dimension), String(current.dimension)),
            (.rows, String(classCounts.reduce(0, +)), String(current.classCounts.reduce(0, +))),
            (.classCounts, text(classCounts), text(current.classCounts)),
            (.labels, String(labelHash, radix: 16), String(current.labelHash, radix: 16)),
        ]
        if let first = data.first(where: { $0.1 != $0.2 }) {
            found.append(FingerprintMismatch(field: first.0, checkpoint: first.1, run: first.2))
        }
        let settings: [(FingerprintMismatch.Field, String, String)] = [
            (.schedule, schedule, current.schedule),
            (.learningRate, String(learningRate), String(current.learningRate)),
            (.batchSize, String(batchSize), String(current.batchSize)),
            (.seed, String(seed), String(current.seed)),
            (.shard, shard, current.shard),
            (.loss, loss, current.loss),
            (.classWeights, classWeights, current.classWeights),
            (.optimizer, optimizer, current.optimizer),
            (.model, model, current.model),
        ]
        for (field, saved, now) in settings where saved != now {
            found.append(FingerprintMismatch(field: field, checkpoint: saved, run: now))
        }
        return found
    }
}

/// One way a checkpoint's run differs from the run that wants to resume it.
public struct FingerprintMismatch: Sendable, Equatable, CustomStringConvertible {
    /// What differs.
    public enum Field: String, Sendable, CaseIterable {
        case classes = "classes"
        case features = "features per row"
        case rows = "training rows"
        case classCounts = "class counts"
        case labels = "training labels"
        case schedule = "schedule"
        case learningRate = "learning rate"
        case batchSize = "batch size"
        case seed = "seed"
        case shard = "shard"
        case loss = "loss"
        case classWeights = "class weights"
        case optimizer = "optimizer"
        case model = "model"
    }

    /// What differs.
    public var field: Field
    /// The checkpoint's value, in words.
    public var checkpoint: String
    /// The current run's value, in words.
    public var run: String

    /// A difference.
    public init(field: Field, checkpoint: String, run: String) {
        self.field = field
        self.checkpoint = checkpoint
        self.run = run
    }

    /// `the checkpoint was made with schedule balanced:5 but this run has balanced:6`, `… on
    /// data with 3 classes but the data has 4`, `the training labels differ from the
    /// checkpoint's`; ``describe(naming:)`` lets a caller name the setting its own way.
    public var description: String { describe(naming: field.rawValue) }

    /// The description, with the setting called `name` (a command-line flag, say).
    public func describe(naming name: String) -> String {
        switch field {
        case .labels:
            return "the training labels differ from the checkpoint's (same class counts, other labels or order)"
        case .classes, .features, .rows:
            return "the checkpoint was made on data with \(checkpoint) \(name) but the data has \(run)"
        case .classCounts:
            return "the checkpoint was made on data with \(name) \(checkpoint) but the data has \(run)"
        default:
            return "the checkpoint was made with \(name) \(checkpoint) but this run has \(run)"
        }
    }
}

/// Why a checkpoint cannot be used; the description says what is wrong (the caller adds the
/// file name).
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The archive is not a checkpoint of this package (another format, e.g. a saved model).
    case notACheckpoint(String)
    /// The archive says it is a checkpoint but lacks or garbles something.
    case damaged(String)
    /// The checkpoint is of another run.
    case mismatch([FingerprintMismatch])
    /// The checkpoint's tensors or states do not fit the model or the schedule.
    case doesNotFit(String)

    public var description: String {
        switch self {
        case .notACheckpoint(let reason): return "not a training checkpoint: \(reason)"
        case .damaged(let reason): return "the checkpoint is damaged: \(reason)"
        case .mismatch(let differences): return differences.map(\.description).joined(separator: "; ")
        case .doesNotFit(let reason): return reason
        }
    }
}
