#!/usr/bin/env python3
"""Joins our figures and the anchors' into the table bench/run prints.

    python3 bench/report.py OURS.jsonl ANCHORS.jsonl [--json]

Both files hold one line per round of a figure (bench/interleave.py ran the rounds alternately,
ours then the anchor's). Every row: work, our median, the anchor's median, the median ratio of
the paired rounds (how many times faster we are: ours / anchor for rates, anchor / ours for
times) with its lowest and highest round, threads on each side, the goal, and whether it is met:
a goal counts as met only when the lowest round meets it.
"""
import json
import platform
import subprocess
import sys

# (work, our key, anchor key, goal as minimum speed-up, goal text)
ROWS = [
    ("balanced index stream, 1M/100k/10k, B=96 vs NumPy", "balanced_stream", "balanced_stream.numpy", 10, ">= 10x NumPy"),
    ("balanced index stream, 1M/100k/10k, B=96 vs WeightedRandomSampler", "balanced_stream", "balanced_stream.torch_wrs", 80, ">= 80x WeightedRandomSampler"),
    ("balanced index stream, 1M/100k/10k, B=96 vs imbalanced-learn RandomOverSampler", "balanced_stream", "balanced_stream.imblearn", None, "(for reference)"),
    ("index stream, K=1000 long tail (1280..5), B=256, balanced", "index_stream_k1000.balanced", "-", None, "(beside K=3 above)"),
    ("index stream, K=1000 long tail (1280..5), B=256, sqrt", "index_stream_k1000.sqrt", "-", None, "(beside K=3 above)"),
    ("index stream, K=1000 long tail (1280..5), B=256, progressive", "index_stream_k1000.progressive", "-", None, "(beside K=3 above)"),
    ("in-memory batch assembly, D=64, B=255 vs index_select", "batch_assembly", "batch_assembly.index_select", 1.3, ">= 1.3x index_select"),
    ("in-memory batch assembly, D=64, B=255 vs DataLoader", "batch_assembly", "batch_assembly.dataloader", 80, ">= 80x DataLoader"),
    ("full read 1.11M x 64 float32 (contiguous) vs h5py ds[...]", "full_read", "full_read.h5py", 1.0, ">= 1.0x h5py"),
    ("full read of the gzip 4 + shuffle file, 1 thread vs h5py ds[...]", "gzip_full_read", "gzip_full_read.h5py", None, "(for reference)"),
    ("balanced batches, chunked gzip, not loaded whole vs h5py fancy indexing", "ooc_gzip", "ooc_gzip.h5py", 50, ">= 50x h5py"),
    ("balanced batches, contiguous, not loaded whole vs h5py fancy indexing", "ooc_contiguous", "ooc_contiguous.h5py", 3, ">= 3x h5py"),
    ("balanced epoch (cover, B=96) from the gzip file, --order chunked, rare classes pinned, vs our all-core sequential read of it (outofcore_chunked)", "outofcore_chunked", "outofcore_chunked.full_read", 0.7, ">= 0.7x sequential decode"),
    ("CrossEntropy fwd+bwd N=4096 C=1000 vs F.cross_entropy", "ce_4096x1000", "ce_4096x1000.torch", 2, "<= 0.5x torch's time"),
    ("CrossEntropy fwd+bwd N=128 C=3 vs F.cross_entropy", "ce_128x3", "ce_128x3.torch", 20, "<= 0.05x torch's time"),
    ("MLP 2-100-3 Adam step, B=96 vs torch", "mlp_step", "mlp_step.torch", 20, ">= 20x torch steps/s"),
    ("MLP 64-256-10 Adam step, B=320 vs torch", "mlp_medium", "mlp_medium.torch", None, "(for reference)"),
    ("MLP 256-512-1000 Adam step, B=512 vs torch (mlp_large)", "mlp_large", "mlp_large.torch", 1.2, ">= 1.2x torch steps/s"),
    ("linear 512-1000 Adam step, B=512 vs torch (linear_large)", "linear_large", "linear_large.torch", None, "(for reference)"),
    ("ImageNet-LT-shaped run from HDF5: balanced epoch of samples:115846 + natural epoch, MLP 512-1024-1000, B=256, 1 thread vs torch DataLoader", "embeddings_epoch_1t", "embeddings_epoch.torch_1t", None, "(for reference)"),
    ("ImageNet-LT-shaped run from HDF5: balanced epoch of samples:115846 + natural epoch, MLP 512-1024-1000, B=256, 2 threads vs torch DataLoader", "embeddings_epoch_2t", "embeddings_epoch.torch_2t", None, "(for reference)"),
    ("spiral generation, 1.11M points vs NumPy", "spiral", "spiral.numpy", 2, ">= 2x NumPy"),
]

