import Datasets

/// Where a batch sits in a schedule: its epoch, phase and global batch number, and its size.
public struct BatchTag: Sendable, Equatable, Hashable {
    /// Epoch number, counting the main phase from 0 and the fine-tune epochs after it.
    public var epoch: Int
    /// What the epoch does.
    public var phase: EpochPhase
    /// Global batch number within the epoch (the same on every rank; rank `r` of `w` sees
    /// `r, r + w, …`). Numbers at or past ``BatchSchedule/batchCount(epoch:)`` are padding.
    public var batch: Int
    /// Samples in the batch.
    public var count: Int
}

/// The batch stream of a training run: `epochs` epochs of the main phase (balanced by default),
/// then `finetuneEpochs` real-frequency epochs, each batch a list of sample indices.
///
/// **Balanced epochs** (batch size B = K·m): every batch holds exactly m samples of each class,
/// shuffled within the batch; the epoch has ⌈M / m⌉ batches (M the largest class); each class
/// is a ``ClassBuffer`` that starts a fresh shuffled pass at every epoch and reshuffles when it
/// wraps. So every sample appears at least once an epoch, the largest class's exactly once but
/// for a wrap in the last batch, and within a class draw counts differ by at most one.
///
/// **Real-frequency epochs** (``SamplerKind/natural`` and the fine-tune phase): a fresh
/// permutation of all N samples in batches of B, the smaller last batch kept unless
/// `dropLast`. **Weighted epochs**: N with-replacement draws, every class equally likely.
///
/// **Determinism and resume.** Every random choice comes from generators named by
/// `(seed, epoch, …)`: a class's passes from `(seed, epoch, class)`, a batch's shuffle from
/// `(seed, epoch, batch)`, a permutation from `(seed, epoch)`. Any batch can be produced
/// directly (``fill(epoch:batch:into:)``); reaching batch j of a balanced epoch replays the
/// class buffers' draws up to j, which costs less than producing those batches.
///
/// **Sharding.** Rank r of w gets global batches r, r + w, … of each epoch. An epoch whose
/// batch count is not a multiple of w is padded: balanced epochs draw extra balanced batches
/// from the same buffers; real-frequency epochs continue around the same permutation; weighted
/// epochs draw more. Every rank gets the same number of batches with no communication.
///
/// **Memory.** The labels (shared, not copied) plus one `Int32` per sample of working storage,
/// which balanced epochs use as the class buffers and real-frequency epochs as the permutation.
///
/// ```swift
/// var schedule = try BatchSchedule(labels: labels, classCount: 3,
///     configuration: ScheduleConfiguration(batchSize: 96, epochs: 10, finetuneEpochs: 2, seed: 1))
/// var indices = [Int32]()
/// while let tag = schedule.next(into: &indices) {
///     // tag.epoch, tag.phase, tag.batch; indices holds tag.count sample indices
/// }
/// ```
public struct BatchSchedule: Sendable {
    /// The parameters.
    public let configuration: ScheduleConfiguration
    /// n_c, in label order.
    public let counts: [Int]
    /// N.
    public var sampleCount: Int { labels.count }
    /// K.
    public var classCount: Int { counts.count }
    /// m, samples of each class in a balanced batch (B / K).
    public var samplesPerClass: Int { configuration.batchSize / classCount }
    /// Main-phase epochs plus fine-tune epochs.
    public var totalEpochs: Int { configuration.epochs + configuration.finetuneEpochs }

    private let labels: [Int32]
    /// The grouping's offsets and lane cursors (its `indices` live on as ``storage``).
    private let index: ClassIndex
    private var offsets: [Int] { index.offsets }
    /// One `Int32` per sample: class buffers, a permutation, or the canonical grouping.
    private var storage: [Int32]
    /// Room for one balanced batch, for replaying draws that wrap.
    private var scratch: [Int32]
    private var buffers: [ClassBuffer]
    private var loaded: Loaded
    /// The batch-shuffle seed of epoch `batchSeedEpoch` (derived once an epoch, not per batch).
    private var batchSeed: UInt64 = 0
    private var batchSeedEpoch = -1
    private let classSampler: WeightedSampler?
    /// The next batch ``next(into:)`` returns: epoch and this rank's step within it.
    public private(set) var nextEpoch = 0
    private var nextStep = 0

    private enum Loaded: Equatable {
        /// Grouped by class, ascending (after ``ClassIndex``).
        case canonical
        /// Class buffers of a balanced epoch, the next batch to draw.
        case balanced(epoch: Int, nextBatch: Int)
        /// The permutation of a real-frequency epoch.
        case permutation(epoch: Int)
    }

