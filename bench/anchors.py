#!/usr/bin/env python3
"""The Python side of bench/run: the tools our users would otherwise reach for, measured on the
same work as Benchmarks/datatool-bench. Each round of a measurement prints one JSON line
{"key", "value", "cpu_value", "unit", "threads", "round", "note"}, like our side (cpu_value: the
figure per second of process CPU time instead of wall time).
One thread (torch.set_num_threads(1); OMP/MKL/OPENBLAS threads set to 1 by bench/run).

    python3 bench/anchors.py [--only KEY,...] [--rounds R] [--data DIR]
    python3 bench/anchors.py --serve    # benchmark keys on stdin, one round each (bench/run)

With --serve, each line names a benchmark; the first request sets it up and warms it up, every
request runs one round of each of its measurements and ends with {"done": KEY}. A line
`KEY I/N` runs slice I of a round in N slices (each measurement for 1/N of its minimum time); the
round's rows, from the totals of its slices, follow slice N/N.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np


class Measurement:
    """One figure: `body()` does `work` units; a round calls it for at least `minimum` seconds
    and reports `value(units per second)`."""

    def __init__(self, key, unit, work, body, minimum=0.2, note="", value=lambda rate: rate, threads=1, warm_up=None):
        self.key, self.unit, self.work, self.body = key, unit, work, body
        self.minimum, self.note, self.value, self.threads = minimum, note, value, threads
        # What runs once before the first round: the body itself unless a long body has a
        # shorter warm-up. `note` may be a function, read after each round.
        self.warm_up = warm_up or body

    def note_text(self):
        return self.note() if callable(self.note) else self.note

    def run_for(self, seconds):
        """Calls the body until `seconds` of wall time have passed (once at least): the work
        done, the wall seconds and the CPU seconds it took (a slice of a round)."""
        n = 0
        start, cpu_start = time.perf_counter(), time.process_time()
        while True:
            self.body()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        return [n * self.work, elapsed, time.process_time() - cpu_start]

    def figures(self, totals):
        """A round's figure from its totals [work, wall seconds, CPU seconds]."""
        work, wall, cpu = totals
        return self.value(work / wall), (self.value(work / cpu) if cpu > 0 else None)


def torch_threads():
    import torch
    torch.set_num_threads(1)
    return torch.get_num_threads()


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
    return [Measurement("spiral.numpy", "points/s", 1_110_000, lambda: numpy_spiral(counts, 0.2, rng), minimum=0.3,
                        note="NumPy, same formula, float32 output")]


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
    measurements = [Measurement("balanced_stream.numpy", "indices/s", per_epoch,
                                lambda: numpy_balanced_epoch(class_indices, m, rng), minimum=0.5,
                                note="NumPy vectorised per-class buffers, whole epochs")]

    import torch
    threads = torch_threads()
    weights = torch.from_numpy((1.0 / np.bincount(labels))[labels])
    from torch.utils.data import WeightedRandomSampler
    draws = 300_000
    sampler = WeightedRandomSampler(weights, num_samples=draws, replacement=True, generator=torch.Generator().manual_seed(4))
    try:
        from imblearn.over_sampling import RandomOverSampler
        x = np.arange(len(labels)).reshape(-1, 1)
        oversampler = RandomOverSampler(random_state=5)
        oversampled = 3 * 1_000_000
        measurements.append(Measurement(
            "balanced_stream.imblearn", "indices/s", oversampled, lambda: oversampler.fit_resample(x, labels), minimum=0.5,
            note="imbalanced-learn RandomOverSampler.fit_resample of the sample indices (one balanced epoch)"))
    except ImportError:
        pass

    measurements.append(Measurement(
        "balanced_stream.torch_wrs", "indices/s", draws, lambda: list(iter(sampler)), minimum=0.5, threads=threads,
        note="torch WeightedRandomSampler, inverse-frequency weights, iterated"))
    return measurements


# --- in-memory batch assembly ------------------------------------------------------------------

