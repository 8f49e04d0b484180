#!/usr/bin/env python3
"""Replays a batch schedule written by `datatool sample ... --output schedule.h5`.

    python3 scripts/schedule_replay.py schedule.h5          # JSON lines, as `datatool sample`
    python3 scripts/schedule_replay.py schedule.h5 DATA.h5  # ... with "labels" from DATA.h5

The batch sampler below is the one Guides/BalancedSampling.md shows: give it to a PyTorch
DataLoader as `batch_sampler=` (it subclasses torch's Sampler when torch is installed; the
replay itself needs only h5py and NumPy). Exits 2 with a message when h5py or NumPy is missing.
"""

import json
import sys

try:
    import h5py
    import numpy as np
except ImportError as error:  # pragma: no cover - reported to the Swift test
    print(f"schedule_replay.py needs h5py and numpy ({error}); run: pip install h5py numpy",
          file=sys.stderr)
    sys.exit(2)

try:
    from torch.utils.data import Sampler
except ImportError:  # the replay does not need torch
    Sampler = object


class ScheduleBatchSampler(Sampler):
    """Yields the batches of a schedule file, one list of sample indices per batch."""

    def __init__(self, path, epoch=None):
        with h5py.File(path, "r") as f:
            self.indices = f["indices"][...]
            self.offsets = f["offsets"][...]
            self.epoch = f["epoch"][...]
            self.phase_index = f["phase_index"][...]
            self.batch = f["batch"][...]
            self.policies = f.attrs["policies"].split(",")
        self.selected = np.arange(len(self.epoch)) if epoch is None else np.flatnonzero(self.epoch == epoch)

    def __len__(self):
        return len(self.selected)

    def __iter__(self):
        for i in self.selected:
            yield self.indices[self.offsets[i]:self.offsets[i + 1]].tolist()


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: schedule_replay.py SCHEDULE.h5 [DATA.h5]", file=sys.stderr)
        sys.exit(1)
    sampler = ScheduleBatchSampler(sys.argv[1])
    labels = None
    if len(sys.argv) == 3:
        with h5py.File(sys.argv[2], "r") as f:
            labels = f["labels"][...]
    for i, batch in zip(sampler.selected, sampler):
        line = {"epoch": int(sampler.epoch[i]), "phase": sampler.policies[sampler.phase_index[i]],
                "phase_index": int(sampler.phase_index[i]), "batch": int(sampler.batch[i]),
                "indices": batch}
        if labels is not None:
            # [N] class labels, or [N, K] 0/1 (--multi-label): a list of label lists.
            line["labels"] = ([np.flatnonzero(labels[j]).tolist() for j in batch] if labels.ndim == 2
                              else [int(labels[j]) for j in batch])
        print(json.dumps(line))


if __name__ == "__main__":
    main()
