import Datasets

/// The batch stream of a training run: a list of phases (a ``SamplingPolicy`` for a number of
/// epochs), each batch a list of sample indices, for any batch size B and class count K.
///
/// **Quota epochs** (every policy but natural and weighted): the epoch's ``EpochPlan`` gives
/// T = b·B draws and quotas Q_c; a ``QuotaApportioner`` splits them so batch j holds
/// ⌊Q_c / b⌋ or ⌈Q_c / b⌉ of class c, the epoch exactly Q_c, and a class's draws after any
/// batch stay within 1 of its share. Samples come from per-class ``ClassBuffer``s, which start
/// a fresh shuffled pass at every epoch and reshuffle when they wrap, so within a class draw
/// counts differ by at most one; each batch is then shuffled (no class blocks). With the
/// `cover` length every sample is drawn at least once an epoch.
///
/// **Several labels a sample** (``init(multiLabels:configuration:)``): the buffers are the
/// labels' (a sample is in the buffer of every label it carries), and PD² ties for a batch's
/// extra slots go to the labels with the fewest appearances so far in the epoch.
///
/// **Repeat factor** (`cover`): each epoch's quotas are n_c·⌊r_c⌋ plus a binomial number of
/// extras drawn from `(seed, epoch)`, so epoch lengths vary (and are known from the seed
/// alone). With several labels a sample, a repeat-factor epoch is instead a shuffled list
/// holding each labelled sample ⌊r⌋ or ⌈r⌉ times, r its rarest label's (detectron2's
/// `RepeatFactorTrainingSampler`), read in runs of B.
///
/// **Natural epochs**: a fresh permutation of all N samples in batches of B, the smaller last
/// batch kept unless `dropLast`. **Weighted epochs**: N with-replacement draws, every class
/// equally likely (PyTorch's `WeightedRandomSampler` with inverse-frequency weights).
///
/// **Determinism and resume.** Every random choice comes from generators named by
/// `(seed, epoch, …)`: a class's passes from `(seed, epoch, class)`, a batch's shuffle from
/// `(seed, epoch, batch)`, the class rotation and a permutation from `(seed, epoch)`. Any
/// batch can be produced directly (``fill(epoch:batch:into:)``); reaching batch j of a quota
/// epoch replays the apportionment and the buffers' draws up to j, which costs less than
/// producing those batches.
///
/// **Sharding.** Rank r of w gets global batches r, r + w, … of each epoch. An epoch whose
/// batch count is not a multiple of w is padded with further batches of the same plan (quota
/// epochs draw them from the same buffers, natural epochs continue around the permutation,
/// weighted epochs draw more). Every rank gets the same number of batches with no
/// communication.
///
/// **Memory.** The labels (shared, not copied) plus one `Int32` per sample of working storage
/// (class buffers or the permutation; for a multi-label repeat-factor epoch one per draw), and
/// O(K) for a plan (O(E·K) for a progressive or repeat-factor `cover` phase of E epochs).
///
/// ```swift
/// var schedule = try BatchSchedule(labels: labels, classCount: 1000,
///     configuration: ScheduleConfiguration(batchSize: 256,
///         phases: [SchedulePhase(.balanced, epochs: 30), SchedulePhase(.natural, epochs: 2)], seed: 1))
/// var indices = [Int32]()
/// while let tag = schedule.next(into: &indices) {
///     // tag.epoch, tag.phaseIndex, tag.policy, tag.batch; indices holds tag.count sample indices
/// }
/// ```
public struct BatchSchedule: Sendable {
    /// The parameters.
    public let configuration: ScheduleConfiguration
    /// n_c, in label order.
    public let counts: [Int]
    /// N.
    public let sampleCount: Int
    /// K.
    public var classCount: Int { counts.count }
    /// Epochs of all phases.
    public var totalEpochs: Int { phaseStarts[phaseStarts.count - 1] }

