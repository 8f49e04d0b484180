#!/usr/bin/env python3
"""Reads a model file written by `datatool train --save` (or `writeTensorArchive` of an
`MLP.archive`) with h5py and NumPy only, as a PyTorch user would, and prints one JSON object:

    python3 scripts/model_readback.py MODEL.h5 [ROWS]

{"tensors": {name: {"shape", "dtype", "values"}}, "attributes": {...},
 "logits": [[...], ...]}   # only with ROWS: "x00,x01;x10,x11" (rows separated by ';')

The logits are the forward pass of the equivalent nn.Sequential(Linear, act, ..., Linear) in
NumPy: x @ W.T + b per Linear, the activation between them (relu, tanh or sigmoid here), so a
test can check that the tensors mean what their state_dict names say. Loading into PyTorch is
`model.load_state_dict({k: torch.from_numpy(f[k][...]) for k in f.keys()})` (Guides/Training.md).
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from h5py_readback import h5py, np, plain  # noqa: E402  (h5py_readback reports a missing h5py)

ACTIVATIONS = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: model_readback.py MODEL.h5 [ROWS]", file=sys.stderr)
        sys.exit(1)
    report = {"tensors": {}, "attributes": {}}
    with h5py.File(sys.argv[1], "r") as f:
        state = {name: f[name][...] for name in f.keys()}
        for name, array in state.items():
            report["tensors"][name] = {"shape": list(array.shape), "dtype": array.dtype.str,
                                       "values": [float(v) for v in array.ravel()]}
        for key, value in f.attrs.items():
            report["attributes"][key] = plain(value)
        if len(sys.argv) == 3:
            x = np.array([[float(v) for v in row.split(",")] for row in sys.argv[2].split(";")], np.float32)
            act = ACTIVATIONS[plain(f.attrs["activation"])]
            layers = len(plain(f.attrs["hidden"])) + 1
            for layer in range(layers):
                w, b = state[f"{2 * layer}.weight"], state[f"{2 * layer}.bias"]
                x = x @ w.T + b
                if layer < layers - 1:
                    x = act(x)
            report["logits"] = x.astype(np.float64).tolist()
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
