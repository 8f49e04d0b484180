import Datasets
import CVectorMath

extension UnsafeMutableBufferPointer where Element == Int32 {
    /// Shuffles in place with ``Swift/MutableCollection/fisherYatesShuffle(using:)``'s
    /// algorithm: the same order for the same generator, and the generator left in the same
    /// state.
    ///
    /// A buffer larger than the cache (``prefetchThreshold`` elements or more) is shuffled with
    /// its swap positions drawn ``prefetchDistance`` steps ahead and prefetched, so the cache
    /// misses of the random swaps overlap instead of stalling one after another (about 1.7×
    /// faster for a class of a million samples). The draws are the same, in the same order;
    /// only when each is made changes.
    ///
    /// - Complexity: O(n), one draw per element but the first.
    mutating func prefetchingShuffle(using rng: inout Xoshiro256StarStar) {
        let n = count
        guard n >= Self.prefetchThreshold, let base = baseAddress else {
            fisherYatesShuffle(using: &rng)
            return
        }
        let distance = Self.prefetchDistance
        var outside = rng
        withUnsafeTemporaryAllocation(of: Int.self, capacity: distance) { ring in
            // A copy of the generator local to the loop can live in registers.
            var local = outside
            defer { outside = local }
            ring.initialize(repeating: 0)
            // Step i of the shuffle swaps i with a uniform j in 0...i, for i from n − 1 down to
            // 1. Step `ahead` = i − distance has its j drawn (into the ring slot step i's j is
            // read from just before) and its position prefetched; the first `distance` turns
            // only draw. One draw site, so the bounded draw is inlined.
            let mask = distance - 1
            var ahead = n - 1
            var i = n - 1 + distance
            while i > 0 {
                let j = ring[i & mask]
                if ahead > 0 {
                    let k = local.nextBounded(ahead + 1)
                    ring[ahead & mask] = k
                    cvm_prefetch_for_writing(base + k)
                    ahead -= 1
                }
                if i < n {
                    let tmp = base[i]
                    base[i] = base[j]
                    base[j] = tmp
                }
                i -= 1
            }
        }
        rng = outside
    }

    /// Elements from which ``prefetchingShuffle(using:)`` prefetches: 1 MiB of `Int32`, about
    /// where a buffer stops fitting the cache of one core (smaller ones are faster without).
    static var prefetchThreshold: Int { 1 << 18 }

    /// Steps between drawing a swap position and making the swap (a power of 2).
    static var prefetchDistance: Int { 16 }
}
