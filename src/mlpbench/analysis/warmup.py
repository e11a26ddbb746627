"""Is each implementation's warm-up enough? Its first timed epoch against the rest.

An implementation is warmed by prime() (a few steps that compile it, then undone: frameworks)
and warmup_epochs whole epochs (0 by default). If that left work for the first timed epoch
(tracing, compiling, first-touch of buffers, a pool's threads starting), the first epoch is
slower than the later ones of the same run. Per implementation and thread count, over every
timed run with at least three epochs: the median of first / median(the rest), a percentile
bootstrap interval of that median over runs, and the share of runs whose first epoch was more
than TOLERANCE slower. Verdict: "not slower" when the interval's top is at most 1 + TOLERANCE,
"slower" when its bottom is above it, else "unclear" (too noisy runs, or fewer than MIN_RUNS).
"""

import numpy as np
import pandas as pd

from mlpbench.analysis.gather import RUN_KEYS
from mlpbench.analysis.stats import median_ci

TOLERANCE = 0.03
MIN_EPOCHS = 3  # a first epoch and at least two to compare it with
MIN_RUNS = 5  # fewer: a bootstrap interval over runs means nothing


def first_ratios(epochs):
    """One row per run: its first timed epoch / the median of its later ones."""
    rows = []
    for key, run in epochs.groupby(RUN_KEYS, sort=True):
        wall = run.sort_values("epoch")["wall_s"].to_numpy(float)
        if len(wall) >= MIN_EPOCHS:
            rows.append({**dict(zip(RUN_KEYS, key, strict=True)),
                         "first_ratio": wall[0] / np.median(wall[1:])})
    return pd.DataFrame(rows, columns=[*RUN_KEYS, "first_ratio"])


def first_epoch(epochs, runs=None):
    """The check per (impl, device, threads); runs (runs.csv) adds the warm-up each had."""
    ratios = first_ratios(epochs)
    rows = []
    for (impl, device, threads), g in ratios.groupby(["impl", "device", "threads"], sort=True):
        r = g["first_ratio"].to_numpy(float)
        ci = median_ci(r)
        verdict = ("unclear" if len(r) < MIN_RUNS else
                   "not slower" if ci["ci_high"] <= 1 + TOLERANCE else
                   "slower" if ci["ci_low"] > 1 + TOLERANCE else "unclear")
        rows.append({"impl": impl, "device": device, "threads": threads, "runs": len(r),
                     "first_ratio_median": ci["ratio"], "low": ci["ci_low"], "high": ci["ci_high"],
                     "share_slower": float(np.mean(r > 1 + TOLERANCE)), "verdict": verdict})
    table = pd.DataFrame(rows, columns=["impl", "device", "threads", "runs", "first_ratio_median",
                                        "low", "high", "share_slower", "verdict"])
    if runs is not None and len(table):
        table = table.join(runs.groupby("impl").agg(**{
            col: (col, _span) for col in ("warmup_steps", "warmup_epochs") if col in runs}),
            on="impl")
    return table


def _span(values):
    """"2", or "120-1200" where it varies (Keras's warm-up epoch has a step per batch)."""
    values = values.dropna()
    if values.empty:
        return None
    lo, hi = int(values.min()), int(values.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"
