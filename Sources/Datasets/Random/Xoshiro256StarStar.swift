/// xoshiro256** (Blackman & Vigna, 2018), the generator behind every random choice in this
/// package.
///
/// Seeding expands a 64-bit seed with ``SplitMix64``, as the authors recommend. A seed means the
/// same sequence of bits on every platform and Swift release: nothing here depends on the
/// standard library's unspecified algorithms (`shuffle(using:)`, `Int.random(in:using:)`), which
/// may change between releases. Use the draws in `RandomNumberGenerator+Draws.swift` and
/// ``Swift/MutableCollection/fisherYatesShuffle(using:)`` on top of it.
///
/// ```swift
/// var rng = Xoshiro256StarStar(seed: 42)
/// let die = rng.nextBounded(6) + 1
/// var epochRNG = Xoshiro256StarStar(seed: 42, stream: 3)   // independent stream for epoch 3
/// ```
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Creates a generator from a 64-bit seed (state = four SplitMix64 outputs of `seed`).
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    /// Creates a generator for sub-stream `stream` of `seed`.
    ///
    /// Different `(seed, stream)` pairs give unrelated sequences; the same pair always gives the
    /// same one. The samplers use it so that `(seed, epoch)` alone fixes an epoch.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: Xoshiro256StarStar.deriveSeed(seed, stream: stream))
    }

    /// Creates a generator for the sub-stream `(stream, substream)` of `seed`.
    public init(seed: UInt64, stream: UInt64, substream: UInt64) {
        let first = Xoshiro256StarStar.deriveSeed(seed, stream: stream)
        self.init(seed: Xoshiro256StarStar.deriveSeed(first, stream: substream))
    }

    /// Creates a generator from its four state words (not all zero).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    /// The four state words.
    public var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// Returns the next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }

    /// A sub-seed for `(seed, stream)`: two rounds of the SplitMix64 finaliser. Chains of it
    /// name independent streams, e.g. `deriveSeed(deriveSeed(seed, stream: epoch), stream: 0)`.
    @inlinable
    public static func deriveSeed(_ seed: UInt64, stream: UInt64) -> UInt64 {
        SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0x632B_E59B_D9B4_E019))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.state == rhs.state }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(s0); hasher.combine(s1); hasher.combine(s2); hasher.combine(s3)
    }
}
