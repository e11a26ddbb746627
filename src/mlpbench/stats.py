"""Statistics over the per-epoch table: per-cell spread, and ratios with bootstrap intervals.

The independent unit is the run (one process); epochs within a run share its process state.
Intervals therefore come from a two-level bootstrap: resample runs, then epochs within each
resampled run, and take the median of the pooled epoch times. A ratio is called significant
only when its 95% interval excludes 1.
"""

import numpy as np
import pandas as pd

from mlpbench.gather import KEYS

CV_WARN = 0.05  # coefficient of variation above which a cell's timing is flagged
N_BOOT = 2000
CONFIDENCE = 0.95
BASELINE = "keras-fit"
SEED = 12345  # the bootstrap's own seed: intervals are reproducible


def cell_stats(epochs, value="wall_s"):
    """Per cell (impl, workload, dtype, batch, threads): median, IQR and CV over all epochs."""
    if epochs.empty:
        return pd.DataFrame(columns=KEYS + ["n_runs", "n_epochs", "median_s", "q1_s", "q3_s",
                                            "iqr_s", "cv", "cv_warning"])

    def summary(g):
        v = g[value].to_numpy(float)
        mean = v.mean()
        cv = v.std(ddof=1) / mean if len(v) > 1 and mean > 0 else np.nan
        q1, q3 = np.quantile(v, [0.25, 0.75])
        return pd.Series({"n_runs": g["repeat"].nunique(), "n_epochs": len(v),
                          "median_s": np.median(v), "q1_s": q1, "q3_s": q3, "iqr_s": q3 - q1,
                          "cv": cv, "cv_warning": bool(cv > CV_WARN)})

    out = epochs.groupby(KEYS, dropna=False)[["repeat", value]].apply(summary).reset_index()
    out[["n_runs", "n_epochs"]] = out[["n_runs", "n_epochs"]].astype(int)
    out["cv_warning"] = out["cv_warning"].astype(bool)
    return out


def runs_of(epochs, value="wall_s", **where):
    """The epoch values of each run of the cell selected by `where`, as a list of arrays."""
    sel = epochs
    for k, v in where.items():
        sel = sel[sel[k] == v]
    return [g[value].to_numpy(float) for _, g in sel.groupby("repeat", sort=True)]


def bootstrap_medians(runs, n_boot=N_BOOT, rng=None):
    """Medians of n_boot two-level resamples of `runs` (a list of 1-d arrays)."""
    rng = np.random.default_rng(SEED) if rng is None else rng
    lengths = np.array([len(r) for r in runs])
    padded = np.full((len(runs), lengths.max()), np.nan)
    for i, r in enumerate(runs):
        padded[i, : len(r)] = r
    pick = rng.integers(0, len(runs), size=(n_boot, len(runs)))
    within = (rng.random((n_boot, len(runs), lengths.max())) * lengths[pick][..., None])
    values = padded[pick[..., None], within.astype(int)]
    # a shorter run contributes only as many values as it has
    values[np.arange(lengths.max()) >= lengths[pick][..., None]] = np.nan
    return np.nanmedian(values.reshape(n_boot, -1), axis=1)


def ratio(num_runs, den_runs, n_boot=N_BOOT, seed=SEED):
    """median(num) / median(den) with a bootstrap interval; significant if it excludes 1."""
    if not num_runs or not den_runs:
        return None
    rng = np.random.default_rng(seed)
    point = np.median(np.concatenate(num_runs)) / np.median(np.concatenate(den_runs))
    boot = bootstrap_medians(num_runs, n_boot, rng) / bootstrap_medians(den_runs, n_boot, rng)
    alpha = (1 - CONFIDENCE) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    return {"ratio": float(point), "ci_low": float(low), "ci_high": float(high),
            "significant": bool(low > 1 or high < 1)}


def cell_runs(epochs, value="wall_s"):
    """{(impl, workload, dtype, batch, threads): [epoch values of each run]} for every cell."""
    return {key: [g[value].to_numpy(float) for _, g in cell.groupby("repeat", sort=True)]
            for key, cell in epochs.groupby(KEYS, sort=True)}


def speedups(epochs, baseline=BASELINE, value="wall_s"):
    """Speed-up of every cell over the baseline implementation's same (dtype, batch, threads).

    speedup = median time of the baseline / median time of the implementation (> 1: faster).
    """
    runs = cell_runs(epochs, value)
    base = {(d, b, t): r for (i, _w, d, b, t), r in runs.items() if i == baseline}
    rows = []
    for (impl, workload, dtype, batch, threads), r in runs.items():
        ref = base.get((dtype, batch, threads))
        if impl == baseline or ref is None:
            continue
        res = ratio(ref, r)
        rows.append({"impl": impl, "workload": workload, "dtype": dtype, "batch": batch,
                     "threads": threads, "baseline": baseline,
                     "speedup": res["ratio"], "ci_low": res["ci_low"],
                     "ci_high": res["ci_high"], "significant": res["significant"]})
    return pd.DataFrame(rows, columns=["impl", "workload", "dtype", "batch", "threads",
                                       "baseline", "speedup", "ci_low", "ci_high",
                                       "significant"])


def dtype_ratios(epochs, value="wall_s"):
    """float64 time / float32 time for each (impl, batch, threads) that has both."""
    runs = cell_runs(epochs, value)
    rows = []
    for (impl, workload, dtype, batch, threads), r64 in runs.items():
        r32 = runs.get((impl, workload, "float32", batch, threads))
        if dtype != "float64" or r32 is None:
            continue
        res = ratio(r64, r32)
        rows.append({"impl": impl, "workload": workload, "batch": batch, "threads": threads,
                     **res})
    return pd.DataFrame(rows, columns=["impl", "workload", "batch", "threads", "ratio",
                                       "ci_low", "ci_high", "significant"])


def thread_scaling(epochs, value="wall_s"):
    """Speed-up over the same cell's smallest thread count (time at min threads / time)."""
    runs = cell_runs(epochs, value)
    rows = []
    for (impl, workload, dtype, batch, threads), r in runs.items():
        base_t = min(t for (i, w, d, b, t) in runs if (i, d, b) == (impl, dtype, batch))
        res = ratio(runs[(impl, workload, dtype, batch, base_t)], r)
        rows.append({"impl": impl, "workload": workload, "dtype": dtype, "batch": batch,
                     "threads": threads, "base_threads": base_t, "speedup": res["ratio"],
                     "ci_low": res["ci_low"], "ci_high": res["ci_high"],
                     "significant": res["significant"]})
    return pd.DataFrame(rows, columns=["impl", "workload", "dtype", "batch", "threads",
                                       "base_threads", "speedup", "ci_low", "ci_high",
                                       "significant"])
