"""Run the long-tail training recipes of `datatool compare` in plain PyTorch, as a reference.

Usage:
    python3 scripts/longtail/torch_recipes.py TRAIN.h5 --test TEST.h5 [--repeats 5] [--json]
        [--threads 1] [--recipes natural,balanced,…] [--epochs 30] [--steps S]
        [--batch-size B] [--lr 0.01] [--hidden 100] [--validation 0.2] [--seed 0]

TRAIN.h5 and TEST.h5 are in the package's layout (`/features` float32 [N, D], `/labels` int64
[N]; see labelled_h5.py), e.g. made by `datatool gen-spiral`, make_spirals.py or
make_real_longtail.py. Needs numpy, h5py and torch.

Protocol (the same as `datatool compare`, Sources/Training/RecipeComparison.swift; the two
hold out the same validation rows and differ only in the draws of the weights and batches):
  * A stratified 20 % of the training file is held out for validation (class c gives
    round(0.2·n_c) rows, halves rounded up, at least 1 when n_c ≥ 2, never all), fixed by
    --seed: the very rows `datatool compare --seed` holds out (package_split.py ports the
    package's `stratifiedSplitRows` and its generators); the model trains on the rest ("fit"
    rows). The test file is never used for any choice.
  * Model: nn.Sequential(Linear(D, 100), ReLU, Linear(100, K)), PyTorch's default init; Adam,
    lr 0.01; B = min(32·K, 256) unless --batch-size (datatool's default).
  * Budget: every recipe gets S = E·L optimizer steps: E = --epochs (30) epochs of L batches,
    L = ⌈N_fit / B⌉ (E natural passes over the fit rows), or L = S / E with --steps S (a
    multiple of E). Every epoch of every phase draws L batches of B rows:
      - natural epoch: a fresh random permutation of the fit rows; batch j holds positions
        j·B … j·B + B − 1 of it, wrapping around to its start (the package's natural epoch
        with epoch length batches:L);
      - balanced epoch: T = L·B draws split into equal class quotas Q_c (largest remainder,
        ties to the lower label); batch j gets f_c = ⌊Q_c / L⌋ of class c, plus one extra for
        Q_c mod L of the batches, the extras scheduled by PD² (the package's
        QuotaApportioner), so every batch holds ⌊B/K⌋ or ⌈B/K⌉ of each class for any B; each
        class is a circular buffer of its rows, reshuffled at each epoch start and whenever a
        pass is used up, arranged so that no row appears twice in a batch unless its class
        has fewer rows than its share of the batch; the batch is then shuffled.
  * A recipe's phases split 30 epochs (below); for E epochs phase p ends at epoch
    round(E·(e_0 + … + e_p)/30), halves to even. Every phase starts a fresh Adam (the
    package's TrainingPhase rule); a head phase trains the last Linear only.
  * Every recipe runs over --repeats seeds (seed s fixes the initialisation and the batch
    streams); the validation split is the same for all runs.
  * Selection: the recipe with the highest mean validation balanced accuracy (its own
    prediction rule) is marked "selected" (ties: the earlier recipe in the list).
  * Test metrics, mean ± sd (sample sd, n−1) over the seeds: accuracy, balanced accuracy
    (mean recall over classes with test rows), macro-F1 (mean F1 over those classes; precision
    0 for a class never predicted), minority recall (recall of the class rarest in the whole
    training file; ties go to the lower index) and real-frequency accuracy Σ_c π_c·recall_c
    with π the whole training file's class frequencies.

Recipes (π_fit, the fit rows' class frequencies, is what training and prediction use, as the
package's Trainer does with the rows it trains on)
  natural            natural:30, plain cross-entropy.
  weighted-loss      natural:30, cross-entropy with weights w_c = N_fit / (K·n_c).
  balanced           balanced:30.
  balanced+finetune  balanced:28, then natural:2 on the output layer only at lr/10 (the
                     course notes' fine-tune).
  deferred           deferred re-sampling (Cao et al., NeurIPS 2019): natural:20, balanced:10.
  crt                classifier re-training (Kang et al., ICLR 2020): natural:20, then the last
                     Linear re-initialised and trained alone on balanced:10.
  logit-adjusted     logit-adjusted loss (Menon et al., ICLR 2021): CE on logits + τ·log π_fit,
                     τ = 1; plain logits at prediction.
  posthoc            natural:30, prediction with logits + τ·log π_fit, τ = −1 (our sign
                     convention: the correction adds τ·log π, so −1 removes the prior).

Changed to match `datatool compare` (2026-12): phases in epochs of L batches instead of shares
of a continuous stream; balanced batches of B rows for any B (were K·⌊B/K⌋) from quota epochs
with no row twice in a batch; natural epochs restart their permutation; a fresh Adam at every
phase (deferred kept its Adam); π and the loss weights of the fit rows (were the whole file);
the package's split rows (were NumPy's draws); B defaults to min(32·K, 256); the JSON has
datatool's layout.

Runs are deterministic (torch.use_deterministic_algorithms) and single-threaded by default.
"""

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from labelled_h5 import read_labelled
from package_split import stratified_split_rows