    /// Builds a schedule over `labels`.
    ///
    /// - Parameters:
    ///   - labels: One label per sample in `0..<classCount`.
    ///   - classCount: K.
    ///   - configuration: Batch size, phases, seed and shard.
    /// - Throws: ``Datasets/DatasetError`` for a label out of range or an empty class
    ///   (balanced and weighted main phases); ``SamplingError`` for a batch size that is not a
    ///   positive multiple of K (balanced), negative epochs, or an epoch that would have no
    ///   batches.
    public init(labels: [Int32], classCount: Int, configuration: ScheduleConfiguration) throws {
        try self.init(labels: ClassLabels(labels, classCount: classCount), configuration: configuration)
    }

    /// Builds a schedule over labels that are already checked (they are not checked again).
    ///
    /// - Throws: As ``init(labels:classCount:configuration:)``, except for the labels' range.
    public init(labels classLabels: ClassLabels, configuration: ScheduleConfiguration) throws {
        let labels = classLabels.values
        let classCount = classLabels.classCount
        let c = configuration
        guard c.batchSize >= 1 else {
            throw SamplingError.invalidParameter("batch size must be at least 1, got \(c.batchSize)")
        }
        guard c.epochs >= 0 else {
            throw SamplingError.invalidParameter("epochs must be 0 or more, got \(c.epochs)")
        }
        guard c.finetuneEpochs >= 0 else {
            throw SamplingError.invalidParameter("fine-tune epochs must be 0 or more, got \(c.finetuneEpochs)")
        }
        guard !labels.isEmpty else { throw SamplingError.invalidParameter("there are no samples to draw from") }
        let needsEveryClass = c.epochs > 0 && c.sampler != .natural
        var grouping = try ClassIndex(labels: classLabels, requireEveryClass: needsEveryClass)
        if c.epochs > 0 && c.sampler == .balanced {
            guard c.batchSize % classCount == 0 else {
                throw SamplingError.batchSizeNotMultiple(batchSize: c.batchSize, classCount: classCount)
            }
        }
        let frequencyEpochs = c.finetuneEpochs > 0 || (c.epochs > 0 && c.sampler != .balanced)
        if frequencyEpochs && c.dropLast && labels.count < c.batchSize {
            throw SamplingError.invalidParameter(
                "batch size \(c.batchSize) is larger than the \(labels.count) samples, so with drop-last a real-frequency epoch has no batches; use a batch size of at most \(labels.count) or keep the last batch")
        }
        self.configuration = c
        self.labels = labels
        let counts = grouping.counts
        self.counts = counts
        self.storage = grouping.takeIndices()
        self.index = grouping
        self.loaded = .canonical
        self.scratch = [Int32](repeating: 0, count: c.batchSize)
        let offsets = grouping.offsets
        self.buffers = (0..<classCount).map { ClassBuffer(start: offsets[$0], count: offsets[$0 + 1] - offsets[$0]) }
        if c.epochs > 0 && c.sampler == .weighted {
            self.classSampler = try WeightedSampler(classWeights: ClassWeights.inverseFrequency(counts: counts), counts: counts)
        } else {
            self.classSampler = nil
        }
    }

    // MARK: - Shape of the stream

    /// What epoch `epoch` does.
    public func phase(ofEpoch epoch: Int) -> EpochPhase {
        if epoch >= configuration.epochs { return .finetune }
        switch configuration.sampler {
        case .balanced: return .balanced
        case .natural: return .natural
        case .weighted: return .weighted
        }
    }

    /// Batches of epoch `epoch` before padding: ⌈M / m⌉ balanced, ⌈N / B⌉ otherwise (⌊N / B⌋
    /// with drop-last).
    public func batchCount(epoch: Int) -> Int {
        switch phase(ofEpoch: epoch) {
        case .balanced:
            let m = samplesPerClass
            return ((counts.max() ?? 0) + m - 1) / m
        case .natural, .weighted, .finetune:
            let n = sampleCount, b = configuration.batchSize
            return configuration.dropLast ? n / b : (n + b - 1) / b
        }
    }

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
    /// - Complexity: O(B) moving forward one batch; O(N) plus the replayed draws otherwise.
    @discardableResult
    public mutating func fill(epoch: Int, batch: Int, into indices: inout [Int32]) -> BatchTag {
        precondition(epoch >= 0 && epoch < totalEpochs, "epoch \(epoch) is outside 0..<\(totalEpochs)")
        precondition(batch >= 0, "batch numbers start at 0, got \(batch)")
        let phase = phase(ofEpoch: epoch)
        let count: Int
        switch phase {
        case .balanced:
            count = configuration.batchSize
            resize(&indices, to: count, filler: 0)
            fillBalanced(epoch: epoch, batch: batch, into: &indices)
        case .natural, .finetune:
            count = frequencyBatchSize(epoch: epoch, batch: batch)
            resize(&indices, to: count, filler: 0)
            fillPermutation(epoch: epoch, batch: batch, into: &indices)
        case .weighted:
            count = frequencyBatchSize(epoch: epoch, batch: batch)
            resize(&indices, to: count, filler: 0)
            fillWeighted(epoch: epoch, batch: batch, into: &indices)
        }
        return BatchTag(epoch: epoch, phase: phase, batch: batch, count: count)
    }