    let labels: Labels
    /// Each label's appearances so far in the loaded quota epoch (several labels a sample).
    var appearances: [Int] = []
    /// With several labels a sample and a repeat-factor phase: g_c, the samples whose rarest
    /// label is c (empty otherwise).
    let groupCounts: [Int]
    /// The grouping's offsets and lane cursors (its `indices` live on as ``storage``).
    let index: ClassIndex
    /// One `Int32` per sample: class buffers, a permutation, or the canonical grouping.
    var storage: [Int32]
    /// Room for one batch, for replaying draws that wrap.
    var scratch: [Int32]
    var buffers: [ClassBuffer]
    /// Arranges passes in ``ScheduleConfiguration/chunkedOrder`` (`nil`: the exact order).
    var arranger: ChunkedPassArranger?
    /// First epoch of each phase, and the total at the end.
    let phaseStarts: [Int]
    /// The plans of each phase: one per epoch for progressive phases, one for the others.
    let phasePlans: [[EpochPlan]]
    var loaded: Loaded
    /// The apportionment of the quota epoch in ``loaded``.
    var apportioner: QuotaApportioner?
    /// The batch-shuffle seed of epoch `batchSeedEpoch` (derived once an epoch, not per batch).
    var batchSeed: UInt64 = 0
    var batchSeedEpoch = -1
    let classSampler: WeightedSampler?
    /// The next batch ``next(into:)`` returns: epoch and this rank's step within it.
    public private(set) var nextEpoch = 0
    var nextStep = 0

    /// One label a sample, or several.
    enum Labels: Sendable {
        case single([Int32])
        case multiple(MultiLabels)
    }

    enum Loaded: Equatable {
        /// Grouped by class, ascending (after ``ClassIndex``).
        case canonical
        /// Class buffers of a quota epoch, the next batch to draw.
        case quota(epoch: Int, nextBatch: Int)
        /// The permutation of a natural epoch.
        case permutation(epoch: Int)
        /// The shuffled draws of a repeat-factor epoch over samples with several labels.
        case drawList(epoch: Int)
    }

    /// Builds a schedule over `labels`.
    ///
    /// - Parameters:
    ///   - labels: One label per sample in `0..<classCount`.
    ///   - classCount: K.
    ///   - configuration: Batch size, phases, epoch length, seed and shard.
    /// - Throws: ``Datasets/DatasetError`` for a label out of range or an empty class under a
    ///   policy that needs every class; ``SamplingError`` for a batch size below 1 or above a
    ///   fixed epoch length, a policy parameter out of range, negative epochs, or an epoch that
    ///   would have no batches.
    /// - Complexity: O(N + K·P) for P phases (times E for progressive phases).
    public init(labels: [Int32], classCount: Int, configuration: ScheduleConfiguration) throws {
        try self.init(labels: ClassLabels(labels, classCount: classCount), configuration: configuration)
    }

    /// Builds a schedule over labels that are already checked (they are not checked again).
    ///
    /// - Throws: As ``init(labels:classCount:configuration:)``, except for the labels' range.
    public init(labels classLabels: ClassLabels, configuration: ScheduleConfiguration) throws {
        try self.init(labels: .single(classLabels.values), sampleCount: classLabels.values.count, configuration: configuration) {
            try ClassIndex(labels: classLabels, requireEveryClass: $0)
        }
    }

