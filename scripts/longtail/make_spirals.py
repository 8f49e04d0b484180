"""Write a spiral dataset in the package's HDF5 layout, as `datatool gen-spiral` does.

Usage:
    python3 scripts/longtail/make_spirals.py --counts 1000,100,10 --noise 0.2 --seed 1 --output spiral-train.h5
    python3 scripts/longtail/make_spirals.py --counts 500,500,500 --noise 0.2 --seed 2 --output spiral-test.h5

Class c of K with n_c points (t evenly spaced on [0, 1]; one point sits at t = 0):
    x = t · (sin θ, cos θ),   θ = (2π/K)(2t + c) + ε,   ε ~ N(0, σ²)

The points follow the same formula as `datatool gen-spiral --counts … --noise …`, but the noise
comes from NumPy's generator, not the Swift one, so the files differ in their draws (not in
distribution). Root attributes: generator, classes, counts, noise, seed, formula.
"""

import argparse
import sys

import numpy as np

from labelled_h5 import write_labelled


def spirals(counts, noise, seed):
    """Features [Σn_c, 2] float32 and labels int64, class by class."""
    rng = np.random.default_rng(seed)
    k = len(counts)
    features, labels = [], []
    for c, n in enumerate(counts):
        t = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
        theta = (2 * np.pi / k) * (2 * t + c) + noise * rng.standard_normal(n)
        features.append(np.stack([t * np.sin(theta), t * np.cos(theta)], axis=1))
        labels.append(np.full(n, c, dtype=np.int64))
    return np.concatenate(features).astype(np.float32), np.concatenate(labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", required=True, help="points per class, comma-separated, e.g. 1000,100,10")
    parser.add_argument("--noise", type=float, default=0.2, help="σ of the angle noise in radians (default 0.2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", required=True)
    parser.add_argument("--chunk-rows", type=int, default=None,
                        help="rows per chunk of /features (default about 64 KiB a chunk); small chunks make a chunk-local order matter")
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)
    try:
        counts = [int(x) for x in args.counts.split(",")]
    except ValueError:
        parser.error(f"--counts must be whole numbers separated by commas, got {args.counts!r}")
    if not counts or min(counts) < 1:
        parser.error(f"--counts needs at least one class and every count at least 1, got {args.counts!r}")
    if args.chunk_rows is not None and args.chunk_rows < 1:
        parser.error(f"--chunk-rows must be at least 1, got {args.chunk_rows}")
    if not np.isfinite(args.noise) or args.noise < 0:
        parser.error(f"--noise must be a finite number ≥ 0, got {args.noise}")
    features, labels = spirals(counts, args.noise, args.seed)
    try:
        write_labelled(args.output, features, labels, {
            "generator": "spiral", "classes": len(counts), "counts": counts, "noise": args.noise,
            "seed": args.seed,
            "formula": "x = t*(sin θ, cos θ), θ = (2π/K)(2t + c) + N(0, σ²), t evenly spaced on [0, 1]",
        }, overwrite=args.force, chunk_rows=args.chunk_rows)
    except (FileExistsError, ValueError) as error:
        sys.exit(f"make_spirals.py: {error}")
    print(f"wrote {args.output}: {len(labels)} points, {len(counts)} classes "
          f"({'/'.join(map(str, counts))}), σ = {args.noise}, seed {args.seed}")


if __name__ == "__main__":
    main()
