#!/usr/bin/env python3
"""Recomputes `datatool predict`'s output with h5py and NumPy only and prints one JSON object
comparing the two, so a Swift test can check the prediction file against an independent
forward pass:

    python3 scripts/predictions_check.py MODEL.h5 DATA.h5 PREDICTIONS.h5 [FEATURES_PATH]

The model's tensors are those of `nn.Sequential(Linear, act, ..., Linear)` (`state_dict`
names, Guides/Training.md); the logits are x @ W.T + b per Linear with the activation between
them, plus tau * log(pi_c) with tau the file's `prior_correction` attribute and pi the model's
`priors`. Output: {"rows", "classes", "max_logit_error" (absolute, against /logits),
"max_probability_error" (/probabilities against NumPy's softmax of /logits),
"max_row_sum_error", "argmax_mismatches" (/classes against the argmax of /logits),
"numpy_class_mismatches" (/classes against the argmax of NumPy's logits)}.
Exits 2 with a message when h5py or NumPy is missing.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from h5py_readback import h5py, np, plain  # noqa: E402  (h5py_readback reports a missing h5py)
from model_readback import ACTIVATIONS  # noqa: E402


def main():
    if len(sys.argv) not in (4, 5):
        print("usage: predictions_check.py MODEL.h5 DATA.h5 PREDICTIONS.h5 [FEATURES_PATH]", file=sys.stderr)
        sys.exit(1)
    features_path = sys.argv[4] if len(sys.argv) == 5 else "/features"
    with h5py.File(sys.argv[1], "r") as m:
        state = {name: m[name][...].astype(np.float64) for name in m.keys()}
        act = ACTIVATIONS[plain(m.attrs["activation"])]
        layers = len(plain(m.attrs["hidden"])) + 1
        priors = np.array(plain(m.attrs["priors"]), np.float64)
    with h5py.File(sys.argv[2], "r") as d:
        x = d[features_path][...].astype(np.float64)
    with h5py.File(sys.argv[3], "r") as p:
        classes = p["classes"][...]
        logits = p["logits"][...].astype(np.float64)
        probabilities = p["probabilities"][...].astype(np.float64)
        tau = float(plain(p.attrs["prior_correction"]))
    for layer in range(layers):
        x = x @ state[f"{2 * layer}.weight"].T + state[f"{2 * layer}.bias"]
        if layer < layers - 1:
            x = act(x)
    if tau != 0:
        x = x + tau * np.log(priors)
    shifted = logits - logits.max(axis=1, keepdims=True)
    softmax = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    print(json.dumps({
        "rows": int(classes.shape[0]),
        "classes": int(logits.shape[1]),
        "max_logit_error": float(np.abs(x - logits).max()),
        "max_probability_error": float(np.abs(softmax - probabilities).max()),
        "max_row_sum_error": float(np.abs(probabilities.sum(axis=1) - 1).max()),
        "argmax_mismatches": int((logits.argmax(axis=1) != classes).sum()),
        "numpy_class_mismatches": int((x.argmax(axis=1) != classes).sum()),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