    /// Builds a schedule over samples with several labels each (an [N, K] 0/1 matrix).
    ///
    /// Label l's buffer holds the samples carrying l; quotas and batches work as for single
    /// labels over the labels' buffers (`balanced`: equal quotas per label; `cover`: every
    /// label's buffer completes a pass, so every labelled sample is drawn each epoch). Where the
    /// apportionment leaves a choice of labels for the extra slots of a batch, the labels with
    /// the fewest appearances so far this epoch get them, counting every label of every drawn
    /// sample. Samples with no label are drawn only in `natural` epochs. A sample carrying
    /// several labels may appear in a batch more than once (from different labels' buffers).
    ///
    /// - Parameters:
    ///   - multiLabels: The labels each sample carries.
    ///   - configuration: Batch size, phases, epoch length, seed and shard.
    /// - Throws: As ``init(labels:classCount:configuration:)``; a label no sample carries is
    ///   an empty class.
    /// - Complexity: O(N + M + K·P) for M memberships and P phases.
    public init(multiLabels: MultiLabels, configuration: ScheduleConfiguration) throws {
        try self.init(labels: .multiple(multiLabels), sampleCount: multiLabels.sampleCount, configuration: configuration) {
            try ClassIndex(memberships: multiLabels, requireEveryClass: $0)
        }
    }

    init(
        labels: Labels, sampleCount: Int, configuration: ScheduleConfiguration,
        grouping makeGrouping: (_ requireEveryClass: Bool) throws -> ClassIndex
    ) throws {
        let c = configuration
        guard c.batchSize >= 1 else {
            throw SamplingError.invalidParameter("batch size must be at least 1, got \(c.batchSize)")
        }
        if let bad = c.phases.first(where: { $0.epochs < 0 }) {
            throw SamplingError.invalidParameter("epochs must be 0 or more, got \(bad.epochs) for phase \(bad.policy.rawValue)")
        }
        guard sampleCount > 0 else { throw SamplingError.invalidParameter("there are no samples to draw from") }
        if let order = c.chunkedOrder {
            guard order.window >= 1 else {
                throw SamplingError.invalidParameter("the chunked order's window must be at least 1 block, got \(order.window)")
            }
            guard order.blocks.rowCount == sampleCount else {
                throw SamplingError.invalidParameter("the chunked order places \(order.blocks.rowCount) samples in blocks but there are \(sampleCount); expected one block per sample")
            }
        }
        let active = c.phases.filter { $0.epochs > 0 }
        let needsEveryClass = active.contains { $0.policy.needsEveryClass(phaseEpochs: $0.epochs) }
        var grouping = try makeGrouping(needsEveryClass)
        let counts = grouping.counts
        let classCount = counts.count
        // Several labels a sample: repeat factor draws each sample by its rarest label.
        var groupCounts: [Int]?
        if case .multiple(let m) = labels, active.contains(where: \.policy.isRepeatFactor) {
            groupCounts = m.rarestLabelCounts
        }
        var phaseStarts = [0]
        var plans = [[EpochPlan]]()
        for phase in c.phases {
            let first = phaseStarts.last!
            phaseStarts.append(first + Swift.max(0, phase.epochs))
            guard phase.epochs > 0 else {
                plans.append([])
                continue
            }
            // Progressive epochs differ by λ_e, repeat-factor cover epochs by their random extras.
            let varies: Bool
            switch phase.policy {
            case .progressive: varies = true
            case .repeatFactor: varies = c.epochLength == .cover
            default: varies = false
            }
            plans.append(try (0..<(varies ? phase.epochs : 1)).map { e in
                try EpochPlan(
                    policy: phase.policy, counts: counts, batchSize: c.batchSize, length: c.epochLength,
                    epochInPhase: e, phaseEpochs: phase.epochs, dropLast: c.dropLast, sampleCount: sampleCount,
                    seed: Self.epochSeed(c.seed, first + e, Self.repeatPurpose), groupCounts: groupCounts)
            })
        }
        self.groupCounts = groupCounts ?? []
        self.configuration = c
        self.labels = labels
        self.sampleCount = sampleCount
        self.counts = counts
        self.phaseStarts = phaseStarts
        self.phasePlans = plans
        var storage = grouping.takeIndices()
        // Class buffers need M, a permutation N (more when some samples carry no label), a
        // list of repeat-factor draws T.
        var room = sampleCount
        if groupCounts != nil { room = Swift.max(room, plans.joined().map(\.draws).max() ?? 0) }
        if storage.count < room { storage.append(contentsOf: repeatElement(0, count: room - storage.count)) }
        self.storage = storage
        if case .multiple = labels {
            self.appearances = [Int](repeating: 0, count: classCount)
        }
        self.index = grouping
        self.loaded = .canonical
        self.scratch = [Int32](repeating: 0, count: c.batchSize)
        let offsets = grouping.offsets
        self.buffers = (0..<classCount).map { ClassBuffer(start: offsets[$0], count: offsets[$0 + 1] - offsets[$0]) }
        self.arranger = c.chunkedOrder.map { ChunkedPassArranger(order: $0) }
        if active.contains(where: { $0.policy == .weighted }) {
            self.classSampler = try WeightedSampler(classWeights: ClassWeights.inverseFrequency(counts: counts), counts: counts)
        } else {
            self.classSampler = nil
        }
    }

