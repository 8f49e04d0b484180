#!/usr/bin/env python3
"""Reads an HDF5 file with h5py (the reference reader) and prints one JSON object describing
it, so a Swift test can check that files written by `writeLabelledDataset` open as is:

    python3 scripts/h5py_readback.py FILE.h5

Output: {"datasets": {path: {"shape", "dtype", "chunks", "compression", "compression_opts",
"shuffle", "sum", "values"?}}, "label_counts": {label: count} (for /labels),
"attributes": {name: value}}. Exits 2 with a message when h5py or NumPy is missing.
"""

import json
import sys

try:
    import h5py
    import numpy as np
except ImportError as error:  # pragma: no cover - reported to the Swift test
    print(f"h5py_readback.py needs h5py and numpy ({error}); run: pip install h5py numpy",
          file=sys.stderr)
    sys.exit(2)


def plain(value):
    """Attribute values as JSON-friendly Python values."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def main():
    if len(sys.argv) != 2:
        print("usage: h5py_readback.py FILE.h5", file=sys.stderr)
        sys.exit(1)
    report = {"datasets": {}, "attributes": {}, "attribute_types": {}}
    with h5py.File(sys.argv[1], "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                data = obj[...]
                entry = {
                    "shape": list(obj.shape),
                    "dtype": obj.dtype.str,
                    "chunks": list(obj.chunks) if obj.chunks else None,
                    "compression": obj.compression,
                    "compression_opts": obj.compression_opts,
                    "shuffle": obj.shuffle,
                    "sum": float(np.sum(data, dtype=np.float64)),
                    "sum_of_squares": float(np.sum(np.square(data, dtype=np.float64))),
                    "first": [float(v) for v in data.ravel()[:4]],
                }
                report["datasets"]["/" + name] = entry
        f.visititems(visit)
        if "labels" in f:
            labels, counts = np.unique(f["labels"][...], return_counts=True)
            report["label_counts"] = {str(int(k)): int(c) for k, c in zip(labels, counts)}
        for key, value in f.attrs.items():
            report["attributes"][key] = plain(value)
            report["attribute_types"][key] = type(plain(value)).__name__
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
