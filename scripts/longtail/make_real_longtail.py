"""Make a long-tailed training file and a balanced test file from scikit-learn's digits.

Usage:
    python3 scripts/longtail/make_real_longtail.py --output-dir /tmp/digits-lt [--ratio 100] [--n-max 100] [--seed 0]

Source: `sklearn.datasets.load_digits` — the UCI optical handwritten digits test set (1,797
8×8 grey-level images, 64 features, 10 classes of 174–183 images), shipped inside the
scikit-learn wheel, so nothing is downloaded.

Training split (long-tailed, exponential profile): class c of K keeps
    n_c = round(n_max · ratio^(−c/(K−1)))
images, so class 0 (digit 0) is the head with n_max and class K−1 (digit 9) the tail with
n_max/ratio. With the defaults (n_max = 100, ratio 100) the counts are
    100, 60, 36, 22, 13, 8, 5, 3, 2, 1   (250 images, imbalance ratio exactly 100).
Which images of a class go to training is a seeded shuffle (`numpy.random.default_rng(seed)`).

Test split (balanced): from the images not used for training, the same number of every class,
as many as the data allows: m = min_c (available_c − n_c) (78 a class with the defaults, 780
images; digit 0 limits it). Training and test never share an image.

Features are standardised with the mean and standard deviation of the TRAINING split only
(sklearn's StandardScaler: a constant feature keeps scale 1), applied to both files.

Output: `<output-dir>/digits-lt-train.h5` and `<output-dir>/digits-lt-test.h5` in the package's
layout (`/features` float32 [N, 64], `/labels` int64 [N]; see labelled_h5.py) with root
attributes source, split, ratio, n_max, counts, seed, standardisation and profile.
"""

import argparse
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from labelled_h5 import write_labelled


def long_tail_counts(n_max, ratio, k):
    """n_c = round(n_max · ratio^(−c/(K−1))) for c = 0 … K−1, each at least 1."""
    return [max(1, int(round(n_max * ratio ** (-c / (k - 1))))) for c in range(k)]


def split_rows(labels, counts, seed):
    """Training rows (counts[c] of class c) and balanced test rows, both sorted, disjoint."""
    rng = np.random.default_rng(seed)
    k = len(counts)
    by_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(k)]
    spare = [len(rows) - n for rows, n in zip(by_class, counts)]
    if min(spare) < 1:
        c = int(np.argmin(spare))
        raise ValueError(f"class {c} has {len(by_class[c])} images, fewer than the {counts[c]} training "
                         f"images asked for plus one for the test split; lower --n-max")
    per_class_test = min(spare)
    train = np.sort(np.concatenate([rows[:n] for rows, n in zip(by_class, counts)]))
    test = np.sort(np.concatenate([rows[n:n + per_class_test] for rows, n in zip(by_class, counts)]))
    return train, test, per_class_test


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output-dir", required=True, help="folder for digits-lt-train.h5 and digits-lt-test.h5")
    parser.add_argument("--ratio", type=float, default=100.0, help="imbalance ratio n_max / n_min (default 100)")
    parser.add_argument("--n-max", type=int, default=100, help="training images of the head class (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the per-class shuffles (default 0)")
    parser.add_argument("--chunk-rows", type=int, default=None,
                        help="rows per chunk of /features (default about 64 KiB a chunk); small chunks make a chunk-local order matter")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    args = parser.parse_args(argv)
    if not np.isfinite(args.ratio) or args.ratio < 1:
        parser.error(f"--ratio must be a finite number ≥ 1, got {args.ratio}")
    if args.n_max < 1:
        parser.error(f"--n-max must be at least 1, got {args.n_max}")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        parser.error(f"--chunk-rows must be at least 1, got {args.chunk_rows}")

    digits = load_digits()
    features = digits.data.astype(np.float64)
    labels = digits.target.astype(np.int64)
    k = int(labels.max()) + 1
    counts = long_tail_counts(args.n_max, args.ratio, k)
    try:
        train, test, per_class_test = split_rows(labels, counts, args.seed)
    except ValueError as error:
        sys.exit(f"make_real_longtail.py: {error}")
    scaler = StandardScaler().fit(features[train])

    common = {
        "source": "sklearn.datasets.load_digits (UCI optical handwritten digits, 8x8, shipped in scikit-learn)",
        "sklearn_version": __import__("sklearn").__version__,
        "classes": k, "ratio": args.ratio, "n_max": args.n_max, "seed": args.seed,
        "profile": "n_c = round(n_max * ratio^(-c/(K-1))), class 0 the head",
        "standardisation": "StandardScaler fitted on the training split only",
        "train_counts": counts, "test_per_class": per_class_test,
    }
    os.makedirs(args.output_dir, exist_ok=True)
    outputs = [("train", train, counts), ("test", test, [per_class_test] * k)]
    paths = [os.path.join(args.output_dir, f"digits-lt-{split}.h5") for split, _, _ in outputs]
    existing = [p for p in paths if os.path.exists(p)]
    if existing and not args.force:
        sys.exit(f"make_real_longtail.py: {', '.join(existing)} exists; pass --force to replace")
    for path, (split, rows, split_counts) in zip(paths, outputs):
        write_labelled(path, scaler.transform(features[rows]), labels[rows],
                       dict(common, split=split, counts=split_counts), overwrite=args.force,
                       chunk_rows=args.chunk_rows)
        print(f"wrote {path}: {len(rows)} images, counts {'/'.join(map(str, split_counts))}")


if __name__ == "__main__":
    main()
