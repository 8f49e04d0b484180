"""Run the long-tail training recipes of `datatool compare` in plain PyTorch, as a reference.

Usage:
    python3 scripts/longtail/torch_recipes.py TRAIN.h5 --test TEST.h5 [--repeats 5] [--json]
        [--threads 1] [--recipes natural,balanced,…] [--epochs 30 | --steps S]
        [--batch-size 96] [--lr 0.01] [--hidden 100] [--validation 0.2] [--seed 0]

TRAIN.h5 and TEST.h5 are in the package's layout (`/features` float32 [N, D], `/labels` int64
[N]; see labelled_h5.py), e.g. made by `datatool gen-spiral`, make_spirals.py or
make_real_longtail.py. Needs numpy, h5py and torch.

Protocol
  * A stratified 20 % of the training file is held out for validation (class c gives
    round(0.2·n_c) rows, at least 1 when n_c ≥ 2, never all; the rule of the package's
    `stratifiedSplitRows`), fixed by --seed; the model trains on the rest ("fit" rows).
    The test file is never used for any choice.
  * Model: nn.Sequential(Linear(D, 100), ReLU, Linear(100, K)), PyTorch's default init; Adam,
    lr 0.01. Every recipe gets the same budget of optimizer steps S, by default the steps of
    30 natural epochs over the fit rows, S = 30·⌈N_fit / B⌉ (B = 96). Natural batches hold B
    rows; balanced batches hold m = ⌊B/K⌋ rows of every class (K·m rows). A phase that
    changes the trained scope or the learning rate starts a fresh Adam.
  * Every recipe runs over --repeats seeds (seed s fixes the initialisation and the batch
    streams); the validation split is the same for all runs.
  * Selection: the recipe with the highest mean validation balanced accuracy (its own
    prediction rule) is marked "selected" (ties: the earlier recipe in the list).
  * Test metrics, mean ± sd (sample sd, n−1) over the seeds: accuracy, balanced accuracy
    (mean recall over classes with test rows), macro-F1 (mean F1 over those classes; precision
    0 for a class never predicted), minority recall (recall of the class rarest in the training
    file; ties go to the lower index) and real-frequency accuracy Σ_c π_c·recall_c.

Recipes (π_c = n_c / N, the class frequencies of the whole training file; the split keeps them)
  natural            shuffled rows, plain cross-entropy, all S steps.
  weighted-loss      natural batches, cross-entropy with weights w_c = N / (K·n_c).
  balanced           class-balanced batches (ClassBalancedBatchSampler) for all S steps.
  balanced+finetune  balanced for S − round(2S/30) steps, then round(2S/30) natural steps on
                     the output layer only at lr/10 (the course notes' fine-tune).
  deferred           deferred re-sampling (Cao et al., NeurIPS 2019): natural for round(2S/3)
                     steps, then balanced (same Adam).
  crt                classifier re-training (Kang et al., ICLR 2020): natural for round(2S/3)
                     steps, then the last Linear re-initialised and trained alone on balanced
                     batches for the rest.
  logit-adjusted     logit-adjusted loss (Menon et al., ICLR 2021): CE on logits + τ·log π,
                     τ = 1; plain logits at prediction.
  posthoc            natural training, prediction with logits + τ·log π, τ = −1 (our sign
                     convention: the correction adds τ·log π, so −1 removes the prior).

Runs are deterministic (torch.use_deterministic_algorithms) and single-threaded by default.
"""

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Sampler

from labelled_h5 import read_labelled


# ---------------------------------------------------------------- batch samplers

class NaturalBatchSampler(Sampler):
    """Endless batches of `batch_size` rows at the real frequencies.

    Rows come from consecutive random permutations of all rows (each pass is a permutation,
    a batch may straddle two passes), so every row is seen once per pass.
    """

    def __init__(self, count, batch_size, generator):
        self.count, self.batch_size, self.generator = count, batch_size, generator

    def __iter__(self):
        order, cursor = torch.randperm(self.count, generator=self.generator), 0
        while True:
            batch = []
            while len(batch) < self.batch_size:
                if cursor == self.count:
                    order, cursor = torch.randperm(self.count, generator=self.generator), 0
                take = min(self.batch_size - len(batch), self.count - cursor)
                batch.extend(order[cursor:cursor + take].tolist())
                cursor += take
            yield batch


