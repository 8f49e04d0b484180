import Datasets

// How a batch of each kind of epoch is drawn: quota epochs from the class buffers through the
// apportioner, natural epochs from the permutation, weighted epochs with replacement.
extension BatchSchedule {
    // MARK: - Phases

    func epochSeed(_ epoch: Int, _ purpose: UInt64) -> UInt64 {
        Self.epochSeed(configuration.seed, epoch, purpose)
    }

    /// The seed of stream `purpose` of epoch `epoch`, from the schedule's seed alone.
    static func epochSeed(_ seed: UInt64, _ epoch: Int, _ purpose: UInt64) -> UInt64 {
        Xoshiro256StarStar.deriveSeed(Xoshiro256StarStar.deriveSeed(seed, stream: UInt64(epoch)), stream: purpose)
    }

    static let classPurpose: UInt64 = 0
    static let batchPurpose: UInt64 = 1
    static let permutationPurpose: UInt64 = 2
    static let rotationPurpose: UInt64 = 3
    /// The repeat-factor extras of an epoch (its length).
    static let repeatPurpose: UInt64 = 4
    static let blockOrderPurpose: UInt64 = 5

    /// Batch `batch` of quota epoch `epoch`: each class's draws from its buffer, in the
    /// apportioner's order, then shuffled with the batch's generator. Reaching a later batch
    /// of the loaded epoch replays the apportionment of the batches in between; their draws
    /// only move the buffers' cursors, but where a buffer wraps or label appearances are
    /// counted (several labels a sample), into scratch.
    mutating func fillQuota(epoch: Int, batch: Int, into indices: inout [Int32]) {
        var skipFrom = 0
        if case .quota(epoch, let next) = loaded, next <= batch {
            skipFrom = next
        } else {
            restoreCanonical()
            beginQuotaEpoch(epoch)
        }
        if batchSeedEpoch != epoch {
            batchSeed = epochSeed(epoch, Self.batchPurpose)
            batchSeedEpoch = epoch
        }
        var rng = Xoshiro256StarStar(seed: batchSeed, stream: UInt64(batch))
        let memberships = multiLabels
        // The working state is borrowed property by property (distinct stored properties of
        // self may be accessed side by side), so the draws run on pointers.
        storage.withUnsafeMutableBufferPointer { storage in
            buffers.withUnsafeMutableBufferPointer { buffers in
                appearances.withUnsafeMutableBufferPointer { appearances in
                    let counted = memberships == nil ? nil : UnsafeBufferPointer(appearances)
                    // Hands each class of the next batch its f_c (+ 1) draws in one call, so
                    // that a buffer wrap knows every sample the batch already holds of the class.
                    func draw(into destination: UnsafeMutablePointer<Int32>) -> Int {
                        var written = 0
                        apportioner!.nextBatch(appearances: counted) { c, m in
                            buffers[c].take(m, storage: storage, into: destination + written, arranger: &arranger)
                            written += m
                        }
                        return written
                    }
                    // Counts every label of the drawn samples.
                    func count(_ drawn: UnsafeBufferPointer<Int32>) {
                        guard let memberships else { return }
                        for s in drawn { for l in memberships.labels(ofSample: Int(s)) { appearances[Int(l)] += 1 } }
                    }
                    if skipFrom < batch {
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            let spare = scratch.baseAddress!
                            while skipFrom < batch {
                                if memberships != nil {
                                    count(UnsafeBufferPointer(start: spare, count: draw(into: spare)))
                                } else {
                                    apportioner!.nextBatch { c, m in buffers[c].skip(m, storage: storage, scratch: spare, arranger: &arranger) }
                                }
                                skipFrom += 1
                            }
                        }
                    }
                    indices.withUnsafeMutableBufferPointer { out in
                        let written = draw(into: out.baseAddress!)
                        internalInvariant(written == out.count, "batch \(batch) of epoch \(epoch) holds \(written) draws, expected \(out.count)")
                        count(UnsafeBufferPointer(out))
                        out.fisherYatesShuffle(using: &rng)
                    }
                }
            }
        }
        loaded = .quota(epoch: epoch, nextBatch: batch + 1)
    }

    /// Starts quota epoch `epoch` from the canonical grouping: its apportioner, no label
    /// appearances yet, and a fresh pass of every class buffer.
    private mutating func beginQuotaEpoch(_ epoch: Int) {
        internalInvariant(loaded == .canonical, "a quota epoch starts from the canonical grouping")
        let plan = self.plan(epoch: epoch)
        apportioner = QuotaApportioner(
            quotas: plan.quotas, batchCount: plan.batchCount, batchSize: configuration.batchSize,
            rotationSeed: epochSeed(epoch, Self.rotationPurpose))
        let blockSeed = epochSeed(epoch, Self.blockOrderPurpose)
        arranger?.epochSeed = blockSeed
        for l in appearances.indices { appearances[l] = 0 }
        let classSeed = epochSeed(epoch, Self.classPurpose)
        storage.withUnsafeMutableBufferPointer { storage in
            buffers.withUnsafeMutableBufferPointer { buffers in
                for c in buffers.indices {
                    buffers[c].beginEpoch(storage: storage, rng: Xoshiro256StarStar(seed: classSeed, stream: UInt64(c)), arranger: &arranger)
                }
            }
        }
        loaded = .quota(epoch: epoch, nextBatch: 0)
    }

    mutating func fillPermutation(epoch: Int, batch: Int, into indices: inout [Int32]) {
        if loaded != .permutation(epoch: epoch) {
            let permutationSeed = epochSeed(epoch, Self.permutationPurpose)
            let n = sampleCount
            let blockSeed = epochSeed(epoch, Self.blockOrderPurpose)
            arranger?.epochSeed = blockSeed
            storage.withUnsafeMutableBufferPointer { storage in
                var permutation = UnsafeMutableBufferPointer(rebasing: storage[0..<n])
                for i in 0..<n { permutation[i] = Int32(truncatingIfNeeded: i) }
                var rng = Xoshiro256StarStar(seed: permutationSeed)
                // The chunked order's natural epoch is its pass 0 over all samples.
                if arranger != nil {
                    arranger!.arrange(permutation, pass: 0, rng: &rng)
                } else {
                    permutation.prefetchingShuffle(using: &rng)
                }
            }
            loaded = .permutation(epoch: epoch)
        }
        readAround(length: sampleCount, batch: batch, into: &indices)
    }

    /// Batch `batch` of the first `length` positions of the storage, read as a ring: batches
    /// past the end (padding) continue from the start.
    private func readAround(length n: Int, batch: Int, into indices: inout [Int32]) {
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

    /// A repeat-factor epoch over samples with several labels, as detectron2 draws it: a list
    /// holding each labelled sample as often as its rarest label's group draws it, shuffled.
    /// Group c's quota Q_c is ⌊Q_c / g_c⌋ draws of each of its g_c samples plus one more for
    /// Q_c mod g_c of them, picked uniformly by selection sampling (Knuth, TAOCP vol. 2,
    /// Algorithm S) in one pass over the samples — the same draws a fresh pass of a circular
    /// buffer makes. Batches are consecutive runs of B; padding continues around the list.
    mutating func fillDrawList(epoch: Int, batch: Int, plan: EpochPlan, into indices: inout [Int32]) {
        if loaded != .drawList(epoch: epoch), case .multiple(let memberships) = labels {
            var rng = Xoshiro256StarStar(seed: epochSeed(epoch, Self.permutationPurpose))
            var whole = [Int](repeating: 0, count: classCount)
            var wanted = [Int](repeating: 0, count: classCount)
            var left = groupCounts
            for c in 0..<classCount where left[c] > 0 {
                whole[c] = plan.quotas[c] / left[c]
                wanted[c] = plan.quotas[c] % left[c]
            }
            let counts = self.counts
            storage.withUnsafeMutableBufferPointer { storage in
                var written = 0
                for sample in 0..<memberships.sampleCount {
                    guard let c = memberships.rarestLabel(ofSample: sample, counts: counts) else { continue }
                    var times = whole[c]
                    if wanted[c] > 0 && rng.nextBounded(left[c]) < wanted[c] {
                        times += 1
                        wanted[c] -= 1
                    }
                    left[c] -= 1
                    for _ in 0..<times {
                        storage[written] = Int32(truncatingIfNeeded: sample)
                        written += 1
                    }
                }
                internalInvariant(written == plan.draws, "epoch \(epoch) lists \(written) draws, expected \(plan.draws)")
                var list = UnsafeMutableBufferPointer(rebasing: storage[0..<written])
                list.prefetchingShuffle(using: &rng)
            }
            loaded = .drawList(epoch: epoch)
            apportioner = nil
        }
        readAround(length: plan.draws, batch: batch, into: &indices)
    }

    mutating func fillWeighted(epoch: Int, batch: Int, into indices: inout [Int32]) {
        restoreCanonical()
        guard let classSampler else { return }
        var rng = Xoshiro256StarStar(seed: epochSeed(epoch, Self.batchPurpose), stream: UInt64(batch))
        let offsets = index.offsets
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
    mutating func restoreCanonical() {
        guard loaded != .canonical else { return }
        switch labels {
        case .single(let labels): index.group(labels: labels, into: &storage)
        case .multiple(let memberships): index.group(memberships: memberships, into: &storage)
        }
        loaded = .canonical
        apportioner = nil
    }
}
