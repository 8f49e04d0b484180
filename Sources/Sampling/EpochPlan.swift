import Datasets

/// What one epoch draws: its batches and, for quota policies, how many draws of each class.
///
/// A quota epoch is T = b·B draws split into integer quotas Q_c (largest-remainder rounding of
/// T·p_c, ties to the lower label); its batches apportion the quotas (``QuotaApportioner``).
/// A natural or weighted epoch is a run of draws in batches of B, the smaller last batch kept
/// unless drop-last.
///
/// ```swift
/// let plan = try EpochPlan(policy: .balanced, counts: [1000, 100, 10], batchSize: 256)
/// // plan.draws == 3072 (K·M = 3000 rounded up to a multiple of B), plan.quotas == [1024, 1024, 1024]
/// ```
public struct EpochPlan: Sendable, Equatable {
    /// B.
    public let batchSize: Int
    /// Batches before padding.
    public let batchCount: Int
    /// Draws of the epoch before padding: T = b·B for quota policies.
    public let draws: Int
    /// Q_c for quota policies, in label order (summing to ``draws``); empty for natural and
    /// weighted epochs.
    public let quotas: [Int]

    /// Plans epoch `epochInPhase` of a phase.
    ///
    /// - Parameters:
    ///   - policy: The phase's policy.
    ///   - counts: n_c, in label order.
    ///   - batchSize: B ≥ 1.
    ///   - length: The epoch length.
    ///   - epochInPhase: e, for ``SamplingPolicy/progressive``.
    ///   - phaseEpochs: E, for ``SamplingPolicy/progressive``.
    ///   - dropLast: Whether natural and weighted epochs drop a smaller last batch.
    ///   - sampleCount: N, the draws of a natural or weighted `cover` epoch and the N of
    ///     repeat factor's f_c = n_c / N; `nil` for Σ n_c (one label a sample). With several
    ///     labels a sample, N is less than Σ n_c.
    ///   - seed: Seeds the repeat-factor draws of a `cover` epoch (the epoch's own seed, so
    ///     that (seed, epoch) fixes its length); unused by the other policies.
    ///   - groupCounts: For ``SamplingPolicy/repeatFactor(_:)`` with several labels a sample,
    ///     g_c, the samples whose rarest label is c (whose repeat factor is r_c): the quotas are
    ///     then draws from these groups. `nil`: the groups are the classes (g_c = n_c).
    /// - Throws: ``SamplingError`` for a policy parameter out of range, a fixed epoch length
    ///   shorter than one batch, an empty class the policy needs, or an epoch with no batches.
    /// - Complexity: O(K) (O(K log K) for the rounding).
    public init(
        policy: SamplingPolicy, counts: [Int], batchSize: Int, length: EpochLength = .cover,
        epochInPhase: Int = 0, phaseEpochs: Int = 1, dropLast: Bool = false,
        sampleCount: Int? = nil, seed: UInt64 = 0, groupCounts: [Int]? = nil
    ) throws {
        try policy.validate()
        guard batchSize >= 1 else {
            throw SamplingError.invalidParameter("batch size must be at least 1, got \(batchSize)")
        }
        let n = counts.reduce(0, +)
        guard n > 0 else { throw SamplingError.invalidParameter("there are no samples to draw from") }
        if policy.needsEveryClass(phaseEpochs: phaseEpochs), let empty = counts.firstIndex(where: { $0 == 0 }) {
            throw DatasetError.emptyClass(label: empty, classCount: counts.count)
        }
        switch length {
        case .samples(let s) where s < batchSize:
            throw SamplingError.invalidParameter(
                "batch size \(batchSize) is larger than the epoch length of \(s) draws; use a batch size of at most \(s) or a longer epoch")
        case .samples(let s) where s < 1, .batches(let s) where s < 1:
            throw SamplingError.invalidParameter("epoch length \(length) must be at least 1")
        default: break
        }
        self.batchSize = batchSize
        guard policy.usesQuotas else {
            let total: Int
            switch length {
            case .cover: total = sampleCount ?? n
            case .samples(let s): total = s
            case .batches(let b): total = b * batchSize
            }
            let batches = dropLast ? total / batchSize : (total + batchSize - 1) / batchSize
            guard batches > 0 else {
                throw SamplingError.invalidParameter(
                    "batch size \(batchSize) is larger than the \(total) draws of a \(policy.rawValue) epoch, so with drop-last it has no batches; use a batch size of at most \(total) or keep the last batch")
            }
            self.batchCount = batches
            self.draws = dropLast ? batches * batchSize : total
            self.quotas = []
            return
        }
        var repeats: [Double] = []
        let weights: [Double]
        if case .repeatFactor(let t) = policy {
            // p_c ∝ g_c·r_c: the groups' expected draws.
            repeats = SamplingPolicy.repeatFactors(threshold: t, counts: counts, sampleCount: sampleCount ?? n)
            weights = zip(groupCounts ?? counts, repeats).map { Double($0) * $1 }
        } else {
            weights = policy.weights(counts: counts, epochInPhase: epochInPhase, phaseEpochs: phaseEpochs)
        }
        let total: Int
        switch length {
        case .samples(let s): total = Self.roundUp(s, batchSize)
        case .batches(let b): total = b * batchSize
        case .cover:
            if !repeats.isEmpty {
                let quotas = Self.repeatQuotas(groups: groupCounts ?? counts, repeats: repeats, weights: weights, batchSize: batchSize, seed: seed)
                self.quotas = quotas
                self.draws = quotas.reduce(0, +)
                self.batchCount = draws / batchSize
                return
            }
            total = Self.coverLength(counts: counts, weights: weights, batchSize: batchSize)
        }
        self.draws = total
        self.batchCount = total / batchSize
        self.quotas = Self.largestRemainder(total: total, weights: weights)
    }

