import Datasets

/// Counts, frequencies, imbalance and what a balanced epoch does to each class.
///
/// For batch size B = K·m a balanced epoch has b = ⌈M / m⌉ batches (M the largest class) and
/// draws d = b·m samples of every class; class c's repetition factor is d / n_c (how many times
/// an average sample of c is seen per epoch; ≥ 1 for every class).
public struct BalanceStatistics: Sendable, Equatable {
    /// Per-class figures, in label order.
    public struct ClassFigures: Sendable, Equatable {
        public var label: Int
        public var count: Int
        /// n_c / N.
        public var frequency: Double
        /// Draws of this class per balanced epoch (b·m).
        public var drawsPerEpoch: Int
        /// drawsPerEpoch / n_c.
        public var repetition: Double
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
    /// β used for the effective-number weights.
    public var beta: Double
    /// b = ⌈M / m⌉.
    public var balancedBatchesPerEpoch: Int
    /// ⌈N / B⌉ (⌊N / B⌋ with drop-last).
    public var finetuneBatchesPerEpoch: Int
    /// One entry per class.
    public var perClass: [ClassFigures]

    /// Computes the figures.
    ///
    /// - Parameters:
    ///   - counts: n_c for every class, each positive.
    ///   - batchSize: B, a positive multiple of K.
    ///   - beta: β in [0, 1) for the effective-number weights.
    ///   - dropLast: Whether fine-tune epochs drop a smaller last batch.
    /// - Throws: ``SamplingError`` for an empty class, a batch size that is not a multiple of K,
    ///   or β outside [0, 1).
    public init(counts: [Int], batchSize: Int, beta: Double = 0.999, dropLast: Bool = false) throws {
        let k = counts.count
        guard k >= 1 else { throw SamplingError.invalidParameter("there are no classes") }
        if let empty = counts.firstIndex(where: { $0 <= 0 }) {
            throw DatasetError.emptyClass(label: empty, classCount: k)
        }
        guard batchSize >= 1 else {
            throw SamplingError.invalidParameter("batch size must be at least 1, got \(batchSize)")
        }
        guard batchSize % k == 0 else {
            throw SamplingError.batchSizeNotMultiple(batchSize: batchSize, classCount: k)
        }
        let n = counts.reduce(0, +)
        let m = batchSize / k
        let largest = counts.max() ?? 0
        let batches = (largest + m - 1) / m
        let inverse = try ClassWeights.inverseFrequency(counts: counts)
        let effective = try ClassWeights.effectiveNumber(counts: counts, beta: beta)
        self.sampleCount = n
        self.classCount = k
        self.imbalanceRatio = Double(largest) / Double(counts.min() ?? 1)
        self.batchSize = batchSize
        self.beta = beta
        self.balancedBatchesPerEpoch = batches
        self.finetuneBatchesPerEpoch = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
        self.perClass = counts.enumerated().map { c, count in
            ClassFigures(
                label: c, count: count, frequency: Double(count) / Double(n),
                drawsPerEpoch: batches * m, repetition: Double(batches * m) / Double(count),
                weightInverse: inverse[c], weightEffective: effective[c])
        }
    }
}