# ---------------------------------------------------------------- batch streams

def natural_epoch(count, batch_size, batches, generator):
    """The `batches` batches of a natural epoch: a fresh permutation of the rows, batch j its
    positions j·B … j·B + B − 1, wrapping around to its start."""
    order = torch.randperm(count, generator=generator).tolist()
    for j in range(batches):
        yield [order[(j * batch_size + i) % count] for i in range(batch_size)]


def largest_remainder(total, weights):
    """Integer quotas summing to `total`, ⌊total·w_c/Σw⌋ or one more; the remaining units go to
    the largest fractional parts, ties to the lower label (the package's EpochPlan)."""
    w = sum(weights)
    exact = [total * x / w for x in weights]
    quotas = [int(math.floor(e)) for e in exact]
    order = sorted(range(len(weights)), key=lambda c: (-(exact[c] - quotas[c]), c))
    for c in order[:total - sum(quotas)]:
        quotas[c] += 1
    return quotas


def pd2_extras(quotas, batches, batch_size, rotation):
    """For each batch of an epoch, the classes that get one row more than ⌊Q_c / b⌋: a Pfair
    schedule by Anderson & Srinivasan's PD² rule, as the package's QuotaApportioner (the i-th
    extra of c is due by batch ⌈(i+1)·b / r_c⌉, released at ⌊i·b / r_c⌋; earliest deadline
    first, then the b-bit, then the later group deadline, then the class rotation)."""
    b = batches
    extras = [q % b for q in quotas]
    per_batch = batch_size - sum(q // b for q in quotas)
    rank = {c: r for r, c in enumerate(rotation)}
    given = [0] * len(quotas)

    def key(c):
        r, i = extras[c], given[c]
        due = (i + 1) * b
        deadline = -(-due // r)
        b_bit = 1 if due % r else 0
        group = 0
        if 2 * r >= b:
            light = b - r
            g = -(-(deadline * light) // b)
            group = -(-(g * b) // light)
        return (deadline, 1 - b_bit, -group, rank[c])

    for j in range(b):
        waiting = sorted((c for c in range(len(quotas)) if given[c] < extras[c]), key=key)
        released = [c for c in waiting if given[c] * b // extras[c] <= j]
        chosen = (released + [c for c in waiting if c not in released])[:per_batch]
        for c in chosen:
            given[c] += 1
        yield chosen


class ClassBuffer:
    """A class's rows handed out in a shuffled order; a used-up pass is reshuffled, and a draw
    that crosses into a new pass keeps the rows it already took out of the new pass's front
    when the class has enough rows (no row twice in a batch)."""

    def __init__(self, rows, generator):
        self.rows, self.generator = rows, generator
        self.order, self.cursor = self.shuffled(), 0

    def shuffled(self):
        return [self.rows[i] for i in torch.randperm(len(self.rows), generator=self.generator).tolist()]

    def take(self, m):
        out = []
        while len(out) < m:
            if self.cursor == len(self.order):
                self.order, self.cursor = self.shuffled(), 0
                front = m - len(out)
                if out and len(self.order) >= m:
                    taken = set(out)
                    for i in range(front):
                        if self.order[i] in taken:
                            while True:
                                j = front + int(torch.randint(len(self.order) - front, (1,), generator=self.generator))
                                if self.order[j] not in taken:
                                    break
                            self.order[i], self.order[j] = self.order[j], self.order[i]
            n = min(m - len(out), len(self.order) - self.cursor)
            out.extend(self.order[self.cursor:self.cursor + n])
            self.cursor += n
        return out


def balanced_epoch(labels, k, batch_size, batches, generator):
    """The `batches` batches of a balanced epoch: T = L·B draws in equal quotas, apportioned
    by PD², each class from a buffer reshuffled at the epoch start; each batch shuffled."""
    rows = [np.flatnonzero(labels == c).tolist() for c in range(k)]
    if any(not r for r in rows):
        raise ValueError("balanced batches need at least one row of every class")
    quotas = largest_remainder(batches * batch_size, [1.0] * k)
    rotation = torch.randperm(k, generator=generator).tolist()
    buffers = [ClassBuffer(r, generator) for r in rows]
    floors = [q // batches for q in quotas]
    for chosen in pd2_extras(quotas, batches, batch_size, rotation):
        extra = set(chosen)
        batch = []
        for c in range(k):
            batch.extend(buffers[c].take(floors[c] + (1 if c in extra else 0)))
        order = torch.randperm(len(batch), generator=generator).tolist()
        yield [batch[i] for i in order]


# ---------------------------------------------------------------- recipes

@dataclass(frozen=True)
class Phase:
    """Part of a recipe: `epochs` of the 30 with one sampler, scope and learning rate."""
    sampler: str            # "natural" or "balanced"
    epochs: int             # of REFERENCE_EPOCHS in all
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


REFERENCE_EPOCHS = 30

RECIPES = [
    Recipe("natural", (Phase("natural", 30),)),
    Recipe("weighted-loss", (Phase("natural", 30),), loss="weighted"),
    Recipe("balanced", (Phase("balanced", 30),)),
    Recipe("balanced+finetune", (Phase("balanced", 28), Phase("natural", 2, "head", 0.1))),
    Recipe("deferred", (Phase("natural", 20), Phase("balanced", 10))),
    Recipe("crt", (Phase("natural", 20), Phase("balanced", 10, "head", 1.0, reinit=True))),
    Recipe("logit-adjusted", (Phase("natural", 30),), loss="logit-adjusted", tau=1.0),
    Recipe("posthoc", (Phase("natural", 30),), correction=-1.0),
]


def phase_epochs(recipe, epochs):
    """Epochs of each phase for a budget of `epochs`: phase p ends at
    round(E·(e_0 + … + e_p) / 30), halves to even, so they add up to E (Recipe.phases(epochs:))."""
    total = sum(p.epochs for p in recipe.phases)
    bounds, cumulative = [0], 0
    for phase in recipe.phases:
        cumulative += phase.epochs
        q, r = divmod(epochs * cumulative, total)
        bounds.append(q + 1 if 2 * r > total or (2 * r == total and q % 2 == 1) else q)
    return [b - a for a, b in zip(bounds, bounds[1:])]


def schedule_text(recipe, epochs):
    """The phases in datatool's --schedule syntax, e.g. natural:20,balanced:10/reinit."""
    parts = []
    for p, e in zip(recipe.phases, phase_epochs(recipe, epochs)):
        text = f"{p.sampler}:{e}" + ("/reinit" if p.reinit else "/head" if p.scope == "head" else "")
        parts.append(text + (f"/lr=×{p.lr_factor}" if p.lr_factor != 1 else ""))
    return ",".join(parts)


# ---------------------------------------------------------------- data, metrics

@dataclass
class Data:
    x: torch.Tensor
    y: torch.Tensor


def stratified_split(labels, fraction, seed):
    """(fit rows, validation rows), sorted: the package's split, row for row (package_split.py)."""
    fit, held = stratified_split_rows(labels.tolist(), fraction, seed)
    return np.asarray(fit, dtype=np.int64), np.asarray(held, dtype=np.int64)


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
    """Train one model by `recipe` with `seed`; return it and the optimizer steps it took."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(fit.x.shape[1], args.hidden), nn.ReLU(), nn.Linear(args.hidden, k))
    head = model[2]
    labels = fit.y.numpy()
    steps = 0
    for phase, epochs in zip(recipe.phases, phase_epochs(recipe, budget["epochs"])):
        if epochs == 0:
            continue
        if phase.reinit:
            head.reset_parameters()
        parameters = head.parameters() if phase.scope == "head" else model.parameters()
        optimizer = torch.optim.Adam(parameters, lr=args.lr * phase.lr_factor)   # a fresh Adam every phase
        model.train()
        for _ in range(epochs):
            if phase.sampler == "balanced":
                batches = balanced_epoch(labels, k, args.batch_size, budget["batches_per_epoch"], generator)
            else:
                batches = natural_epoch(len(labels), args.batch_size, budget["batches_per_epoch"], generator)
            for batch in batches:
                index = torch.tensor(batch)
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
                steps += 1
    model.eval()
    return model, steps


def predict(model, recipe, x, log_prior):
    with torch.no_grad():
        logits = model(x)
        if recipe.correction:
            logits = logits + recipe.correction * log_prior
        return logits.argmax(1).numpy()


def mean_sd(values):
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


KEYS = ["accuracy", "balanced_accuracy", "macro_f1", "minority_recall", "real_frequency_accuracy"]


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
    counts = np.bincount(y_train, minlength=k)
    if counts.min() == 0:
        raise ValueError(f"{args.train}: class {int(np.argmin(counts))} has no rows; every class 0..<{k} needs one")
    if args.batch_size is None:
        args.batch_size = min(32 * k, 256)
    fit_rows, val_rows = stratified_split(y_train, args.validation, args.seed)
    fit = Data(torch.from_numpy(x_train[fit_rows]), torch.from_numpy(y_train[fit_rows]))
    val = Data(torch.from_numpy(x_train[val_rows]), y_train[val_rows])
    test = Data(torch.from_numpy(x_test), y_test)
    prior = counts / counts.sum()                          # the training file's: metrics
    minority = int(np.argmin(counts))                      # its rarest class, the lower index on ties
    fit_counts = np.bincount(y_train[fit_rows], minlength=k)
    log_prior = torch.from_numpy(np.log(fit_counts / fit_counts.sum())).float()      # the fit rows': training
    class_weights = torch.from_numpy(fit_counts.sum() / (k * fit_counts)).float()
    if args.steps is not None and args.steps % args.epochs:
        raise ValueError(f"--steps {args.steps} is not a multiple of --epochs {args.epochs}")
    per_epoch = args.steps // args.epochs if args.steps else math.ceil(len(fit_rows) / args.batch_size)
    budget = {"steps": args.epochs * per_epoch, "epochs": args.epochs, "batches_per_epoch": per_epoch,
              "batch_size": args.batch_size}

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
            model, steps = train_one(recipe, seed, fit, k, budget, args, log_prior, class_weights)
            validation = metrics(predict(model, recipe, val.x, log_prior), val.y, k, prior, minority)
            runs.append((validation["balanced_accuracy"], steps,
                         metrics(predict(model, recipe, test.x, log_prior), test.y, k, prior, minority)))
        summary = {key: mean_sd([t[key] for _, _, t in runs]) for key in KEYS}
        v_mean, v_sd = mean_sd([v for v, _, _ in runs])
        results.append({
            "recipe": name,
            "schedule": schedule_text(recipe, args.epochs),
            "loss": "logit-adjusted" if recipe.loss == "logit-adjusted" else "cross-entropy",
            "class_weights": "inverse" if recipe.loss == "weighted" else "none",
            "prior_correction": recipe.correction if recipe.correction else None,
            "steps": [s for _, s, _ in runs],
            "validation_balanced_accuracy": {"mean": v_mean, "sd": v_sd},
            "mean": {key: summary[key][0] for key in KEYS},
            "sd": {key: summary[key][1] for key in KEYS},
            "selected": False,
        })
    best = max(range(len(results)), key=lambda i: (results[i]["validation_balanced_accuracy"]["mean"], -i))
    results[best]["selected"] = True
    context = {
        "train": args.train, "test": args.test, "classes": k, "train_counts": counts.tolist(),
        "fit_rows": int(len(fit_rows)), "validation_rows": int(len(val_rows)), "test_rows": int(len(y_test)),
        "minority_class": minority, "budget": budget, "hidden": args.hidden,
        "seeds": list(range(args.seed, args.seed + args.repeats)), "threads": args.threads,
        "torch": torch.__version__, "seconds": round(time.time() - started, 1),
    }
    return context, results


def markdown(context, results):
    c, b = context, context["budget"]
    lines = [
        f"PyTorch {c['torch']}, MLP D-{c['hidden']}-{c['classes']} ReLU, Adam lr 0.01; training file "
        f"{'/'.join(map(str, c['train_counts']))}: {c['fit_rows']} fit rows, {c['validation_rows']} validation rows; "
        f"test {c['test_rows']} rows; budget {b['steps']} optimizer steps per run "
        f"({b['epochs']} epochs × {b['batches_per_epoch']} batches of B = {b['batch_size']}); "
        f"seeds {c['seeds'][0]}–{c['seeds'][-1]}; {c['threads']} thread(s), {c['seconds']} s.",
        "",
        "| recipe | val bal. acc | accuracy | balanced acc | macro-F1 | minority recall | real-freq acc |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = [f"{r['validation_balanced_accuracy']['mean']:.3f}"]
        cells += [f"{r['mean'][k]:.3f} ± {r['sd'][k]:.3f}" for k in KEYS]
        name = f"**{r['recipe']}** (selected)" if r["selected"] else r["recipe"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train", help="training file (HDF5, /features and /labels)")
    parser.add_argument("--test", required=True, help="test file, never used for a choice")
    parser.add_argument("--repeats", type=int, default=5, help="seeds per recipe (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="first seed; also fixes the validation split")
    parser.add_argument("--json", action="store_true", help="print one JSON object (datatool compare's layout)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--recipes", help="comma-separated recipe names (default: all)")
    parser.add_argument("--epochs", type=int, default=30, help="epochs of the budget (default 30)")
    parser.add_argument("--steps", type=int, help="budget in optimizer steps, a multiple of --epochs "
                        "(default: --epochs natural passes over the fit rows)")
    parser.add_argument("--batch-size", type=int, help="B (default min(32·K, 256), as datatool)")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument("--validation", type=float, default=0.2, help="held-out share of the training file")
    args = parser.parse_args(argv)
    for name in ("repeats", "threads", "epochs", "batch_size", "hidden"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
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
        print(json.dumps(dict(context, recipes=results), indent=2))
    else:
        print(markdown(context, results))


if __name__ == "__main__":
    main()