    /// Size of a real-frequency or weighted batch: B, but for the last unpadded batch.
    private func frequencyBatchSize(epoch: Int, batch: Int) -> Int {
        let b = configuration.batchSize
        guard batch < batchCount(epoch: epoch) else { return b }
        return Swift.min(b, sampleCount - batch * b)
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

    // MARK: - Phases

    private func epochSeed(_ epoch: Int, _ purpose: UInt64) -> UInt64 {
        Xoshiro256StarStar.deriveSeed(
            Xoshiro256StarStar.deriveSeed(configuration.seed, stream: UInt64(epoch)), stream: purpose)
    }

    private static let classPurpose: UInt64 = 0
    private static let batchPurpose: UInt64 = 1
    private static let permutationPurpose: UInt64 = 2

    private mutating func fillBalanced(epoch: Int, batch: Int, into indices: inout [Int32]) {
        let m = samplesPerClass
        var skipFrom = 0
        if case .balanced(epoch, let next) = loaded, next <= batch {
            skipFrom = next
        } else {
            restoreCanonical()
        }
        let startEpoch = loaded == .canonical
        let classSeed = startEpoch ? epochSeed(epoch, Self.classPurpose) : 0
        if batchSeedEpoch != epoch {
            batchSeed = epochSeed(epoch, Self.batchPurpose)
            batchSeedEpoch = epoch
        }
        let batchSeed = self.batchSeed
        // Move the working arrays out of self so they can be mutated side by side.
        var buffers = [ClassBuffer]()
        var storage = [Int32]()
        var scratch = [Int32]()
        swap(&buffers, &self.buffers)
        swap(&storage, &self.storage)
        swap(&scratch, &self.scratch)
        defer {
            swap(&buffers, &self.buffers)
            swap(&storage, &self.storage)
            swap(&scratch, &self.scratch)
        }
        storage.withUnsafeMutableBufferPointer { storage in
            scratch.withUnsafeMutableBufferPointer { scratch in
                guard let base = storage.baseAddress, let spare = scratch.baseAddress else { return }
                if startEpoch {
                    for c in buffers.indices {
                        buffers[c].beginEpoch(storage: base, rng: Xoshiro256StarStar(seed: classSeed, stream: UInt64(c)))
                    }
                }
                while skipFrom < batch {
                    for c in buffers.indices { buffers[c].skip(m, storage: base, scratch: spare) }
                    skipFrom += 1
                }
                indices.withUnsafeMutableBufferPointer { out in
                    guard let outBase = out.baseAddress else { return }
                    for c in buffers.indices {
                        buffers[c].take(m, storage: base, into: outBase + c * m)
                    }
                    var rng = Xoshiro256StarStar(seed: batchSeed, stream: UInt64(batch))
                    out.fisherYatesShuffle(using: &rng)
                }
            }
        }
        loaded = .balanced(epoch: epoch, nextBatch: batch + 1)
    }

    private mutating func fillPermutation(epoch: Int, batch: Int, into indices: inout [Int32]) {
        if loaded != .permutation(epoch: epoch) {
            let permutationSeed = epochSeed(epoch, Self.permutationPurpose)
            storage.withUnsafeMutableBufferPointer { storage in
                for i in 0..<storage.count { storage[i] = Int32(truncatingIfNeeded: i) }
                var rng = Xoshiro256StarStar(seed: permutationSeed)
                storage.fisherYatesShuffle(using: &rng)
            }
            loaded = .permutation(epoch: epoch)
        }
        let n = sampleCount
        var position = (batch * configuration.batchSize) % n
        storage.withUnsafeBufferPointer { storage in
            indices.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    out[i] = storage[position]
                    position += 1
                    if position == n { position = 0 }
                }
            }
        }
    }

    private mutating func fillWeighted(epoch: Int, batch: Int, into indices: inout [Int32]) {
        restoreCanonical()
        guard let classSampler else { return }
        var rng = Xoshiro256StarStar(seed: epochSeed(epoch, Self.batchPurpose), stream: UInt64(batch))
        let offsets = self.offsets
        let counts = self.counts
        storage.withUnsafeBufferPointer { storage in
            indices.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    let c = classSampler.draw(using: &rng)
                    out[i] = storage[offsets[c] + rng.nextBounded(counts[c])]
                }
            }
        }
    }

    /// Puts the storage back in grouped, ascending order (a counting pass over the labels).
    private mutating func restoreCanonical() {
        guard loaded != .canonical else { return }
        index.group(labels: labels, into: &storage)
        loaded = .canonical
    }
}
