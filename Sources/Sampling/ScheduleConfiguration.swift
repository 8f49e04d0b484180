/// How the main phase of a schedule draws its batches.
public enum SamplerKind: String, Sendable, CaseIterable, Codable {
    /// Class-balanced batches from per-class circular buffers (the product's point).
    case balanced
    /// A fresh permutation of all samples each epoch: real class frequencies.
    case natural
    /// With-replacement draws with inverse-frequency weights, as PyTorch's
    /// `WeightedRandomSampler` does; a baseline to compare with.
    case weighted
}

/// What an epoch of a schedule does; also its name in `datatool sample` output.
public enum EpochPhase: String, Sendable, Codable {
    /// Balanced batches (main phase, ``SamplerKind/balanced``).
    case balanced
    /// Real-frequency batches (main phase, ``SamplerKind/natural``).
    case natural
    /// Weighted with-replacement batches (main phase, ``SamplerKind/weighted``).
    case weighted
    /// Real-frequency batches after the main phase, so the model learns the priors back.
    case finetune
}

/// Which share of the batches one process takes: rank `r` of `w` gets global batches
/// `r, r + w, r + 2w, …` of every epoch.
public struct Shard: Sendable, Equatable, Hashable {
    /// This process's rank, in `0..<worldSize`.
    public let rank: Int
    /// The number of processes.
    public let worldSize: Int

    /// A single process.
    public static let single = Shard(unchecked: 0, worldSize: 1)

    /// - Throws: ``SamplingError/invalidParameter(_:)`` unless `worldSize ≥ 1` and
    ///   `0 ≤ rank < worldSize`.
    public init(rank: Int, worldSize: Int) throws {
        guard worldSize >= 1 else {
            throw SamplingError.invalidParameter("world size must be at least 1, got \(worldSize)")
        }
        guard rank >= 0 && rank < worldSize else {
            throw SamplingError.invalidParameter("rank \(rank) is out of range; expected 0..<\(worldSize) for world size \(worldSize)")
        }
        self.rank = rank
        self.worldSize = worldSize
    }

    init(unchecked rank: Int, worldSize: Int) {
        self.rank = rank
        self.worldSize = worldSize
    }
}

/// The parameters of a ``BatchSchedule``.
public struct ScheduleConfiguration: Sendable, Equatable {
    /// B. For ``SamplerKind/balanced`` a positive multiple of the class count K (m = B / K of
    /// each class per batch).
    public var batchSize: Int
    /// How the main phase draws.
    public var sampler: SamplerKind
    /// Epochs of the main phase.
    public var epochs: Int
    /// Real-frequency epochs after the main phase.
    public var finetuneEpochs: Int
    /// Drop the smaller last batch of real-frequency and weighted epochs.
    public var dropLast: Bool
    /// Fixes every random choice: `(seed, epoch)` determines an epoch.
    public var seed: UInt64
    /// This process's share.
    public var shard: Shard

    public init(
        batchSize: Int, sampler: SamplerKind = .balanced, epochs: Int = 1, finetuneEpochs: Int = 0,
        dropLast: Bool = false, seed: UInt64 = 0, shard: Shard = .single
    ) {
        self.batchSize = batchSize
        self.sampler = sampler
        self.epochs = epochs
        self.finetuneEpochs = finetuneEpochs
        self.dropLast = dropLast
        self.seed = seed
        self.shard = shard
    }
}
