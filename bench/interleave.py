#!/usr/bin/env python3
"""Runs our benchmarks and the Python anchors side by side, round by round: both programs stay
up in --serve mode (set up and warmed up once per benchmark), and for each benchmark the rounds
alternate ours, anchor, ours, anchor, ... so that both sides see the same load on a shared
machine. Writes every round of every figure, as JSON lines, to OURS and ANCHORS.

With --slices S above 1 (1, whole rounds, by default), the rounds of the benchmarks whose calls
are short are themselves interleaved: a round is S slices a side, ours, anchor, ours, anchor,
..., each slice running 1/S of the round's minimum time, and each side's figure for the round
comes from the work and time of all its slices. A round's two figures then come from the same
stretch of time, so a burst of load on this shared machine lands on both sides of its ratio;
but each slice starts with caches the other side has just used, which costs a fast side whose
data fit in cache the most (measured: the balanced index stream 113 M against 172 M indices/s
whole, the 256-512-1000 step unchanged with a narrower spread), so whole rounds are the default.

    python3 bench/interleave.py --ours OURS.jsonl --anchors ANCHORS.jsonl [--rounds R] [--slices S]
        [--only KEY,...] --ours-command "CMD ..." --anchors-command "CMD ..."
"""
import argparse
import json
import shlex
import subprocess
import sys

# (benchmark key, whether the anchors have it, whether its rounds run in slices), in the order
# they run. Rounds run whole where a call of a body, on either side, takes longer than a slice
# of four (a file read whole, an epoch, torch's 200 small steps, a DataLoader pass) or where
# there is no anchor to interleave with.
BENCHMARKS = [
    ("memcpy", False, False),
    ("spiral", True, False),
    ("balanced_stream", True, False),
    ("index_stream_k1000", False, False),
    ("batch_assembly", True, False),
    ("ce_4096x1000", True, True),
    ("ce_128x3", True, True),
    ("mlp_step", True, False),
    ("mlp_medium", True, True),
    ("mlp_large", True, True),
    ("linear_large", True, True),
    ("full_read", True, True),
    ("gzip_full_read", True, False),
    ("ooc_gzip", True, False),
    ("ooc_contiguous", True, True),
    ("outofcore_chunked", False, False),
    ("embeddings_epoch", True, False),
]


class Server:
    """A benchmark program in --serve mode: one key in, its round's rows out, then {"done"}."""

    def __init__(self, command, name):
        self.name = name
        self.process = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1)

    def round(self, key, slice_index=1, slices=1):
        """Rows of the round (none before its last slice)."""
        self.process.stdin.write(key + (f" {slice_index}/{slices}" if slices > 1 else "") + "\n")
        self.process.stdin.flush()
        rows = []
        for line in self.process.stdout:
            line = line.strip()
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if row.get("done") == key:
                return rows
            rows.append(row)
        raise SystemExit(f"bench/interleave.py: {self.name} stopped during {key}")

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ours", required=True)
    parser.add_argument("--anchors", required=True)
    parser.add_argument("--ours-command", required=True)
    parser.add_argument("--anchors-command", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--slices", type=int, default=1)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    if args.slices < 1:
        raise SystemExit(f"bench/interleave.py: --slices must be at least 1, not {args.slices}")
    only = set(filter(None, args.only.split(",")))
    unknown = only - {key for key, _, _ in BENCHMARKS}
    if unknown:
        raise SystemExit(f"bench/interleave.py: unknown benchmark {', '.join(sorted(unknown))}; "
                         f"expected some of {', '.join(key for key, _, _ in BENCHMARKS)}")
    ours = Server(args.ours_command, "datatool-bench")
    anchors = Server(args.anchors_command, "bench/anchors.py")
    with open(args.ours, "w") as ours_out, open(args.anchors, "w") as anchors_out:
        for key, has_anchor, sliced in BENCHMARKS:
            if only and key not in only:
                continue
            slices = args.slices if sliced else 1
            for r in range(args.rounds):
                for s in range(1, slices + 1):
                    for side, out, present in ((ours, ours_out, True), (anchors, anchors_out, has_anchor)):
                        if not present:
                            continue
                        for row in side.round(key, s, slices):
                            out.write(json.dumps(row) + "\n")
                            out.flush()
                            print(f"{row['key']:<28} round {r + 1}/{args.rounds}: {row['value']:.4g} {row['unit']}",
                                  file=sys.stderr, flush=True)
    ours.close()
    anchors.close()


if __name__ == "__main__":
    main()
