#!/usr/bin/env python3
"""The Python side of bench/run: the tools our users would otherwise reach for, measured on the
same work as Benchmarks/datatool-bench. Prints one JSON line per figure, like our side.
One thread (torch.set_num_threads(1); OMP/MKL/OPENBLAS threads set to 1 by bench/run).

    python3 bench/anchors.py [--only KEY,...] [--data DIR]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np


def rate(work, body, rounds=5, minimum=0.2):
    """Best rate (units/s) over `rounds` rounds of at least `minimum` seconds, after a warm-up."""
    body()
    best = 0.0
    for _ in range(rounds):
        n = 0
        start = time.perf_counter()
        while True:
            body()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= minimum:
                break
        best = max(best, n * work / elapsed)
    return best


def emit(key, value, unit, note=""):
    print(json.dumps({"key": key, "value": value, "unit": unit, "note": note}), flush=True)


def imbalanced_labels(counts, seed):
    rng = np.random.default_rng(seed)
    labels = np.concatenate([np.full(n, c, dtype=np.int64) for c, n in enumerate(counts)])
    rng.shuffle(labels)
    return labels


# --- spirals -----------------------------------------------------------------------------------

def numpy_spiral(counts, sigma, rng):
    k = len(counts)
    xs, ys = [], []
    for c, n in enumerate(counts):
        t = np.linspace(0.0, 1.0, n)
        theta = (2 * np.pi / k) * (2 * t + c) + sigma * rng.standard_normal(n)
        xs.append(np.stack([t * np.sin(theta), t * np.cos(theta)], axis=1).astype(np.float32))
        ys.append(np.full(n, c, dtype=np.int32))
    return np.concatenate(xs), np.concatenate(ys)


def bench_spiral():
    rng = np.random.default_rng(1)
    counts = [1_000_000, 100_000, 10_000]
    emit("spiral.numpy", rate(1_110_000, lambda: numpy_spiral(counts, 0.2, rng), minimum=0.3),
         "points/s", "NumPy, same formula, float32 output")


# --- balanced index stream ---------------------------------------------------------------------

def numpy_balanced_epoch(class_indices, m, rng):
    """One balanced epoch the vectorised NumPy way: per class, enough concatenated permutations
    for b·m draws, reshaped to (b, m); classes side by side; each row shuffled."""
    largest = max(len(ix) for ix in class_indices)
    b = -(-largest // m)
    need = b * m
    columns = []
    for ix in class_indices:
        passes = -(-need // len(ix))
        draws = np.concatenate([rng.permutation(ix) for _ in range(passes)])[:need]
        columns.append(draws.reshape(b, m))
    batches = np.concatenate(columns, axis=1)
    return rng.permuted(batches, axis=1)


def bench_balanced_stream():
    counts = [1_000_000, 100_000, 10_000]
    labels = imbalanced_labels(counts, 2)
    class_indices = [np.flatnonzero(labels == c).astype(np.int32) for c in range(3)]
    rng = np.random.default_rng(3)
    m = 32
    per_epoch = (-(-1_000_000 // m)) * 96
    emit("balanced_stream.numpy", rate(per_epoch, lambda: numpy_balanced_epoch(class_indices, m, rng), minimum=0.5),
         "indices/s", "NumPy vectorised per-class buffers, whole epochs")

    import torch
    torch.set_num_threads(1)
    weights = torch.from_numpy((1.0 / np.bincount(labels))[labels])
    from torch.utils.data import WeightedRandomSampler
    draws = 300_000
    sampler = WeightedRandomSampler(weights, num_samples=draws, replacement=True, generator=torch.Generator().manual_seed(4))
    try:
        from imblearn.over_sampling import RandomOverSampler
        x = np.arange(len(labels)).reshape(-1, 1)
        oversampler = RandomOverSampler(random_state=5)
        oversampled = 3 * 1_000_000
        emit("balanced_stream.imblearn", rate(oversampled, lambda: oversampler.fit_resample(x, labels), rounds=3, minimum=0.5),
             "indices/s", "imbalanced-learn RandomOverSampler.fit_resample of the sample indices (one balanced epoch)")
    except ImportError:
        pass

    emit("balanced_stream.torch_wrs", rate(draws, lambda: list(iter(sampler)), rounds=3, minimum=0.5),
         "indices/s", "torch WeightedRandomSampler, inverse-frequency weights, iterated")


# --- in-memory batch assembly ------------------------------------------------------------------

def bench_batch_assembly():
    import torch
    torch.set_num_threads(1)
    counts = [1_000_000, 100_000, 10_000]
    labels = imbalanced_labels(counts, 4)
    n, d, b = len(labels), 64, 255
    x = torch.from_numpy(np.random.default_rng(5).random((n, d), dtype=np.float32))
    y = torch.from_numpy(labels)
    class_indices = [np.flatnonzero(labels == c).astype(np.int64) for c in range(3)]
    batches = numpy_balanced_epoch(class_indices, b // 3, np.random.default_rng(6))
    index_tensors = [torch.from_numpy(row.astype(np.int64)) for row in batches[:2000]]

    def index_select():
        for ix in index_tensors:
            torch.index_select(x, 0, ix)
            torch.index_select(y, 0, ix)
    emit("batch_assembly.index_select", rate(len(index_tensors) * b, index_select, minimum=0.3),
         "samples/s", "torch.index_select of precomputed balanced indices (features + labels)")

    from torch.utils.data import DataLoader, TensorDataset
    dataset = TensorDataset(x, y)
    batch_lists = [row.tolist() for row in batches[:200]]
    loader = DataLoader(dataset, batch_sampler=batch_lists, num_workers=0)

    def dataloader():
        for _ in loader:
            pass
    emit("batch_assembly.dataloader", rate(len(batch_lists) * b, dataloader, rounds=3, minimum=0.3),
         "samples/s", "DataLoader(TensorDataset, batch_sampler=precomputed), num_workers=0")


# --- cross-entropy and an MLP step -------------------------------------------------------------

def bench_cross_entropy(rows, classes, key):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(7)
    logits = (torch.randn(rows, classes, generator=g) * 3).requires_grad_(True)
    targets = torch.randint(0, classes, (rows,), generator=g)

    def step():
        logits.grad = None
        F.cross_entropy(logits, targets).backward()
    per_second = rate(1, step, rounds=7, minimum=0.2)
    emit(key + ".torch", 1e6 / per_second, "us", f"F.cross_entropy + backward, N={rows} C={classes}, 1 thread")


def bench_mlp_step():
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 100), torch.nn.ReLU(), torch.nn.Linear(100, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(2)
    batches = [torch.rand(96, 2, generator=g) * 2 - 1 for _ in range(64)]
    targets = [torch.randint(0, 3, (96,), generator=g) for _ in range(64)]
    steps = 200

    def run():
        for i in range(steps):
            out = model(batches[i & 63])
            loss = loss_fn(out, targets[i & 63])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    emit("mlp_step.torch", rate(steps, run, rounds=5, minimum=0.3), "steps/s",
         "nn.Sequential 2-100-3 ReLU, Adam, B = 96, the five steps, 1 thread")
# --- HDF5 reads (files from bench/make_data.py) -------------------------------------------------

DATA = "bench/out"


def bench_full_read():
    import h5py
    with h5py.File(os.path.join(DATA, "contiguous.h5"), "r") as f:
        ds = f["features"]
        nbytes = ds.size * ds.dtype.itemsize
        emit("full_read.h5py", rate(nbytes, lambda: ds[...], rounds=5, minimum=0.5) / 1e9,
             "GB/s", "h5py ds[...] into a new array, 1 thread")


def out_of_core(name, key, rounds, minimum):
    """Balanced batches (B = 96, 32 per class, the per-class-buffer epochs of
    numpy_balanced_epoch), each read with h5py fancy indexing of its sorted distinct rows."""
    import h5py
    with h5py.File(os.path.join(DATA, name), "r") as f:
        ds = f["features"]
        labels = f["labels"][...]
        class_indices = [np.flatnonzero(labels == c) for c in range(3)]
        batches = numpy_balanced_epoch(class_indices, 32, np.random.default_rng(7))
        position = [0]

        def one_batch():
            rows = np.unique(batches[position[0] % len(batches)])  # sorted, no repeats: h5py's rule
            position[0] += 1
            ds[rows]
        cache = f", default chunk cache ({f.id.get_access_plist().get_cache()[2] >> 20} MiB)" if ds.chunks else ""
        emit(key, rate(96, one_batch, rounds=rounds, minimum=minimum), "rows/s",
             f"h5py ds[np.unique(batch)] per batch of 96{cache}, 1 thread")


def bench_ooc_gzip():
    out_of_core("gzip.h5", "ooc_gzip.h5py", rounds=2, minimum=3.0)


def bench_ooc_contiguous():
    out_of_core("contiguous.h5", "ooc_contiguous.h5py", rounds=5, minimum=0.5)


BENCHMARKS = {
    "spiral": bench_spiral,
    "balanced_stream": bench_balanced_stream,
    "batch_assembly": bench_batch_assembly,
    "ce_4096x1000": lambda: bench_cross_entropy(4096, 1000, "ce_4096x1000"),
    "ce_128x3": lambda: bench_cross_entropy(128, 3, "ce_128x3"),
    "mlp_step": bench_mlp_step,
    "full_read": bench_full_read,
    "ooc_gzip": bench_ooc_gzip,
    "ooc_contiguous": bench_ooc_contiguous,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="")
    parser.add_argument("--data", default="bench/out")
    args = parser.parse_args()
    global DATA
    DATA = args.data
    only = set(filter(None, args.only.split(",")))
    for key, run in BENCHMARKS.items():
        if not only or key in only:
            run()


if __name__ == "__main__":
    main()
