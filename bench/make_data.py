#!/usr/bin/env python3
"""Writes the HDF5 files the read and training benchmarks share (once; kept in bench/out, not
committed):

- contiguous.h5, gzip.h5: features 1,110,000 x 64 float32 with imbalanced labels 1M/100k/10k,
  contiguous and chunked (4096 x 64 rows, gzip 4 + shuffle).
- embeddings_lt.h5 (the embeddings_epoch row): an ImageNet-LT-shaped set of D = 512 embeddings,
  1,000 classes with n_c = round(1280 * (5/1280)^(c/999)) rows (1,280 down to 5; 230,341 in all),
  rows in a seeded random order. Class c's rows are mu_c + 0.25 * N(0, I): the means are random
  unit vectors, so nearest-true-mean classification is right about 76% of the time (learnable,
  not trivial, and the tail classes have few rows to learn from). /features float32 [N, 512],
  contiguous (not chunked, not compressed): Gaussian floats barely compress, and h5py reads a
  random row of an uncompressed chunked dataset by reading its whole chunk (measured: 22 us a
  row contiguous, 68 us with 64-row chunks, 500 us with 1,024-row chunks), which would time
  the anchor's layout, not its loader; /labels int64 [N].
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
os.makedirs(out, exist_ok=True)


def write(name, features, labels, **options):
    path = os.path.join(out, name)
    with h5py.File(path + ".tmp", "w") as f:
        f.create_dataset("features", data=features, **options)
        f.create_dataset("labels", data=labels)
    os.replace(path + ".tmp", path)
    print("wrote", path, file=sys.stderr)


def reads():
    n, d = 1_110_000, 64
    rng = np.random.default_rng(0)
    labels = np.concatenate([np.full(c, k, dtype=np.int64) for k, c in enumerate([1_000_000, 100_000, 10_000])])
    rng.shuffle(labels)
    # Smooth-ish values so gzip has something to find, as real features do.
    features = (rng.standard_normal((n, d), dtype=np.float32) * 0.1 + labels[:, None].astype(np.float32)).round(3)
    write("contiguous.h5", features, labels)
    write("gzip.h5", features, labels, chunks=(4096, d), compression="gzip", compression_opts=4, shuffle=True)


def long_tail_counts(classes=1000, largest=1280, smallest=5):
    """The exponential ImageNet-LT-like profile: n_c = round(largest * (smallest/largest)^(c/(K-1)))."""
    return [round(largest * (smallest / largest) ** (c / (classes - 1))) for c in range(classes)]


def embeddings(d=512, sigma=0.25):
    rng = np.random.default_rng(12)
    counts = long_tail_counts()
    means = rng.standard_normal((len(counts), d), dtype=np.float32)
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    labels = np.concatenate([np.full(n, c, dtype=np.int64) for c, n in enumerate(counts)])
    rng.shuffle(labels)
    features = means[labels] + sigma * rng.standard_normal((len(labels), d), dtype=np.float32)
    write("embeddings_lt.h5", features.astype(np.float32), labels)


for names, make in ((("contiguous.h5", "gzip.h5"), reads), (("embeddings_lt.h5",), embeddings)):
    if not all(os.path.exists(os.path.join(out, name)) for name in names):
        make()