def bench_batch_assembly():
    import torch
    threads = torch_threads()
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
    measurements = [Measurement("batch_assembly.index_select", "samples/s", len(index_tensors) * b, index_select,
                                minimum=0.3, threads=threads,
                                note="torch.index_select of precomputed balanced indices (features + labels)")]

    from torch.utils.data import DataLoader, TensorDataset
    dataset = TensorDataset(x, y)
    batch_lists = [row.tolist() for row in batches[:200]]
    loader = DataLoader(dataset, batch_sampler=batch_lists, num_workers=0)

    def dataloader():
        for _ in loader:
            pass
    measurements.append(Measurement("batch_assembly.dataloader", "samples/s", len(batch_lists) * b, dataloader,
                                    minimum=0.3, threads=threads,
                                    note="DataLoader(TensorDataset, batch_sampler=precomputed), num_workers=0"))
    return measurements


# --- cross-entropy and an MLP step -------------------------------------------------------------

def bench_cross_entropy(rows, classes, key):
    import torch
    import torch.nn.functional as F
    threads = torch_threads()
    g = torch.Generator().manual_seed(7)
    logits = (torch.randn(rows, classes, generator=g) * 3).requires_grad_(True)
    targets = torch.randint(0, classes, (rows,), generator=g)

    def step():
        logits.grad = None
        F.cross_entropy(logits, targets).backward()
    return [Measurement(key + ".torch", "us", 1, step, minimum=0.2, value=lambda rate: 1e6 / rate, threads=threads,
                        note=f"F.cross_entropy + backward, N={rows} C={classes}")]


def bench_mlp_step(key, inputs, hidden, outputs, batch):
    """Adam steps with cross-entropy of nn.Sequential(Linear, ReLU, ..., Linear) (no ReLU for a
    linear model), the five steps, batches cycling through a few random ones."""
    import torch
    threads = torch_threads()
    torch.manual_seed(1)
    widths = [inputs] + hidden + [outputs]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(2)
    count = 8 if batch * inputs > 65_536 else 64
    batches = [torch.rand(batch, inputs, generator=g) * 2 - 1 for _ in range(count)]
    targets = [torch.randint(0, outputs, (batch,), generator=g) for _ in range(count)]
    multiply_adds = batch * sum(a * b for a, b in zip(widths, widths[1:]))
    steps = 200 if multiply_adds < 1_000_000 else 1
    position = [0]

    def run():
        for _ in range(steps):
            i = position[0] % count
            position[0] += 1
            out = model(batches[i])
            loss = loss_fn(out, targets[i])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    shape = "-".join(map(str, widths))
    kind = "ReLU" if hidden else "linear"
    return [Measurement(key + ".torch", "steps/s", steps, run, minimum=0.3 if steps > 1 else 1.0, threads=threads,
                        note=f"nn.Sequential {shape} {kind}, Adam, CrossEntropyLoss, B = {batch}, the five steps")]


# --- HDF5 reads (files from bench/make_data.py) -------------------------------------------------

DATA = "bench/out"


def full_read(name, key, unit, scale, minimum, note):
    """h5py ds[...] of a whole file's features, as `unit` (bytes/s divided by `scale`)."""
    import h5py
    f = h5py.File(os.path.join(DATA, name), "r")  # open for the process's life
    ds = f["features"]
    nbytes = ds.size * ds.dtype.itemsize
    return [Measurement(key, unit, nbytes, lambda: ds[...], minimum=minimum, value=lambda rate: rate / scale, note=note)]


def bench_full_read():
    return full_read("contiguous.h5", "full_read.h5py", "GB/s", 1e9, 0.5, "h5py ds[...] into a new array")


def bench_gzip_full_read():
    return full_read("gzip.h5", "gzip_full_read.h5py", "MB/s", 1e6, 1.0,
                     "h5py ds[...] of the gzip 4 + shuffle file (libhdf5's zlib)")


def out_of_core(name, key, minimum):
    """Balanced batches (B = 96, 32 per class, the per-class-buffer epochs of
    numpy_balanced_epoch), each read with h5py fancy indexing of its sorted distinct rows."""
    import h5py
    f = h5py.File(os.path.join(DATA, name), "r")  # open for the process's life
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
    return [Measurement(key, "rows/s", 96, one_batch, minimum=minimum,
                        note=f"h5py ds[np.unique(batch)] per batch of 96{cache}")]


