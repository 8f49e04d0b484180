import Foundation
import Testing
@testable import Datasets

/// Pins the generators and draws to `scripts/fixtures/make_random_fixtures.py`, an independent
/// implementation of the published algorithms: a seed must mean the same numbers everywhere.
@Suite struct RandomTests {
    let expected: [String: Any]

    init() throws { expected = try fixtures.jsonObject("random/expected.json") }

    private func words(_ any: Any?) throws -> [UInt64] {
        let strings = try #require(any as? [String])
        return try strings.map { try #require(UInt64($0)) }
    }

    @Test func splitMix64MatchesReference() throws {
        let cases = try #require(expected["splitmix64"] as? [[String: Any]])
        #expect(cases.count == 4)
        for entry in cases {
            let seed = try #require((entry["seed"] as? NSNumber)?.uint64Value)
            var rng = SplitMix64(seed: seed)
            let got = (0..<8).map { _ in rng.next() }
            #expect(got == (try words(entry["outputs"])), "seed \(seed)")
        }
        // The published first output for seed 0 (0xE220A8397B1DCDAF).
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test func xoshiroMatchesReference() throws {
        for entry in try #require(expected["xoshiro"] as? [[String: Any]]) {
            let seed = try #require((entry["seed"] as? NSNumber)?.uint64Value)
            var rng = Xoshiro256StarStar(seed: seed)
            #expect((0..<8).map { _ in rng.next() } == (try words(entry["outputs"])), "seed \(seed)")
        }
        for entry in try #require(expected["streams"] as? [[String: Any]]) {
            let seed = try #require((entry["seed"] as? NSNumber)?.uint64Value)
            let stream = try #require((entry["stream"] as? NSNumber)?.uint64Value)
            var rng = Xoshiro256StarStar(seed: seed, stream: stream)
            #expect((0..<4).map { _ in rng.next() } == (try words(entry["outputs"])), "seed \(seed) stream \(stream)")
        }
    }

    private func doubles(_ any: Any?) throws -> [Double] {
        let strings = try #require(any as? [String])
        return try strings.map { try #require(Double($0)) }
    }

    @Test func drawsMatchReference() throws {
        let bounded = try #require(expected["bounded"] as? [String: Any])
        let bounds = try words(bounded["bounds"])
        var rng = Xoshiro256StarStar(seed: 2024)
        let got = (0..<4).flatMap { _ in bounds.map { rng.nextBounded($0) } }
        #expect(got == (try words(bounded["outputs"])))

        let unitDouble = try doubles((expected["unit_double"] as? [String: Any])?["outputs"])
        rng = Xoshiro256StarStar(seed: 99)
        #expect((0..<16).map { _ in rng.nextUnitDouble() } == unitDouble)

        let unitFloat = try doubles((expected["unit_float"] as? [String: Any])?["outputs"])
        rng = Xoshiro256StarStar(seed: 99)
        #expect((0..<16).map { _ in Double(rng.nextUnitFloat()) } == unitFloat)

        // Normals go through libm's log and cos, which may differ in the last bit between
        // platforms: compare to 1e-12.
        let normal = try doubles((expected["normal"] as? [String: Any])?["outputs"])
        rng = Xoshiro256StarStar(seed: 5)
        for (got, want) in zip((0..<16).map { _ in rng.nextNormal() }, normal) {
            #expect(abs(got - want) <= 1e-12 * max(1, abs(want)))
        }

        let pairs = try doubles((expected["normal_pairs"] as? [String: Any])?["outputs"])
        rng = Xoshiro256StarStar(seed: 6)
        var drawn = [Double]()
        for _ in 0..<8 {
            let (a, b) = rng.nextNormalPair()
            drawn += [a, b]
        }
        #expect(drawn.count == pairs.count)
        for (got, want) in zip(drawn, pairs) {
            #expect(abs(got - want) <= 1e-12 * max(1, abs(want)))
        }

        let shuffle = try #require((expected["shuffle"] as? [String: Any])?["outputs"] as? [Int])
        rng = Xoshiro256StarStar(seed: 11)
        var items = Array(0..<50)
        items.fisherYatesShuffle(using: &rng)
        #expect(items == shuffle)
    }

    @Test func boundedIsUniform() {
        // 6 buckets, 600,000 draws: each share has sd ≈ 0.00048; bound 0.003 (> 6 sd).
        var rng = Xoshiro256StarStar(seed: 3)
        var hits = [Int](repeating: 0, count: 6)
        for _ in 0..<600_000 { hits[rng.nextBounded(6)] += 1 }
        for h in hits { #expect(abs(Double(h) / 600_000 - 1.0 / 6) < 0.003) }
    }

    @Test func normalHasUnitVariance() {
        // 200,000 draws: sd of the mean ≈ 0.0022, of the variance ≈ 0.0032; bounds 0.015.
        var rng = Xoshiro256StarStar(seed: 8)
        let n = 200_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<n {
            let z = rng.nextNormal()
            sum += z
            squares += z * z
        }
        let mean = sum / Double(n)
        #expect(abs(mean) < 0.015)
        #expect(abs(squares / Double(n) - mean * mean - 1) < 0.015)
    }

    @Test func sineCosineMatchesLibm() {
        var worst = 0.0
        var x = -2000.0
        while x < 2000 {
            let (s, c) = sineCosine(x)
            worst = max(worst, abs(s - sin(x)), abs(c - cos(x)))
            x += 0.000_977
        }
        #expect(worst < 1e-13, "largest difference \(worst)")
        for x in [0.0, -0.0, Double.pi / 4, Double.pi / 2, Double.pi, 1e5 + 0.3, 2e6, -3e7, 1e300] {
            let (s, c) = sineCosine(x)
            #expect(abs(s - sin(x)) < 1e-12 && abs(c - cos(x)) < 1e-12, "x = \(x)")
        }
    }

    @Test func streamsDiffer() {
        var a = Xoshiro256StarStar(seed: 1, stream: 0)
        var b = Xoshiro256StarStar(seed: 1, stream: 1)
        var c = Xoshiro256StarStar(seed: 1, stream: 0, substream: 0)
        #expect(a.next() != b.next())
        #expect(c.next() != Xoshiro256StarStar(seed: 1, stream: 0).state.0)
    }
}