class ClassBalancedBatchSampler(Sampler):
    """Endless class-balanced batches: `per_class` rows of every class, shuffled in the batch.

    Each class is a circular buffer of its row indices handed out in a shuffled order; when a
    class's pass is used up it is reshuffled and starts over (without replacement within a
    pass, the ClassAwareSampler semantics). A class smaller than `per_class` repeats rows
    within a batch, which cannot be avoided.
    """

    def __init__(self, labels, per_class, generator):
        labels = torch.as_tensor(labels)
        self.rows = [torch.nonzero(labels == c).flatten() for c in range(int(labels.max()) + 1)]
        if any(len(r) == 0 for r in self.rows):
            raise ValueError("balanced batches need at least one row of every class")
        self.per_class, self.generator = per_class, generator

    def __iter__(self):
        passes = [r[torch.randperm(len(r), generator=self.generator)] for r in self.rows]
        cursors = [0] * len(self.rows)
        while True:
            batch = []
            for c, rows in enumerate(self.rows):
                wanted = self.per_class
                while wanted:
                    if cursors[c] == len(rows):
                        passes[c], cursors[c] = rows[torch.randperm(len(rows), generator=self.generator)], 0
                    take = min(wanted, len(rows) - cursors[c])
                    batch.extend(passes[c][cursors[c]:cursors[c] + take].tolist())
                    cursors[c] += take
                    wanted -= take
            order = torch.randperm(len(batch), generator=self.generator).tolist()
            yield [batch[i] for i in order]


# ---------------------------------------------------------------- recipes

@dataclass(frozen=True)
class Phase:
    """Part of a recipe: `share` of the step budget with one sampler, scope and learning rate."""
    sampler: str            # "natural" or "balanced"
    share: float            # fraction of the step budget
    scope: str = "all"      # "all" or "head" (the last Linear only)
    lr_factor: float = 1.0  # times the main learning rate
    reinit: bool = False    # re-initialise the last Linear at the phase start


@dataclass(frozen=True)
class Recipe:
    name: str
    phases: tuple
    loss: str = "cross-entropy"   # "cross-entropy", "weighted" or "logit-adjusted"
    tau: float = 1.0              # τ of the logit-adjusted loss
    correction: float = 0.0       # post-hoc τ: predict with logits + correction·log π


RECIPES = [
    Recipe("natural", (Phase("natural", 1.0),)),
    Recipe("weighted-loss", (Phase("natural", 1.0),), loss="weighted"),
    Recipe("balanced", (Phase("balanced", 1.0),)),
    Recipe("balanced+finetune", (Phase("balanced", 28 / 30), Phase("natural", 2 / 30, "head", 0.1))),
    Recipe("deferred", (Phase("natural", 2 / 3), Phase("balanced", 1 / 3))),
    Recipe("crt", (Phase("natural", 2 / 3), Phase("balanced", 1 / 3, "head", 1.0, reinit=True))),
    Recipe("logit-adjusted", (Phase("natural", 1.0),), loss="logit-adjusted", tau=1.0),
    Recipe("posthoc", (Phase("natural", 1.0),), correction=-1.0),
]


def phase_steps(recipe, budget):
    """Steps of each phase: the budget split by the cumulative shares, rounded, summing to it."""
    bounds, total = [0], 0.0
    for phase in recipe.phases:
        total += phase.share
        bounds.append(int(round(budget * min(total, 1.0))))
    bounds[-1] = budget
    return [b - a for a, b in zip(bounds, bounds[1:])]


# ---------------------------------------------------------------- data, metrics

@dataclass
class Data:
    x: torch.Tensor
    y: torch.Tensor


