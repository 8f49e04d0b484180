import Datasets

// How a batch of each kind of epoch is drawn: quota epochs from the class buffers through the
// apportioner, natural epochs from the permutation, weighted epochs with replacement.
extension BatchSchedule {
    // MARK: - Phases

    func epochSeed(_ epoch: Int, _ purpose: UInt64) -> UInt64 {
        Xoshiro256StarStar.deriveSeed(
            Xoshiro256StarStar.deriveSeed(configuration.seed, stream: UInt64(epoch)), stream: purpose)
    }

    static let classPurpose: UInt64 = 0
    static let batchPurpose: UInt64 = 1
    static let permutationPurpose: UInt64 = 2
    static let rotationPurpose: UInt64 = 3
    static let blockOrderPurpose: UInt64 = 4

    mutating func fillQuota(epoch: Int, batch: Int, plan: EpochPlan, into indices: inout [Int32]) {
        var skipFrom = 0
        if case .quota(epoch, let next) = loaded, next <= batch {
            skipFrom = next
        } else {
            restoreCanonical()
        }
        let startEpoch = loaded == .canonical
        let classSeed = startEpoch ? epochSeed(epoch, Self.classPurpose) : 0
        if startEpoch {
            apportioner = QuotaApportioner(
                quotas: plan.quotas, batchCount: plan.batchCount, batchSize: configuration.batchSize,
                rotationSeed: epochSeed(epoch, Self.rotationPurpose))
        }
        if batchSeedEpoch != epoch {
            batchSeed = epochSeed(epoch, Self.batchPurpose)
            batchSeedEpoch = epoch
        }
        let batchSeed = self.batchSeed
        // Move the working state out of self so it can be mutated side by side.
        var buffers = [ClassBuffer]()
        var storage = [Int32]()
        var scratch = [Int32]()
        var chosen = [Int32]()
        var bonus = [UInt8]()
        var appearances = [Int]()
        var apportioner: QuotaApportioner? = nil
        var arranger: ChunkedPassArranger? = nil
        swap(&arranger, &self.arranger)
        swap(&appearances, &self.appearances)
        swap(&apportioner, &self.apportioner)
        swap(&buffers, &self.buffers)
        swap(&storage, &self.storage)
        swap(&scratch, &self.scratch)
        swap(&chosen, &self.chosen)
        swap(&bonus, &self.bonus)
        defer {
            swap(&buffers, &self.buffers)
            swap(&storage, &self.storage)
            swap(&scratch, &self.scratch)
            swap(&chosen, &self.chosen)
            swap(&bonus, &self.bonus)
            swap(&apportioner, &self.apportioner)
            swap(&appearances, &self.appearances)
            swap(&arranger, &self.arranger)
        }
        if startEpoch { arranger?.epochSeed = epochSeed(epoch, Self.blockOrderPurpose) }
        var memberships: MultiLabels?
        if case .multiple(let m) = labels { memberships = m }
        if startEpoch { for l in appearances.indices { appearances[l] = 0 } }
        let batchSize = configuration.batchSize
        storage.withUnsafeMutableBufferPointer { storage in
            scratch.withUnsafeMutableBufferPointer { scratch in
                bonus.withUnsafeMutableBufferPointer { bonus in
                  appearances.withUnsafeMutableBufferPointer { appearances in
                    guard let spare = scratch.baseAddress else { return }
                    if startEpoch {
                        for c in buffers.indices {
                            buffers[c].beginEpoch(storage: storage, rng: Xoshiro256StarStar(seed: classSeed, stream: UInt64(c)), arranger: &arranger)
                        }
                    }
                    // Hands each class of the next batch its f_c (+ 1) draws in one call, so a
                    // buffer wrap knows every sample the batch already holds of that class.
                    func draw(_ act: (inout ClassBuffer, Int) -> Void) {
                        apportioner!.next(into: &chosen, appearances: memberships == nil ? nil : UnsafeBufferPointer(appearances))
                        let floors = apportioner!.floors
                        for c in chosen {
                            if floors[Int(c)] == 0 { act(&buffers[Int(c)], 1) } else { bonus[Int(c)] = 1 }
                        }
                        for c32 in apportioner!.floorClasses {
                            let c = Int(c32)
                            act(&buffers[c], Int(floors[c]) + Int(bonus[c]))
                            bonus[c] = 0
                        }
                    }
                    // Counts every label of the drawn samples.
                    func count(_ drawn: UnsafeBufferPointer<Int32>) {
                        guard let memberships else { return }
                        for s in drawn { for l in memberships.labels(ofSample: Int(s)) { appearances[Int(l)] += 1 } }
                    }
                    while skipFrom < batch {
                        if memberships != nil {
                            // Skipped batches still count appearances, so they are drawn into scratch.
                            var written = 0
                            draw { buffer, m in
                                buffer.take(m, storage: storage, into: spare + written, arranger: &arranger)
                                written += m
                            }
                            count(UnsafeBufferPointer(start: spare, count: written))
                        } else {
                            draw { buffer, m in buffer.skip(m, storage: storage, scratch: spare, arranger: &arranger) }
                        }
                        skipFrom += 1
                    }
                    indices.withUnsafeMutableBufferPointer { out in
                        guard let outBase = out.baseAddress else { return }
                        var written = 0
                        draw { buffer, m in
                            buffer.take(m, storage: storage, into: outBase + written, arranger: &arranger)
                            written += m
                        }
                        internalInvariant(written == batchSize, "batch \(batch) of epoch \(epoch) holds \(written) draws, expected \(batchSize)")
                        count(UnsafeBufferPointer(out))
                        var rng = Xoshiro256StarStar(seed: batchSeed, stream: UInt64(batch))
                        out.fisherYatesShuffle(using: &rng)
                    }
                  }
                }
            }
        }
        loaded = .quota(epoch: epoch, nextBatch: batch + 1)
    }

    mutating func fillPermutation(epoch: Int, batch: Int, into indices: inout [Int32]) {
        if loaded != .permutation(epoch: epoch) {
            let permutationSeed = epochSeed(epoch, Self.permutationPurpose)
            let n = sampleCount
            let blockSeed = epochSeed(epoch, Self.blockOrderPurpose)
            var arranger: ChunkedPassArranger? = nil
            swap(&arranger, &self.arranger)
            arranger?.epochSeed = blockSeed
            storage.withUnsafeMutableBufferPointer { storage in
                var permutation = UnsafeMutableBufferPointer(rebasing: storage[0..<n])
                for i in 0..<n { permutation[i] = Int32(truncatingIfNeeded: i) }
                var rng = Xoshiro256StarStar(seed: permutationSeed)
                // The chunked order's natural epoch is its pass 0 over all samples.
                if arranger != nil {
                    arranger!.arrange(permutation, pass: 0, rng: &rng)
                } else {
                    permutation.fisherYatesShuffle(using: &rng)
                }
            }
            swap(&arranger, &self.arranger)
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
