#!/usr/bin/env python3
"""Writes the HDF5 files the read benchmarks share (once; kept in bench/out, not committed):
features 1,110,000 x 64 float32 with imbalanced labels 1M/100k/10k, contiguous and chunked
(4096 x 64 rows, gzip 4 + shuffle)."""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
os.makedirs(out, exist_ok=True)
n, d = 1_110_000, 64
targets = {
    "contiguous.h5": dict(),
    "gzip.h5": dict(chunks=(4096, d), compression="gzip", compression_opts=4, shuffle=True),
}
if all(os.path.exists(os.path.join(out, name)) for name in targets):
    sys.exit(0)
rng = np.random.default_rng(0)
labels = np.concatenate([np.full(c, k, dtype=np.int64) for k, c in enumerate([1_000_000, 100_000, 10_000])])
rng.shuffle(labels)
# Smooth-ish values so gzip has something to find, as real features do.
features = (rng.standard_normal((n, d), dtype=np.float32) * 0.1 + labels[:, None].astype(np.float32)).round(3)
for name, options in targets.items():
    path = os.path.join(out, name)
    with h5py.File(path + ".tmp", "w") as f:
        f.create_dataset("features", data=features, **options)
        f.create_dataset("labels", data=labels)
    os.replace(path + ".tmp", path)
    print("wrote", path, file=sys.stderr)