def stratified_split(labels, fraction, seed):
    """(fit rows, validation rows), sorted; class c gives round(fraction·n_c) to validation,
    at least 1 when n_c ≥ 2 and never all of it."""
    rng = np.random.default_rng(seed)
    held = []
    for c in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == c)
        if len(rows) >= 2:
            take = min(len(rows) - 1, max(1, int(round(fraction * len(rows)))))
            held.extend(rng.permutation(rows)[:take])
    mask = np.zeros(len(labels), dtype=bool)
    mask[np.asarray(held, dtype=np.int64)] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def metrics(predicted, truth, k, prior, minority):
    """The compare metrics from predicted and true classes (numpy int arrays)."""
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    support, predicted_count, correct = confusion.sum(1), confusion.sum(0), np.diag(confusion)
    present = support > 0
    recall = np.where(present, correct / np.maximum(support, 1), np.nan)
    precision = np.where(predicted_count > 0, correct / np.maximum(predicted_count, 1), 0.0)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-300), 0.0)
    return {
        "accuracy": correct.sum() / confusion.sum(),
        "balanced_accuracy": float(np.nanmean(recall)),
        "macro_f1": float(f1[present].mean()),
        "minority_recall": float(recall[minority]),
        "real_frequency_accuracy": float(np.nansum(prior * recall)),
    }


# ---------------------------------------------------------------- training

