#!/usr/bin/env python3
"""Runs our benchmarks and the Python anchors side by side, round by round: both programs stay
up in --serve mode (set up and warmed up once per benchmark), and for each benchmark the rounds
alternate ours, anchor, ours, anchor, ... so that both sides see the same load on a shared
machine. Writes every round of every figure, as JSON lines, to OURS and ANCHORS.

    python3 bench/interleave.py --ours OURS.jsonl --anchors ANCHORS.jsonl [--rounds R] [--only KEY,...]
        --ours-command "CMD ..." --anchors-command "CMD ..."
"""
import argparse
import json
import shlex
import subprocess
import sys

# (benchmark key, whether the anchors have it), in the order they run.
BENCHMARKS = [
    ("memcpy", False),
    ("spiral", True),
    ("balanced_stream", True),
    ("index_stream_k1000", False),
    ("batch_assembly", True),
    ("ce_4096x1000", True),
    ("ce_128x3", True),
    ("mlp_step", True),
    ("mlp_medium", True),
    ("mlp_large", True),
    ("linear_large", True),
    ("full_read", True),
    ("gzip_full_read", True),
    ("ooc_gzip", True),
    ("ooc_contiguous", True),
    ("outofcore_chunked", False),
    ("embeddings_epoch", True),
]


class Server:
    """A benchmark program in --serve mode: one key in, its round's rows out, then {"done"}."""

    def __init__(self, command, name):
        self.name = name
        self.process = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, bufsize=1)

    def round(self, key):
        self.process.stdin.write(key + "\n")
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
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    unknown = only - {key for key, _ in BENCHMARKS}
    if unknown:
        raise SystemExit(f"bench/interleave.py: unknown benchmark {', '.join(sorted(unknown))}; "
                         f"expected some of {', '.join(key for key, _ in BENCHMARKS)}")
    ours = Server(args.ours_command, "datatool-bench")
    anchors = Server(args.anchors_command, "bench/anchors.py")
    with open(args.ours, "w") as ours_out, open(args.anchors, "w") as anchors_out:
        for key, has_anchor in BENCHMARKS:
            if only and key not in only:
                continue
            for r in range(args.rounds):
                for side, out, present in ((ours, ours_out, True), (anchors, anchors_out, has_anchor)):
                    if not present:
                        continue
                    for row in side.round(key):
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                        print(f"{row['key']:<28} round {r + 1}/{args.rounds}: {row['value']:.4g} {row['unit']}",
                              file=sys.stderr, flush=True)
    ours.close()
    anchors.close()


if __name__ == "__main__":
    main()