    // MARK: - Shape of the stream

    /// The phase epoch `epoch` belongs to.
    /// - Precondition: `0 ≤ epoch < totalEpochs`.
    public func phaseIndex(ofEpoch epoch: Int) -> Int {
        precondition(epoch >= 0 && epoch < totalEpochs, "epoch \(epoch) is outside 0..<\(totalEpochs)")
        var p = 0
        while phaseStarts[p + 1] <= epoch { p += 1 }
        return p
    }

    /// The policy of epoch `epoch`.
    /// - Precondition: `0 ≤ epoch < totalEpochs`.
    public func policy(ofEpoch epoch: Int) -> SamplingPolicy {
        configuration.phases[phaseIndex(ofEpoch: epoch)].policy
    }

    /// What epoch `epoch` draws: its batches, draws and quotas.
    /// - Precondition: `0 ≤ epoch < totalEpochs`.
    /// - Complexity: O(P) for P phases (the plans are made once, by the initialiser; a
    ///   repeat-factor `cover` epoch's comes from `(seed, epoch)`).
    public func plan(epoch: Int) -> EpochPlan {
        let p = phaseIndex(ofEpoch: epoch)
        let plans = phasePlans[p]
        return plans.count == 1 ? plans[0] : plans[epoch - phaseStarts[p]]
    }

    /// Batches of epoch `epoch` before padding: T / B for quota epochs, ⌈N / B⌉ for natural
    /// and weighted ones (⌊N / B⌋ with drop-last).
    public func batchCount(epoch: Int) -> Int { plan(epoch: epoch).batchCount }

    /// Batches of epoch `epoch` after padding to a multiple of the world size.
    public func paddedBatchCount(epoch: Int) -> Int {
        batchesPerRank(epoch: epoch) * configuration.shard.worldSize
    }

    /// Batches each rank gets in epoch `epoch`.
    public func batchesPerRank(epoch: Int) -> Int {
        let w = configuration.shard.worldSize
        return (batchCount(epoch: epoch) + w - 1) / w
    }

    // MARK: - Random access

    /// Writes global batch `batch` of epoch `epoch` into `indices` (resized to the batch).
    ///
    /// Any batch of any epoch; numbers at or past ``batchCount(epoch:)`` are the extra batches
    /// that pad an epoch for sharding (the same for every world size). Moving forward within an
    /// epoch is cheapest.
    /// - Precondition: `0 ≤ epoch < totalEpochs`, `batch ≥ 0`.
    /// - Complexity: O(B + R log K) moving forward one batch; O(N) plus the replayed batches
    ///   otherwise.
    @discardableResult
    public mutating func fill(epoch: Int, batch: Int, into indices: inout [Int32]) -> BatchTag {
        precondition(batch >= 0, "batch numbers start at 0, got \(batch)")
        let p = phaseIndex(ofEpoch: epoch)
        let policy = configuration.phases[p].policy
        let count: Int
        switch policy {
        case .repeatFactor where !groupCounts.isEmpty:
            count = configuration.batchSize
            resize(&indices, to: count, filler: 0)
            fillDrawList(epoch: epoch, batch: batch, plan: plan(epoch: epoch), into: &indices)
        case .power, .progressive, .repeatFactor:
            count = configuration.batchSize
            resize(&indices, to: count, filler: 0)
            fillQuota(epoch: epoch, batch: batch, into: &indices)
        case .natural:
            count = frequencyBatchSize(plan(epoch: epoch), batch: batch)
            resize(&indices, to: count, filler: 0)
            fillPermutation(epoch: epoch, batch: batch, into: &indices)
        case .weighted:
            count = frequencyBatchSize(plan(epoch: epoch), batch: batch)
            resize(&indices, to: count, filler: 0)
            fillWeighted(epoch: epoch, batch: batch, into: &indices)
        }
        return BatchTag(epoch: epoch, phaseIndex: p, policy: policy, batch: batch, count: count)
    }

