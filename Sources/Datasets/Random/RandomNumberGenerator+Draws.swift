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

    /// The number of successes in `count` independent trials of probability `probability`:
    /// a draw from Binomial(n, p).
    ///
    /// For n·min(p, 1 − p) < 10, inversion (walking the probabilities up from 0); above, the
    /// transformed rejection with squeeze "BTRS" of Hörmann ("The generation of binomial random
    /// variates", J. Statist. Comput. Simul. 46, 1993), which takes O(1) draws on average.
    /// Both work on min(p, 1 − p) and mirror the result for p > ½. The rejection test uses the
    /// C library's `lgamma`, whose last bit may differ between platforms.
    ///
    /// - Parameters:
    ///   - count: n ≥ 0.
    ///   - probability: p in [0, 1].
    /// - Returns: An integer in `0...count`.
    /// - Complexity: O(min(n·p, 10)) expected.
    public mutating func nextBinomial(count n: Int, probability p: Double) -> Int {
        precondition(n >= 0 && p >= 0 && p <= 1, "binomial needs n ≥ 0 and p in [0, 1], got n = \(n), p = \(p)")
        let small = Swift.min(p, 1 - p)
        guard n > 0 && small > 0 else { return p > 0.5 ? n : 0 }
        let k = Double(n) * small < 10 ? binomialByInversion(n, small) : binomialByRejection(n, small)
        return p > 0.5 ? n - k : k
    }

    /// Binomial(n, p) for n·p < 10, p ≤ ½: the smallest k whose cumulative probability
    /// exceeds one uniform draw, with P(k + 1) = P(k)·(n − k)/(k + 1)·p/(1 − p).
    private mutating func binomialByInversion(_ n: Int, _ p: Double) -> Int {
        let q = 1 - p, odds = p / q
        var u = nextUnitDouble()
        var probability = pow(q, Double(n))
        var k = 0
        while u >= probability && k < n {
            u -= probability
            probability *= odds * Double(n - k) / Double(k + 1)
            k += 1
        }
        return k
    }

    /// Binomial(n, p) for n·p ≥ 10, p ≤ ½, by Hörmann's BTRS.
    private mutating func binomialByRejection(_ n: Int, _ p: Double) -> Int {
        let q = 1 - p, nd = Double(n)
        let spq = (nd * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = nd * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let logOdds = log(p / q)
        let mode = ((nd + 1) * p).rounded(.down)
        let h = lgamma(mode + 1) + lgamma(nd - mode + 1)
        while true {
            let u = nextUnitDouble() - 0.5
            let v = nextUnitDouble()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            guard k >= 0 && k <= nd else { continue }
            if us >= 0.07 && v <= vr { return Int(k) }
            let logV = log(v * alpha / (a / (us * us) + b))
            if logV <= h - lgamma(k + 1) - lgamma(nd - k + 1) + (k - mode) * logOdds { return Int(k) }
        }
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
