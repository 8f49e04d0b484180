"""The package's stratified split in plain Python, so PyTorch scripts hold out the same rows.

`stratified_split_rows(labels, fraction, seed)` returns what Swift's
`stratifiedSplitRows(_:testFraction:seed:)` (Sources/Datasets/LabelledDataset+Split.swift)
returns for the same labels: class c with n_c ≥ 2 rows gives round(fraction·n_c) of them
(halves away from zero), at least 1 and never all, to the held-out part; which ones is a
Fisher–Yates shuffle of the class's rows (ascending) with xoshiro256** seeded from
(seed, stream c) through SplitMix64, the package's generators (Sources/Datasets/Random/),
and Lemire's bounded draw. Both lists come back ascending.

Usage as a script (for the Swift test that checks the two agree):
    python3 scripts/longtail/package_split.py FRACTION SEED LABEL LABEL …   # prints the held-out rows
"""

import math
import sys

MASK = (1 << 64) - 1


def mix(value):
    """SplitMix64's finaliser."""
    z = value & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Xoshiro256StarStar:
    """xoshiro256** seeded by four SplitMix64 outputs, as Xoshiro256StarStar(seed:stream:)."""

    def __init__(self, seed, stream):
        state = mix(seed ^ mix((stream + 0x632BE59BD9B4E019) & MASK))   # deriveSeed
        self.s = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            self.s.append(mix(state))

    def next(self):
        s0, s1, s2, s3 = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 17) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def bounded(self, bound):
        """A uniform integer in [0, bound) by Lemire's multiply-and-reject (nextBounded)."""
        product = self.next() * bound
        if product & MASK < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64


def stratified_split_rows(labels, fraction, seed):
    """(training rows, held-out rows), both ascending, as the Swift function."""
    if not 0 < fraction < 1:
        raise ValueError(f"the test fraction must be between 0 and 1 (exclusive), got {fraction}")
    labels = [int(x) for x in labels]
    held = set()
    for c in range(max(labels) + 1 if labels else 0):
        rows = [i for i, label in enumerate(labels) if label == c]
        if len(rows) < 2:
            continue
        rng = Xoshiro256StarStar(seed, c)
        for i in range(len(rows) - 1, 0, -1):
            j = rng.bounded(i + 1)
            rows[i], rows[j] = rows[j], rows[i]
        exact = fraction * len(rows)
        wanted = math.floor(exact) + (1 if exact - math.floor(exact) >= 0.5 else 0)   # Swift's rounded()
        held.update(rows[:min(len(rows) - 1, max(1, wanted))])
    return [i for i in range(len(labels)) if i not in held], sorted(held)


if __name__ == "__main__":
    _, held_out = stratified_split_rows(sys.argv[3:], float(sys.argv[1]), int(sys.argv[2]))
    print(" ".join(map(str, held_out)))
