import Datasets
import Testing
@testable import Sampling

/// The prefetching shuffle is the Fisher–Yates shuffle of `fisherYatesShuffle(using:)`: the
/// same order and the same generator state after it, on both sides of its size threshold.
@Suite struct PrefetchingShuffleTests {
    @Test("same order and generator state as fisherYatesShuffle", arguments: [UInt64](0..<3))
    func sameAsFisherYates(seed: UInt64) {
        let threshold = UnsafeMutableBufferPointer<Int32>.prefetchThreshold
        let distance = UnsafeMutableBufferPointer<Int32>.prefetchDistance
        for n in [0, 1, 2, 97, threshold - 1, threshold, threshold + distance + 3, 3 * threshold + 1] {
            var expected = (0..<Int32(n)).map { $0 &* 7 &+ 3 }
            var actual = expected
            var expectedRNG = Xoshiro256StarStar(seed: seed, stream: UInt64(n))
            var actualRNG = expectedRNG
            expected.fisherYatesShuffle(using: &expectedRNG)
            actual.withUnsafeMutableBufferPointer { $0.prefetchingShuffle(using: &actualRNG) }
            #expect(actual == expected, "seed \(seed), n = \(n): another order")
            #expect(actualRNG == expectedRNG, "seed \(seed), n = \(n): the generator left in another state")
            if n > 97 { #expect(actual != actual.sorted(), "seed \(seed), n = \(n): not shuffled") }
        }
    }
}
