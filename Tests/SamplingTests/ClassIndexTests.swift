import Datasets
import Testing
@testable import Sampling

@Suite struct ClassIndexTests {
    @Test("grouping is by class, ascending within a class, for any N (lane tails included)", arguments: [1, 2, 3, 4, 5, 7, 8, 9, 100, 1001, 12_345])
    func groupsAscending(n: Int) throws {
        var rng = Xoshiro256StarStar(seed: UInt64(n))
        let k = 1 + rng.nextBounded(5)
        let labels = (0..<n).map { _ in Int32(rng.nextBounded(k)) }
        let index = try ClassIndex(labels: labels, classCount: k, requireEveryClass: false)
        #expect(index.offsets.count == k + 1 && index.offsets.last == n)
        for c in 0..<k {
            let expected = (0..<n).filter { labels[$0] == c }.map { Int32($0) }
            #expect(Array(index.indices[index.offsets[c]..<index.offsets[c + 1]]) == expected, "n \(n) class \(c)")
        }
        // Regrouping into scrambled storage restores the same order.
        var scrambled = index.indices
        scrambled.fisherYatesShuffle(using: &rng)
        index.group(labels: labels, into: &scrambled)
        #expect(scrambled == index.indices)
    }
}
