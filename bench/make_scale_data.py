#!/usr/bin/env python3
"""bench/scale's input: N int8 labels (50/30/20% of classes 0/1/2, shuffled, chunked + gzip)
and a float32 features dataset [N, 1] of zeros, chunked + gzip (so the file stays small; the
commands check its shape but must not read it)."""
import os
import sys

import h5py
import numpy as np

path, n = sys.argv[1], int(sys.argv[2])
if os.path.exists(path):
    sys.exit(0)
rng = np.random.default_rng(0)
with h5py.File(path + ".tmp", "w") as f:
    features = f.create_dataset("features", shape=(n, 1), dtype="f4", chunks=(min(n, 1 << 20), 1), compression="gzip")
    zeros = np.zeros((min(n, 10_000_000), 1), dtype=np.float32)
    for start in range(0, n, len(zeros)):
        m = min(len(zeros), n - start)
        features[start:start + m] = zeros[:m]
    labels = f.create_dataset("labels", shape=(n,), dtype="i1", chunks=(min(n, 1 << 20),), compression="gzip")
    block = 10_000_000
    for start in range(0, n, block):
        m = min(block, n - start)
        labels[start:start + m] = rng.choice(3, size=m, p=[0.5, 0.3, 0.2]).astype(np.int8)
os.replace(path + ".tmp", path)
