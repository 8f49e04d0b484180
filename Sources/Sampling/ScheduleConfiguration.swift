/// How many draws an epoch of a quota policy makes.
public enum EpochLength: Sendable, Hashable, CustomStringConvertible {
    /// The smallest T, a multiple of B, with T·p_c ≥ n_c for every class, so every quota is at
    /// least n_c and no sample is left unseen (for ``SamplingPolicy/balanced`` that is K·M
    /// rounded up to B, M the largest class; for ``SamplingPolicy/repeatFactor(_:)`` each
    /// sample ⌊r⌋ times plus once with probability r − ⌊r⌋, so T varies from epoch to epoch).
    /// For ``SamplingPolicy/natural`` and ``SamplingPolicy/weighted``: N draws.
    case cover
    /// S draws (rounded up to a multiple of B for quota policies).
    case samples(Int)
    /// N batches of B.
    case batches(Int)

    /// Parses `cover`, `samples:S` or `batches:N`.
    ///
    /// - Throws: ``SamplingError/invalidParameter(_:)`` naming what was wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        switch (parts[0].lowercased(), parts.count > 1 ? parts[1] : nil) {
        case ("cover", nil):
            self = .cover
        case ("samples", let value?):
            guard let s = Int(value), s >= 1 else {
                throw SamplingError.invalidParameter("epoch length \"\(text)\": samples:S needs a whole number S ≥ 1")
            }
            self = .samples(s)
        case ("batches", let value?):
            guard let b = Int(value), b >= 1 else {
                throw SamplingError.invalidParameter("epoch length \"\(text)\": batches:N needs a whole number N ≥ 1")
            }
            self = .batches(b)
        default:
            throw SamplingError.invalidParameter("unknown epoch length \"\(text)\"; expected cover, samples:S or batches:N")
        }
    }

    public var description: String {
        switch self {
        case .cover: return "cover"
        case .samples(let s): return "samples:\(s)"
        case .batches(let b): return "batches:\(b)"
        }
    }
}

/// One phase of a schedule: a policy for a number of epochs.
public struct SchedulePhase: Sendable, Hashable, CustomStringConvertible {
    /// How the phase's epochs draw.
    public var policy: SamplingPolicy
    /// E, epochs of the phase (0 or more).
    public var epochs: Int

    /// - Parameters:
    ///   - policy: How the phase's epochs draw.
    ///   - epochs: E ≥ 0.
    public init(_ policy: SamplingPolicy, epochs: Int) {
        self.policy = policy
        self.epochs = epochs
    }

    /// `POLICY:EPOCHS`.
    public var description: String { "\(policy.rawValue):\(epochs)" }

    /// Parses a schedule: phases `POLICY:EPOCHS`, comma separated (`"balanced:30,natural:2"`;
    /// a policy with a parameter reads `power:0.5:10`, `repeat:0.001:12`).
    ///
    /// - Throws: ``SamplingError/invalidParameter(_:)`` naming the phase that is malformed.
    public static func parseSchedule(_ text: String) throws -> [SchedulePhase] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingWhitespace()
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-+e")
        return try items.enumerated().map { position, item in
            guard item.allSatisfy(allowed.contains), let colon = item.lastIndex(of: ":"), let epochs = Int(item[item.index(after: colon)...]), epochs >= 1 else {
                throw SamplingError.invalidParameter(
                    "schedule phase \(position + 1) \"\(item)\" is malformed; expected POLICY:EPOCHS with EPOCHS ≥ 1, phases separated by commas, e.g. balanced:30,natural:2")
            }
            let policy: SamplingPolicy
            do {
                policy = try SamplingPolicy(parsing: String(item[..<colon]))
            } catch let error as SamplingError {
                throw SamplingError.invalidParameter("schedule phase \(position + 1) \"\(item)\": \(error)")
            }
            return SchedulePhase(policy, epochs: epochs)
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let first = s.first, first == " " { s.removeFirst() }
        while let last = s.last, last == " " { s.removeLast() }
        return String(s)
    }
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
    /// B, any size ≥ 1.
    public var batchSize: Int
    /// The phases, in order; epochs are numbered from 0 across them.
    public var phases: [SchedulePhase]
    /// Draws per epoch of the quota policies (and of natural and weighted epochs).
    public var epochLength: EpochLength
    /// Drop the smaller last batch of natural and weighted epochs.
    public var dropLast: Bool
    /// Fixes every random choice: `(seed, epoch)` determines an epoch.
    public var seed: UInt64
    /// This process's share.
    public var shard: Shard
    /// The locality order of every pass and natural permutation (``ChunkedOrder``), or `nil`
    /// for the exact order: uniform shuffles. Weighted epochs draw with replacement either way.
    public var chunkedOrder: ChunkedOrder? = nil

    /// A schedule of phases.
    ///
    /// - Parameters:
    ///   - batchSize: B ≥ 1.
    ///   - phases: Policies and their epochs, in order.
    ///   - epochLength: Draws per epoch (`cover` by default).
    ///   - dropLast: Drop the smaller last batch of natural and weighted epochs.
    ///   - seed: Names every random stream.
    ///   - shard: This process's share of the batches.
    public init(
        batchSize: Int, phases: [SchedulePhase], epochLength: EpochLength = .cover, dropLast: Bool = false,
        seed: UInt64 = 0, shard: Shard = .single
    ) {
        self.batchSize = batchSize
        self.phases = phases
        self.epochLength = epochLength
        self.dropLast = dropLast
        self.seed = seed
        self.shard = shard
    }

    /// The short form `SAMPLER:E, natural:F`: `epochs` epochs of `sampler`, then
    /// `finetuneEpochs` real-frequency epochs so a model learns the priors back (the course
    /// notes' recipe). The two phases are kept even when one has 0 epochs, so the fine-tune
    /// phase is always phase 1.
    public init(
        batchSize: Int, sampler: SamplingPolicy = .balanced, epochs: Int = 1, finetuneEpochs: Int = 0,
        epochLength: EpochLength = .cover, dropLast: Bool = false, seed: UInt64 = 0, shard: Shard = .single
    ) {
        self.init(
            batchSize: batchSize,
            phases: [SchedulePhase(sampler, epochs: epochs), SchedulePhase(.natural, epochs: finetuneEpochs)],
            epochLength: epochLength, dropLast: dropLast, seed: seed, shard: shard)
    }

    /// Epochs of all phases.
    public var totalEpochs: Int { phases.reduce(0) { $0 + Swift.max(0, $1.epochs) } }
}
