#!/usr/bin/env python3
"""Chunks decoded in one epoch of a `datatool sample --output` schedule over bench/out/gzip.h5,
replaying BatchLoader's windows of 256 batches against an LRU cache of 32 chunks (32 MiB of
1 MiB chunks): with every class read from the file, with the two rare classes pinned, and (for
a chunked schedule) with a block order of its own per class, emulated by passing class c's
chunk numbers through a random permutation (the labels are spread over the chunks at random,
so that is the same walk in another order).

    datatool sample bench/out/gzip.h5 --batch-size 96 --sampler instance --order chunked --seed 7 --output s.h5
    python3 bench/decodes.py s.h5 [more.h5 ...]
"""
import sys
from collections import OrderedDict

import h5py
import numpy as np

WINDOW, CACHE_BYTES = 256, 32 << 20


def decodes(chunks, offsets):
    cache, count = OrderedDict(), 0
    for w in range(0, len(offsets) - 1, WINDOW):
        for c in np.unique(chunks[offsets[w]:offsets[min(w + WINDOW, len(offsets) - 1)]]):
            if c < 0:
                continue  # a pinned row
            if c in cache:
                cache.move_to_end(c)
            else:
                count += 1
                cache[c] = True
        while len(cache) > CACHE:
            cache.popitem(last=False)
    return count


with h5py.File("bench/out/gzip.h5", "r") as data:
    labels = data["labels"][...]
    # The features' chunk layout, read from the file: rows a chunk, and chunks in all.
    CHUNK_ROWS = data["features"].chunks[0]
    CHUNKS = -(-data["features"].shape[0] // CHUNK_ROWS)
    # The LRU cache holds 32 MiB of decoded chunks.
    CACHE = CACHE_BYTES // (CHUNK_ROWS * data["features"].shape[1] * data["features"].dtype.itemsize)
rng = np.random.default_rng(0)
for name in sys.argv[1:]:
    with h5py.File(name, "r") as f:
        indices, offsets, order = f["indices"][...], f["offsets"][...], f.attrs.get("order", "exact")
    chunks = indices // CHUNK_ROWS
    head = labels[indices] == 0
    streamed_head = np.where(head, chunks, -1)
    cases = [("every class streamed", chunks), ("classes 1, 2 pinned", streamed_head)]
    if order != "exact":
        own = chunks.copy()
        for c in (1, 2):
            mask = labels[indices] == c
            own[mask] = rng.permutation(CHUNKS)[chunks[mask]]
        cases.append(("every class streamed, a block order per class", own))
    for what, values in cases:
        n = decodes(values, offsets)
        print(f"{name}: {order}, {len(indices)} draws, {what}: {n} decodes ({n / CHUNKS:.1f}x the file)")