def train_one(recipe, seed, fit, k, budget, args, log_prior, class_weights):
    """Train one model by `recipe` with `seed`; return it."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(fit.x.shape[1], args.hidden), nn.ReLU(), nn.Linear(args.hidden, k))
    head = model[2]
    optimizer, current = None, None
    for phase, steps in zip(recipe.phases, phase_steps(recipe, budget)):
        if phase.reinit:
            head.reset_parameters()
        if optimizer is None or phase.reinit or (phase.scope, phase.lr_factor) != current:
            parameters = head.parameters() if phase.scope == "head" else model.parameters()
            optimizer = torch.optim.Adam(parameters, lr=args.lr * phase.lr_factor)
            current = (phase.scope, phase.lr_factor)
        if phase.sampler == "balanced":
            batches = iter(ClassBalancedBatchSampler(fit.y, max(1, args.batch_size // k), generator))
        else:
            batches = iter(NaturalBatchSampler(len(fit.y), args.batch_size, generator))
        model.train()
        for _ in range(steps):
            index = torch.tensor(next(batches))
            logits = model(fit.x[index])
            target = fit.y[index]
            if recipe.loss == "weighted":
                loss = F.cross_entropy(logits, target, weight=class_weights)
            elif recipe.loss == "logit-adjusted":
                loss = F.cross_entropy(logits + recipe.tau * log_prior, target)
            else:
                loss = F.cross_entropy(logits, target)
            model.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def predict(model, recipe, x, log_prior):
    with torch.no_grad():
        logits = model(x)
        if recipe.correction:
            logits = logits + recipe.correction * log_prior
        return logits.argmax(1).numpy()


def mean_sd(values):
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0}


def run(args):
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    x_train, y_train, _ = read_labelled(args.train)
    x_test, y_test, _ = read_labelled(args.test)
    if x_test.shape[1] != x_train.shape[1]:
        raise ValueError(f"{args.test} has {x_test.shape[1]} features, {args.train} has {x_train.shape[1]}")
    k = int(y_train.max()) + 1
    if y_test.max() >= k:
        raise ValueError(f"{args.test} has label {y_test.max()}, but {args.train} has only {k} classes")
    fit_rows, val_rows = stratified_split(y_train, args.validation, args.seed)
    fit = Data(torch.from_numpy(x_train[fit_rows]), torch.from_numpy(y_train[fit_rows]))
    val = Data(torch.from_numpy(x_train[val_rows]), y_train[val_rows])
    test = Data(torch.from_numpy(x_test), y_test)
    counts = np.bincount(y_train, minlength=k)
    if counts.min() == 0:
        raise ValueError(f"{args.train}: class {int(np.argmin(counts))} has no rows; every class 0..<{k} needs one")
    prior = counts / counts.sum()
    log_prior = torch.from_numpy(np.log(prior)).float()
    class_weights = torch.from_numpy(counts.sum() / (k * counts)).float()
    minority = int(np.argmin(counts))  # rarest class of the training file, the lower index on ties
    budget = args.steps if args.steps else args.epochs * math.ceil(len(fit_rows) / args.batch_size)

    names = args.recipes.split(",") if args.recipes else [r.name for r in RECIPES]
    known = {r.name: r for r in RECIPES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown recipe {', '.join(unknown)}; expected some of {', '.join(known)}")

    results, started = [], time.time()
    for name in names:
        recipe = known[name]
        runs = []
        for seed in range(args.seed, args.seed + args.repeats):
            model = train_one(recipe, seed, fit, k, budget, args, log_prior, class_weights)
            validation = metrics(predict(model, recipe, val.x, log_prior), val.y, k, prior, minority)
            runs.append((validation["balanced_accuracy"],
                         metrics(predict(model, recipe, test.x, log_prior), test.y, k, prior, minority)))
        results.append({
            "recipe": name,
            "phases": [dict(sampler=p.sampler, steps=s, scope=p.scope, lr=args.lr * p.lr_factor, reinit=p.reinit)
                       for p, s in zip(recipe.phases, phase_steps(recipe, budget))],
            "steps": budget,
            "validation_balanced_accuracy": mean_sd([v for v, _ in runs]),
            "test": {key: mean_sd([t[key] for _, t in runs]) for key in runs[0][1]},
            "selected": False,
        })
    best = max(range(len(results)), key=lambda i: (results[i]["validation_balanced_accuracy"]["mean"], -i))
    results[best]["selected"] = True
    context = {
        "train": args.train, "test": args.test, "classes": k, "train_counts": counts.tolist(),
        "fit_rows": int(len(fit_rows)),
        "validation_rows": int(len(val_rows)), "test_rows": int(len(y_test)), "batch_size": args.batch_size,
        "balanced_per_class": max(1, args.batch_size // k), "steps": budget,
        "seeds": list(range(args.seed, args.seed + args.repeats)), "threads": args.threads,
        "torch": torch.__version__, "seconds": round(time.time() - started, 1),
    }
    return context, results


def markdown(context, results):
    c = context
    lines = [
        f"PyTorch {c['torch']}, MLP D-100-{c['classes']} ReLU, Adam lr 0.01; training file "
        f"{'/'.join(map(str, c['train_counts']))}: {c['fit_rows']} fit rows, {c['validation_rows']} validation rows; "
        f"test {c['test_rows']} rows; budget {c['steps']} optimizer steps per recipe "
        f"(natural batches {c['batch_size']}, balanced {c['balanced_per_class']}×{c['classes']}); "
        f"seeds {c['seeds'][0]}–{c['seeds'][-1]}; {c['threads']} thread(s), {c['seconds']} s.",
        "",
        "| recipe | val bal. acc | accuracy | balanced acc | macro-F1 | minority recall | real-freq acc |",
        "|---|---|---|---|---|---|---|",
    ]
    keys = ["accuracy", "balanced_accuracy", "macro_f1", "minority_recall", "real_frequency_accuracy"]
    for r in results:
        cells = [f"{r['validation_balanced_accuracy']['mean']:.3f}"]
        cells += [f"{r['test'][k]['mean']:.3f} ± {r['test'][k]['sd']:.3f}" for k in keys]
        name = f"**{r['recipe']}** (selected)" if r["selected"] else r["recipe"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train", help="training file (HDF5, /features and /labels)")
    parser.add_argument("--test", required=True, help="test file, never used for a choice")
    parser.add_argument("--repeats", type=int, default=5, help="seeds per recipe (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; also fixes the validation split")
    parser.add_argument("--json", action="store_true", help="print one JSON object per recipe")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--recipes", help="comma-separated recipe names (default: all)")
    parser.add_argument("--epochs", type=int, default=30, help="budget in natural epochs of the fit rows (default 30)")
    parser.add_argument("--steps", type=int, help="budget in optimizer steps (overrides --epochs)")
    parser.add_argument("--batch-size", type=int, default=96)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--validation", type=float, default=0.2, help="held-out share of the training file")
    args = parser.parse_args(argv)
    for name in ("repeats", "threads", "epochs", "batch_size", "hidden"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if not 0 < args.validation < 1:
        parser.error(f"--validation must be between 0 and 1 (exclusive), got {args.validation}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a positive number, got {args.lr}")
    try:
        context, results = run(args)
    except (ValueError, OSError) as error:
        sys.exit(f"torch_recipes.py: {error}")
    if args.json:
        print(json.dumps([dict(r, **{k: context[k] for k in ("batch_size", "balanced_per_class", "seeds", "torch")})
                          for r in results], indent=2))
    else:
        print(markdown(context, results))


if __name__ == "__main__":
    main()
