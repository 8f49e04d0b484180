import Datasets

/// Counts, frequencies, imbalance, and what an epoch of a policy does to each class.
///
/// For a quota policy the epoch is T = b·B draws with quotas Q_c (see ``EpochPlan``); class
/// c's repetition is Q_c / n_c (how many times an average sample of c is drawn per epoch) and,
/// because a class's draws are whole passes of its buffer plus part of one, its samples are
/// drawn ⌊Q_c / n_c⌋ or ⌈Q_c / n_c⌉ times each. With a fixed epoch length a class with
/// Q_c < n_c sees only the share Q_c / n_c of its samples in an epoch.
///
/// Natural epochs draw every sample once (cover) or draws/N on average; weighted epochs draw
/// with replacement, so their per-sample counts are random and not given.
public struct BalanceStatistics: Sendable, Equatable {
    /// Per-class figures, in label order.
    public struct ClassFigures: Sendable, Equatable {
        public var label: Int
        public var count: Int
        /// n_c / N.
        public var frequency: Double
        /// Q_c, draws of this class per epoch (for weighted epochs the expected number, rounded).
        public var quota: Int
        /// quota / n_c (for a repeat-factor group, quota / g_c; 0 for an empty group).
        public var repetition: Double
        /// Fewest, median and most draws of one sample of the class per epoch (`nil` for
        /// weighted epochs, where they are random, and for a repeat-factor group with no sample).
        public var drawsMin: Int?
        public var drawsMedian: Double?
        public var drawsMax: Int?
        /// Share of the class's samples drawn at least once per epoch, min(1, Q_c / n_c)
        /// (`nil` for weighted epochs).
        public var seenShare: Double?
        /// N / (K·n_c).
        public var weightInverse: Double
        /// Effective-number weight for ``beta``.
        public var weightEffective: Double
    }

    /// N.
    public var sampleCount: Int
    /// K.
    public var classCount: Int
    /// max n_c / min n_c.
    public var imbalanceRatio: Double
    /// B.
    public var batchSize: Int
    /// The policy the epoch figures are for.
    public var policy: SamplingPolicy
    /// The epoch length.
    public var epochLength: EpochLength
    /// β used for the effective-number weights.
    public var beta: Double
    /// T, draws per epoch before padding.
    public var epochDraws: Int
    /// Batches per epoch of ``policy`` before padding.
    public var batchesPerEpoch: Int
    /// Batches of a natural (fine-tune) epoch: ⌈N / B⌉ (⌊N / B⌋ with drop-last).
    public var naturalBatchesPerEpoch: Int
    /// One entry per class.
    public var perClass: [ClassFigures]

    /// Computes the figures.
    ///
    /// - Parameters:
    ///   - counts: n_c for every class, each positive.
    ///   - batchSize: B ≥ 1.
    ///   - policy: The policy whose epoch is described (for ``SamplingPolicy/progressive``,
    ///     epoch `epochInPhase` of `phaseEpochs`).
    ///   - epochLength: The epoch length.
    ///   - beta: β in [0, 1) for the effective-number weights.
    ///   - dropLast: Whether natural and weighted epochs drop a smaller last batch.
    ///   - epochInPhase: e, for progressive.
    ///   - phaseEpochs: E, for progressive.
    ///   - naturalSamples: N for natural and weighted epochs when samples carry several labels
    ///     (`counts` are then the labels' counts, summing to more); `nil` for Σ n_c.
    ///   - groupCounts: For repeat factor with several labels a sample, g_c, the samples whose
    ///     rarest label is c (``Datasets/MultiLabels/rarestLabelCounts``): quotas and per-sample
    ///     draws are then those of the groups (a label no sample has as its rarest gets none).
    ///   - seed: The schedule's seed: a repeat-factor `cover` epoch's length is random, and the
    ///     figures are those of epoch 0 of this seed.
    /// - Throws: ``SamplingError`` for an empty class, a bad batch size or epoch length, a
    ///   policy parameter out of range, or β outside [0, 1).
    /// - Complexity: O(K log K).
    public init(
        counts: [Int], batchSize: Int, policy: SamplingPolicy = .balanced, epochLength: EpochLength = .cover,
        beta: Double = 0.999, dropLast: Bool = false, epochInPhase: Int = 0, phaseEpochs: Int = 1,
        naturalSamples: Int? = nil, groupCounts: [Int]? = nil, seed: UInt64 = 0
    ) throws {
        let k = counts.count
        guard k >= 1 else { throw SamplingError.invalidParameter("there are no classes") }
        if let empty = counts.firstIndex(where: { $0 <= 0 }) {
            throw DatasetError.emptyClass(label: empty, classCount: k)
        }
        let plan = try EpochPlan(
            policy: policy, counts: counts, batchSize: batchSize, length: epochLength,
            epochInPhase: epochInPhase, phaseEpochs: phaseEpochs, dropLast: dropLast, sampleCount: naturalSamples,
            seed: BatchSchedule.epochSeed(seed, 0, BatchSchedule.repeatPurpose), groupCounts: groupCounts)
        let natural = try EpochPlan(policy: .natural, counts: counts, batchSize: batchSize, dropLast: dropLast, sampleCount: naturalSamples)
        let n = counts.reduce(0, +)
        let inverse = try ClassWeights.inverseFrequency(counts: counts)
        let effective = try ClassWeights.effectiveNumber(counts: counts, beta: beta)
        self.sampleCount = n
        self.classCount = k
        self.imbalanceRatio = Double(counts.max() ?? 0) / Double(counts.min() ?? 1)
        self.batchSize = batchSize
        self.policy = policy
        self.epochLength = epochLength
        self.beta = beta
        self.epochDraws = plan.draws
        self.batchesPerEpoch = plan.batchCount
        self.naturalBatchesPerEpoch = natural.batchCount
        self.perClass = counts.enumerated().map { c, count in
            var figures = ClassFigures(
                label: c, count: count, frequency: Double(count) / Double(n), quota: 0, repetition: 0,
                weightInverse: inverse[c], weightEffective: effective[c])
            var drawnFrom = count
            switch policy {
            case .weighted:
                figures.quota = Int((Double(plan.draws) / Double(k)).rounded())
            case .natural:
                // A permutation, continued around for longer epochs: whole passes plus a share.
                figures.quota = Int((Double(plan.draws) * Double(count) / Double(n)).rounded())
                figures.setPassFigures(draws: plan.draws, of: n)
            case .power, .progressive, .repeatFactor:
                figures.quota = plan.quotas[c]
                if policy.isRepeatFactor, let groupCounts { drawnFrom = groupCounts[c] }
                if drawnFrom > 0 { figures.setPassFigures(draws: plan.quotas[c], of: drawnFrom) }
            }
            figures.repetition = drawnFrom > 0 ? Double(figures.quota) / Double(drawnFrom) : 0
            return figures
        }
    }
}

extension BalanceStatistics.ClassFigures {
    /// Per-sample figures for `draws` taken as passes over `size` items: ⌊d/s⌋ each, one more
    /// for d mod s of them.
    fileprivate mutating func setPassFigures(draws: Int, of size: Int) {
        let low = draws / size, extra = draws % size
        drawsMin = extra == size ? low + 1 : low
        drawsMax = extra > 0 ? low + 1 : low
        // Sorted: size − extra values `low`, then extra values `low + 1`.
        func value(at i: Int) -> Double { Double(i < size - extra ? low : low + 1) }
        drawsMedian = size % 2 == 1 ? value(at: size / 2) : (value(at: size / 2 - 1) + value(at: size / 2)) / 2
        seenShare = Swift.min(1, Double(draws) / Double(size))
    }
}
