/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny 64-bit generator used to expand one seed into
/// the state of ``Xoshiro256StarStar`` and to derive independent sub-seeds.
///
/// The sequence for a seed is fixed by the algorithm, so it is the same on every platform and
/// toolchain (the test suite pins it against a reference implementation).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The current state; the next output is a function of `state &+ 0x9E3779B97F4A7C15`.
    public var state: UInt64

    /// Creates a generator whose first output is the SplitMix64 mix of `seed + golden gamma`.
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser (a bijection on 64-bit words with good avalanche).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
