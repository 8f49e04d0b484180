"""Read and write labelled datasets in the package's HDF5 layout.

The layout is the one `datatool gen-spiral` writes (Sources/Datasets/HDF5/HDF5Writer.swift):
`/features` float32 little-endian [N, D] and `/labels` int64 little-endian [N], both chunked
(about 64 KiB a chunk, at most N rows) and deflated at level 4, with root attributes saying
how the data was made (integers as int64, floats as float64, strings as UTF-8, lists as
one-dimensional arrays), written in name order.

The write is atomic as in the Swift writer: a temporary file in the target's folder, renamed
over the target once complete; an existing target is refused unless `overwrite` is set.
"""

import os
import tempfile

import h5py
import numpy as np


def write_labelled(path, features, labels, attributes, overwrite=False, chunk_rows=None):
    """Write `features` [N, D] and `labels` [N] with root `attributes` to `path`.

    `chunk_rows` sets the rows per chunk of /features (default: about 64 KiB a chunk); a
    chunk-local sampling order (`datatool train --stream --order chunked`) visits the rows
    chunk by chunk, so small chunks make the order matter on small files.

    Raises FileExistsError when `path` exists and `overwrite` is false (the file is untouched),
    ValueError for an empty dataset or mismatched lengths.
    """
    features = np.ascontiguousarray(features, dtype="<f4")
    labels = np.ascontiguousarray(labels, dtype="<i8")
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels) or len(labels) == 0:
        raise ValueError(
            f"{path}: expected features [N, D] and labels [N] with N ≥ 1, "
            f"got {features.shape} and {labels.shape}")
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass --force to replace it")
    n, d = features.shape
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp-", dir=folder)
    os.close(handle)
    try:
        with h5py.File(temporary, "w", track_order=False) as f:
            f.create_dataset("features", data=features, dtype="<f4",
                             chunks=(min(n, chunk_rows or max(1, (64 << 10) // (4 * d))), d),
                             compression="gzip", compression_opts=4, track_times=False)
            f.create_dataset("labels", data=labels, dtype="<i8",
                             chunks=(min(n, (64 << 10) // 8),),
                             compression="gzip", compression_opts=4, track_times=False)
            for name in sorted(attributes):
                f.attrs[name] = _attribute(attributes[name])
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _attribute(value):
    """A root attribute as the Swift writer stores it."""
    if isinstance(value, bool):
        return np.int64(value)
    if isinstance(value, (int, np.integer)):
        return np.int64(value)
    if isinstance(value, (float, np.floating)):
        return np.float64(value)
    if isinstance(value, str):
        return value
    array = np.asarray(value)
    if array.dtype.kind in "iub":
        return array.astype("<i8")
    if array.dtype.kind == "f":
        return array.astype("<f8")
    raise TypeError(f"cannot store an attribute of type {type(value).__name__}")


def read_labelled(path):
    """Return (features float32 [N, D], labels int64 [N], root attributes dict) of `path`.

    Raises ValueError naming what is wrong when the file is not in the layout above.
    """
    with h5py.File(path, "r") as f:
        for name in ("features", "labels"):
            if name not in f or not isinstance(f[name], h5py.Dataset):
                raise ValueError(f"{path}: no dataset /{name}; expected /features [N, D] and /labels [N]")
        features = f["features"][...].astype(np.float32)
        labels = f["labels"][...].astype(np.int64)
        attributes = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise ValueError(f"{path}: expected /features [N, D] and /labels [N], "
                         f"got {features.shape} and {labels.shape}")
    if len(labels) and labels.min() < 0:
        raise ValueError(f"{path}: labels must be 0 or more, found {labels.min()}")
    return features, labels, attributes
