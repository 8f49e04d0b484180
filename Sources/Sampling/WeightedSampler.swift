import Datasets

/// With-replacement sampling by weight, what PyTorch's `WeightedRandomSampler` does: each draw
/// picks item `i` with probability `w_i / Σ w`.
///
/// Built on Walker's alias method (Vose's construction, 1991): O(n) to build, O(1) a draw, two
/// random numbers per draw. It is the baseline the balanced sampler is measured against: with
/// inverse-frequency weights every class is drawn equally often *on average*, but some samples
/// are drawn many times and others never in an epoch.
///
/// ```swift
/// var sampler = try WeightedSampler(weights: [1, 1, 8])
/// var rng = Xoshiro256StarStar(seed: 7)
/// let i = sampler.draw(using: &rng)      // 2 with probability 0.8
/// ```
public struct WeightedSampler: Sendable, Equatable {
    /// Probability of keeping column `i` (scaled so the mean column is 1).
    private let threshold: [Double]
    /// The other item of column `i`.
    private let alias: [Int32]

    /// The number of items.
    public var count: Int { threshold.count }

    /// Builds the alias table.
    ///
    /// - Parameter weights: Non-negative, finite, not all zero.
    /// - Throws: ``SamplingError/invalidParameter(_:)`` naming the first bad weight.
    /// - Complexity: O(n).
    public init(weights: [Double]) throws {
        guard !weights.isEmpty else { throw SamplingError.invalidParameter("weights must not be empty") }
        guard weights.count <= Int(Int32.max) else { throw SamplingError.tooManySamples(weights.count) }
        if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw SamplingError.invalidParameter("weight \(weights[bad]) at index \(bad) is invalid; expected a finite number ≥ 0")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw SamplingError.invalidParameter("weights sum to 0; expected at least one positive weight") }
        let n = weights.count
        var scaled = weights.map { $0 * Double(n) / total }
        var alias = [Int32](repeating: 0, count: n)
        var small = [Int32]()
        var large = [Int32]()
        for i in 0..<n {
            if scaled[i] < 1 { small.append(Int32(i)) } else { large.append(Int32(i)) }
        }
        while let s = small.popLast(), let l = large.last {
            alias[Int(s)] = l
            scaled[Int(l)] -= 1 - scaled[Int(s)]
            if scaled[Int(l)] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever is left is 1 up to rounding.
        for i in large { scaled[Int(i)] = 1 }
        for i in small { scaled[Int(i)] = 1 }
        self.threshold = scaled
        self.alias = alias
    }

    /// Per-class weights spread over samples: class `c` is drawn with probability
    /// `∝ counts[c] · classWeights[c]` (use ``ClassWeights/inverseFrequency(counts:)`` for
    /// PyTorch's usual recipe, which makes every class equally likely).
    public init(classWeights: [Double], counts: [Int]) throws {
        guard classWeights.count == counts.count else {
            throw SamplingError.invalidParameter("\(classWeights.count) class weights for \(counts.count) classes; expected one per class")
        }
        try self.init(weights: zip(classWeights, counts).map { $0 * Double($1) })
    }

    /// One draw: an item index in `0..<count`.
    @inlinable
    public func draw<G: RandomNumberGenerator>(using rng: inout G) -> Int {
        let column = rng.nextBounded(count)
        return rng.nextUnitDouble() < threshold(at: column) ? column : Int(alias(at: column))
    }

    @usableFromInline func threshold(at i: Int) -> Double { threshold[i] }
    @usableFromInline func alias(at i: Int) -> Int32 { alias[i] }
}