def bench_ooc_gzip():
    return out_of_core("gzip.h5", "ooc_gzip.h5py", minimum=3.0)


def bench_ooc_contiguous():
    return out_of_core("contiguous.h5", "ooc_contiguous.h5py", minimum=0.5)


# --- an ImageNet-LT-shaped training run from HDF5 (bench/make_data.py's embeddings_lt.h5) -------

class H5Rows:
    """The usual h5py-backed map-style Dataset: the file opens lazily in the process that reads
    (so DataLoader workers each open their own), one row read per item; labels held in memory."""

    def __init__(self, path):
        import h5py
        self.path, self.file = path, None
        with h5py.File(path, "r") as f:
            self.labels = f["labels"][...]

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        import h5py
        import torch
        if self.file is None:
            self.file = h5py.File(self.path, "r")
            self.features = self.file["features"]
        return torch.from_numpy(self.features[i]), int(self.labels[i])


class ClassAwareDraws:
    """A sampler with the semantics of classifier-balancing's ClassAwareSampler (Kang et al.,
    "Decoupling Representation and Classifier for Long-Tailed Recognition", ICLR 2020): a
    class from a shuffled class list that is reshuffled each time it runs out, then
    `per_class` samples from that class's own shuffled list, also reshuffled when it runs out;
    `draws` indices in all."""

    def __init__(self, labels, draws, per_class=1, seed=0):
        self.class_rows = [np.flatnonzero(labels == c) for c in range(int(labels.max()) + 1)]
        self.draws, self.per_class = draws, per_class
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.draws

    def __iter__(self):
        def cycle(values):
            values = list(values)
            while True:
                self.rng.shuffle(values)
                yield from values
        classes = cycle(range(len(self.class_rows)))
        rows = [cycle(ix.tolist()) for ix in self.class_rows]
        produced = 0
        while produced < self.draws:
            c = next(classes)
            for _ in range(min(self.per_class, self.draws - produced)):
                yield next(rows[c])
                produced += 1