    /// Size of a natural or weighted batch: B, but for the last unpadded batch.
    func frequencyBatchSize(_ plan: EpochPlan, batch: Int) -> Int {
        let b = configuration.batchSize
        guard batch < plan.batchCount else { return b }
        return Swift.min(b, plan.draws - batch * b)
    }

    // MARK: - Several labels a sample

    /// The labels each sample carries, for a schedule built with ``init(multiLabels:configuration:)``.
    public var multiLabels: MultiLabels? {
        if case .multiple(let m) = labels { return m }
        return nil
    }

    /// Appearances of each label in epoch `epoch` (its unpadded batches): every label of every
    /// drawn sample counts once per draw. With one label a sample, draws per class.
    ///
    /// - Precondition: `0 ≤ epoch < totalEpochs`.
    /// - Complexity: O(T + labels of the drawn samples): it draws the epoch.
    public mutating func labelAppearances(epoch: Int) -> [Int] {
        var appearances = [Int](repeating: 0, count: classCount)
        var indices = [Int32]()
        for batch in 0..<batchCount(epoch: epoch) {
            fill(epoch: epoch, batch: batch, into: &indices)
            switch labels {
            case .single(let labels):
                for s in indices { appearances[Int(labels[Int(s)])] += 1 }
            case .multiple(let memberships):
                for s in indices { for l in memberships.labels(ofSample: Int(s)) { appearances[Int(l)] += 1 } }
            }
        }
        return appearances
    }

    // MARK: - Sequential access for this rank

    /// Writes this rank's next batch into `indices` and returns its tag, or `nil` after the
    /// last epoch.
    public mutating func next(into indices: inout [Int32]) -> BatchTag? {
        while nextEpoch < totalEpochs && nextStep >= batchesPerRank(epoch: nextEpoch) {
            nextEpoch += 1
            nextStep = 0
        }
        guard nextEpoch < totalEpochs else { return nil }
        let shard = configuration.shard
        let tag = fill(epoch: nextEpoch, batch: shard.rank + nextStep * shard.worldSize, into: &indices)
        nextStep += 1
        return tag
    }

    /// Moves the sequential position so that ``next(into:)`` returns this rank's first batch at
    /// or after global batch `batch` of epoch `epoch`: what an uninterrupted run would have
    /// produced from there.
    ///
    /// - Throws: ``SamplingError/invalidParameter(_:)`` when the epoch is past the schedule or
    ///   the batch is negative.
    public mutating func seek(epoch: Int, batch: Int = 0) throws {
        guard epoch >= 0 && epoch <= totalEpochs else {
            throw SamplingError.invalidParameter("start epoch \(epoch) is outside the schedule's epochs 0..<\(totalEpochs)")
        }
        guard batch >= 0 else {
            throw SamplingError.invalidParameter("start batch must be 0 or more, got \(batch)")
        }
        let shard = configuration.shard
        nextEpoch = epoch
        nextStep = batch <= shard.rank ? 0 : (batch - shard.rank + shard.worldSize - 1) / shard.worldSize
    }
}