TIME_UNITS = {"s", "ms", "us", "ns"}


def load(path):
    """Rounds by key: {key: {round: row}}."""
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                row = json.loads(line)
                if "key" in row:
                    rows.setdefault(row["key"], {})[row.get("round", 0)] = row
    return rows


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return None if n == 0 else (ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2)


def ratios(our_rounds, anchor_rounds, unit, field="value"):
    """How many times faster we are, round by paired round (`field`: "value" for wall time,
    "cpu_value" for the figures per second of process CPU time)."""
    paired = []
    for r in sorted(set(our_rounds) & set(anchor_rounds)):
        o, a = our_rounds[r].get(field), anchor_rounds[r].get(field)
        if o and a and o > 0 and a > 0:
            paired.append(a / o if unit in TIME_UNITS else o / a)
    return paired


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        swift = "swift ?"
    import os
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {swift}; Python {platform.python_version()}"


def human(value, unit):
    if value is None:
        return "missing"
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if unit.endswith("/s") and value >= scale:
            return f"{value / scale:.2f} {prefix}{unit}"
    if value >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.3g} {unit}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    ours, anchors = load(args[0]), load(args[1])
    table = []
    for work, our_key, anchor_key, goal, goal_text in ROWS:
        # An anchor measured by our own side (a share of our sequential rate) is in ours.
        o, a = ours.get(our_key, {}), anchors.get(anchor_key) or ours.get(anchor_key, {})
        if not o and not a:
            continue
        first = next(iter(o.values()), None) or next(iter(a.values()))
        unit = first.get("unit", "")
        paired = ratios(o, a, unit)
        cpu_paired = ratios(o, a, unit, "cpu_value")
        threads = "/".join(str(next(iter(side.values()), {}).get("threads", "?")) if side else "-" for side in (o, a))
        table.append({
            "work": work,
            "ours": median([row["value"] for row in o.values()]),
            "anchor": median([row["value"] for row in a.values()]),
            "unit": unit,
            "ratio": median(paired),
            "lowest": min(paired) if paired else None,
            "highest": max(paired) if paired else None,
            "rounds": len(paired),
            "cpu_ratio": median(cpu_paired),
            "threads": threads,
            "goal": goal_text,
            "met": None if goal is None else (bool(paired) and min(paired) >= goal),
        })
    if "memcpy" in ours:
        m = median([row["value"] for row in ours["memcpy"].values()])
        table.append({"work": "machine memcpy bandwidth (256 MiB)", "ours": m, "anchor": None,
                      "unit": "GB/s", "ratio": None, "lowest": None, "highest": None, "rounds": len(ours["memcpy"]), "cpu_ratio": None,
                      "threads": "1/-", "goal": "(reference)", "met": None})
    if as_json:
        print(json.dumps(table, indent=1))
        return
    print(f"Machine: {machine()}")
    print()
    print("ours and anchor: medians over interleaved rounds; ratio: median of the paired rounds [lowest, highest];")
    print("per CPU-s: the median ratio of the same rounds counted in each process's CPU time (less")
    print("disturbed by other load; not comparable where one side runs more threads);")
    print("threads: ours/anchor; a goal is met only when the lowest wall-clock round meets it.")
    print()
    header = ["work", "ours", "anchor", "ratio [lowest, highest]", "per CPU-s", "threads", "goal", "met"]
    lines = [header]
    for r in table:
        spread = f"{r['ratio']:.2f}x [{r['lowest']:.2f}, {r['highest']:.2f}]" if r["ratio"] is not None else "-"
        lines.append([
            r["work"], human(r["ours"], r["unit"]), human(r["anchor"], r["unit"]) if r["anchor"] is not None else "-",
            spread, f"{r['cpu_ratio']:.2f}x" if r["cpu_ratio"] is not None else "-",
            r["threads"], r["goal"], {True: "yes", False: "NO", None: "-"}[r["met"]],
        ])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        print("| " + " | ".join(cell.ljust(widths[j]) for j, cell in enumerate(line)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    main()