def bench_embeddings_epoch():
    """One balanced epoch (115,846 class-aware draws) and one natural shuffled epoch (N draws)
    of MLP 512-1024-1000 (ReLU, Adam 1e-3, cross-entropy), B = 256, from the HDF5 file through a
    DataLoader, with 1 and 2 threads (torch.set_num_threads; the loading stays in the main
    process, num_workers = 0, in both)."""
    import torch
    from torch.utils.data import DataLoader
    dataset = H5Rows(os.path.join(DATA, "embeddings_lt.h5"))
    balanced_draws, batch = 115_846, 256
    steps = -(-balanced_draws // batch) + -(-len(dataset) // batch)

    def train(threads, batches=None):
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(512, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1000))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        balanced = DataLoader(dataset, batch_size=batch, sampler=ClassAwareDraws(dataset.labels, balanced_draws, seed=2))
        natural = DataLoader(dataset, batch_size=batch, shuffle=True, generator=torch.Generator().manual_seed(3))
        done = 0
        for loader in (balanced, natural):
            for x, y in loader:
                loss = loss_fn(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                done += 1
                if batches is not None and done >= batches:
                    return

    measurements = []
    for threads in (1, 2):
        seconds = []

        def run(threads=threads, seconds=seconds):
            start = time.perf_counter()
            train(threads)
            seconds.append(time.perf_counter() - start)
        measurements.append(Measurement(
            f"embeddings_epoch.torch_{threads}t", "s", 1, run, minimum=0, value=lambda rate: 1 / rate, threads=threads,
            warm_up=lambda threads=threads: train(threads, batches=20),
            note=lambda threads=threads, seconds=seconds:
                f"torch {threads} thread(s) (set_num_threads({threads}), DataLoader num_workers=0), h5py row reads, "
                f"ClassAwareSampler semantics {balanced_draws} draws + natural shuffled epoch {len(dataset)}, "
                f"{steps} steps, {steps / seconds[-1]:.1f} steps/s" if seconds else ""))
    return measurements


BENCHMARKS = {
    "spiral": bench_spiral,
    "balanced_stream": bench_balanced_stream,
    "batch_assembly": bench_batch_assembly,
    "ce_4096x1000": lambda: bench_cross_entropy(4096, 1000, "ce_4096x1000"),
    "ce_128x3": lambda: bench_cross_entropy(128, 3, "ce_128x3"),
    "mlp_step": lambda: bench_mlp_step("mlp_step", 2, [100], 3, 96),
    "mlp_medium": lambda: bench_mlp_step("mlp_medium", 64, [256], 10, 320),
    "mlp_large": lambda: bench_mlp_step("mlp_large", 256, [512], 1000, 512),
    "linear_large": lambda: bench_mlp_step("linear_large", 512, [], 1000, 512),
    "full_read": bench_full_read,
    "gzip_full_read": bench_gzip_full_read,
    "ooc_gzip": bench_ooc_gzip,
    "ooc_contiguous": bench_ooc_contiguous,
    "embeddings_epoch": bench_embeddings_epoch,
}


PREPARED = {}
# A round in slices under way, by benchmark key: [slice count, next slice, totals], the totals
# one [work, wall, CPU] per measurement.
SLICES_UNDER_WAY = {}


def run_round(key, round_index, slice_index=1, slice_count=1):
    """One round of every measurement of benchmark `key`, printed, or slice `slice_index` of
    `slice_count` of one (each measurement for that share of its minimum time; the round's
    rows follow its last slice); sets the benchmark up first if this is its first request.
    Returns whether the round is complete."""
    if key not in PREPARED:
        measurements = BENCHMARKS[key]()
        for m in measurements:
            m.warm_up()
        PREPARED[key] = measurements
    measurements = PREPARED[key]
    if slice_index == 1:
        SLICES_UNDER_WAY[key] = [slice_count, 1, [[0.0, 0.0, 0.0] for _ in measurements]]
    under_way = SLICES_UNDER_WAY.pop(key, None)  # a slice that fails drops its round
    if under_way is None or under_way[0] != slice_count or under_way[1] != slice_index:
        print(f"anchors.py: slice {slice_index}/{slice_count} of {key} is not the next slice of a round under way; "
              f"a round starts at slice 1 and goes up by one", file=sys.stderr)
        return False
    totals = under_way[2]
    for m, total in zip(measurements, totals):
        for i, part in enumerate(m.run_for(m.minimum / slice_count)):
            total[i] += part
    if slice_index < slice_count:
        under_way[1] += 1
        SLICES_UNDER_WAY[key] = under_way
        return False
    for m, total in zip(measurements, totals):
        value, cpu_value = m.figures(total)
        print(json.dumps({"key": m.key, "value": value, "cpu_value": cpu_value, "unit": m.unit, "threads": m.threads,
                          "round": round_index, "note": m.note_text()}), flush=True)
    return True


def parse_request(line):
    """A serve request: `KEY` for a whole round, `KEY I/N` for slice I of N; None if unreadable."""
    words = line.split()
    if len(words) == 1:
        return words[0], 1, 1
    if len(words) == 2:
        parts = words[1].split("/")
        if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[0]) <= int(parts[1]):
            return words[0], int(parts[0]), int(parts[1])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", default="bench/out")
    parser.add_argument("--serve", action="store_true")
    args = parser.parse_args()
    global DATA
    DATA = args.data
    if args.serve:
        rounds = {}
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            request = parse_request(text)
            key = request[0] if request else text.split()[0].replace('"', "").replace("\\", "")
            if request is None:
                print(f"anchors.py: cannot read the request {text}; expected KEY or KEY I/N", file=sys.stderr)
            elif key not in BENCHMARKS:
                print(f"anchors.py: unknown benchmark {key}", file=sys.stderr)
            elif run_round(key, rounds.get(key, 0), request[1], request[2]):
                rounds[key] = rounds.get(key, 0) + 1
            print(json.dumps({"done": key}), flush=True)
        return
    only = set(filter(None, args.only.split(",")))
    for key in BENCHMARKS:
        if not only or key in only:
            for r in range(args.rounds):
                run_round(key, r)


if __name__ == "__main__":
    main()