    /// The quotas of a repeat-factor `cover` epoch, as LVIS and detectron2's
    /// `RepeatFactorTrainingSampler` draw: every sample of group c ⌊r_c⌋ times, and once more
    /// with probability r_c − ⌊r_c⌋, independently. The extras of a group are then
    /// X_c ~ Binomial(g_c, r_c − ⌊r_c⌋) — taking X_c more draws from a fresh pass of the group
    /// picks a uniform random subset of that size, which is the same as a Bernoulli draw per
    /// sample — so Q_c = g_c·⌊r_c⌋ + X_c, with X_c from stream c of `seed`. The sum is rounded
    /// up to a multiple of B by further draws, split by largest remainder among the samples not
    /// yet drawn ⌈r_c⌉ times (then, when there are fewer of those, by `weights`).
    ///
    /// - Complexity: O(K log K), O(1) expected per binomial.
    static func repeatQuotas(groups: [Int], repeats: [Double], weights: [Double], batchSize: Int, seed: UInt64) -> [Int] {
        var quotas = [Int](repeating: 0, count: groups.count)
        for (c, g) in groups.enumerated() where g > 0 {
            let whole = repeats[c].rounded(.down)
            var rng = Xoshiro256StarStar(seed: seed, stream: UInt64(c))
            quotas[c] = g * Int(whole) + rng.nextBinomial(count: g, probability: repeats[c] - whole)
        }
        // The padding goes first to samples not yet drawn ⌈r_c⌉ times (largest remainder of
        // that room never exceeds it), then, should there be too few, by the policy's shares.
        let drawn = quotas.reduce(0, +)
        var padding = Swift.max(batchSize, roundUp(drawn, batchSize)) - drawn
        let room = groups.indices.map { Double(Swift.max(0, groups[$0] * Int(repeats[$0].rounded(.up)) - quotas[$0])) }
        let roomTotal = Int(room.reduce(0, +))
        let intoRoom = roomTotal >= padding ? largestRemainder(total: padding, weights: room) : room.map { Int($0) }
        padding -= Swift.min(padding, roomTotal)
        for (c, extra) in largestRemainder(total: padding, weights: weights).enumerated() { quotas[c] += intoRoom[c] + extra }
        return quotas
    }

    /// ⌈x / b⌉·b.
    static func roundUp(_ x: Int, _ b: Int) -> Int { (x + b - 1) / b * b }

    /// The smallest multiple of B with T·p_c ≥ n_c for every class, so that every quota
    /// (at least ⌊T·p_c⌋) is at least n_c; stepped up further should floating-point rounding
    /// leave a quota short.
    static func coverLength(counts: [Int], weights: [Double], batchSize: Int) -> Int {
        let w = weights.reduce(0, +)
        var needed = 0.0
        for (c, n) in counts.enumerated() where n > 0 && weights[c] > 0 {
            needed = Swift.max(needed, Double(n) * w / weights[c])
        }
        // Just below the real-valued bound (floating-point error may land on either side of
        // it), then up until the rounded quotas cover every class.
        var total = Swift.max(batchSize, roundUp(Int((needed * (1 - 1e-12)).rounded(.down)), batchSize))
        while zip(largestRemainder(total: total, weights: weights), counts).contains(where: { $0 < $1 }) {
            total += batchSize
        }
        return total
    }

    /// Integers Q_c ≥ 0 summing to `total`, each ⌊total·w_c/Σw⌋ or one more: the remaining
    /// units go to the largest fractional parts, ties to the lower label (Hamilton's method).
    ///
    /// - Complexity: O(K log K).
    public static func largestRemainder(total: Int, weights: [Double]) -> [Int] {
        let w = weights.reduce(0, +)
        guard w > 0 else { return weights.map { _ in 0 } }
        var quotas = [Int](repeating: 0, count: weights.count)
        var fractions = [(Double, Int)]()
        fractions.reserveCapacity(weights.count)
        var assigned = 0
        for (c, weight) in weights.enumerated() {
            let exact = Double(total) * weight / w
            let whole = Swift.min(total, Int(exact.rounded(.down)))
            quotas[c] = whole
            assigned += whole
            fractions.append((exact - Double(whole), c))
        }
        if assigned > total {
            // Only floating-point error can do this: take the excess back from the largest.
            var excess = assigned - total
            for c in quotas.indices.sorted(by: { quotas[$0] > quotas[$1] }) where excess > 0 {
                let take = Swift.min(excess, quotas[c])
                quotas[c] -= take
                excess -= take
            }
            return quotas
        }
        fractions.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var left = total - assigned
        var i = 0
        while left > 0 {
            let c = fractions[i % fractions.count].1
            if weights[c] > 0 {
                quotas[c] += 1
                left -= 1
            }
            i += 1
        }
        return quotas
    }
}
