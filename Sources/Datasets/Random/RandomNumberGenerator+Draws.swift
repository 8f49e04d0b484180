#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// Our own draws on top of any generator. Their algorithms are fixed here, so a seed gives the
// same values on every platform and toolchain, unlike the standard library's, which do not
// promise to stay the same.

extension RandomNumberGenerator {
    /// A uniform integer in `0..<bound`, without modulo bias (Lemire, "Fast Random Integer
    /// Generation in an Interval", 2019: multiply-shift with rejection).
    ///
    /// - Parameter bound: The exclusive upper bound; must be positive.
    /// - Complexity: O(1) expected; rejection happens with probability below `bound / 2⁶⁴`.
    @inlinable
    public mutating func nextBounded(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "nextBounded needs a positive bound")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform `Int` in `0..<bound`; see ``nextBounded(_:)-(UInt64)``.
    @inlinable
    public mutating func nextBounded(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: nextBounded(UInt64(bound)))
    }

    /// A uniform `Double` in [0, 1): the top 53 bits of one draw, times 2⁻⁵³.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform `Float` in [0, 1): the top 24 bits of one draw, times 2⁻²⁴.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A uniform `Double` in `[lower, upper)`.
    @inlinable
    public mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnitDouble()
    }

    /// A standard normal draw: the first of ``nextNormalPair()``.
    @inlinable
    public mutating func nextNormal() -> Double {
        nextNormalPair().0
    }

    /// Two independent standard normals from one Box–Muller transform:
    /// `r = √(−2 ln u₁)`, `(r cos 2πu₂, r sin 2πu₂)`, with `u₁ ∈ (0, 1]` (so the logarithm is
    /// finite) and `u₂ ∈ [0, 1)` each from one 64-bit draw.
    @inlinable
    public mutating func nextNormalPair() -> (Double, Double) {
        let u1 = 1.0 - nextUnitDouble()
        let u2 = nextUnitDouble()
        let r = (-2.0 * log(u1)).squareRoot()
        let (s, c) = sineCosine(2.0 * Double.pi * u2)
        return (r * c, r * s)
    }
}

extension MutableCollection where Self: RandomAccessCollection {
    /// Shuffles the collection in place with the Fisher–Yates (Durstenfeld) algorithm and
    /// ``Swift/RandomNumberGenerator/nextBounded(_:)-(Int)``: for i from the last index down,
    /// swap element i with a uniform pick among 0...i. Fixed algorithm, so a seed gives the same
    /// order everywhere.
    ///
    /// Contiguous storage (arrays, buffers) is shuffled through a pointer, without the
    /// per-swap checks of the generic path; both paths give the same order.
    ///
    /// - Complexity: O(n), one draw per element but the first.
    @inlinable
    public mutating func fisherYatesShuffle<G: RandomNumberGenerator>(using rng: inout G) {
        let n = count
        guard n > 1 else { return }
        let done: Void? = withContiguousMutableStorageIfAvailable { buffer in
            guard let base = buffer.baseAddress else { return }
            // A local copy of the generator can live in registers: the stores into the buffer
            // cannot alias it, as they could alias `rng` itself.
            var local = rng
            var i = n - 1
            while i > 0 {
                let j = local.nextBounded(i + 1)
                let tmp = base[i]
                base[i] = base[j]
                base[j] = tmp
                i -= 1
            }
            rng = local
        }
        guard done == nil else { return }
        var i = n - 1
        while i > 0 {
            let j = rng.nextBounded(i + 1)
            if j != i {
                swapAt(index(startIndex, offsetBy: i), index(startIndex, offsetBy: j))
            }
            i -= 1
        }
    }
}
