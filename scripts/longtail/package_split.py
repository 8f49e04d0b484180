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
import pathlib
import sys

# The package's generators in Python, shared with the fixture scripts.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "fixtures"))
from make_random_fixtures import Xoshiro  # noqa: E402


def stratified_split_rows(labels, fraction, seed):
    """(training rows, held-out rows), both ascending, as the Swift function."""
    if not 0 < fraction < 1:
        raise ValueError(f"the test fraction must be between 0 and 1 (exclusive), got {fraction}")
    labels = [int(x) for x in labels]
    if any(label < 0 for label in labels):
        raise ValueError(f"labels must be 0 or more, got {min(labels)}")
    by_class = [[] for _ in range(max(labels) + 1 if labels else 0)]
    for i, label in enumerate(labels):
        by_class[label].append(i)       # each class's rows, ascending
    held = set()
    for c, rows in enumerate(by_class):
        if len(rows) < 2:
            continue
        Xoshiro.stream(seed, c).shuffle(rows)
        exact = fraction * len(rows)
        wanted = math.floor(exact) + (1 if exact - math.floor(exact) >= 0.5 else 0)   # Swift's rounded()
        held.update(rows[:min(len(rows) - 1, max(1, wanted))])
    return [i for i in range(len(labels)) if i not in held], sorted(held)


if __name__ == "__main__":
    _, held_out = stratified_split_rows(sys.argv[3:], float(sys.argv[1]), int(sys.argv[2]))
    print(" ".join(map(str, held_out)))
