"""The study's comparison tables, each a ratio of cells with its 95% interval (stats.ratio):
the speed-up of every implementation over keras-fit, float64 against float32 time, and the
speed-up over a cell's fewest threads.
"""

import pandas as pd

from mlpbench.analysis.gather import KEYS
from mlpbench.analysis.stats import baseline_runs, cell_runs, kind_spreads, ratio

BASELINE = "keras-fit"


def _speedup(cell, res, **against):
    """A row of a speed-up table: the cell (gather.KEYS), what it is held against, the ratio
    as `speedup` with its interval."""
    return {**dict(zip(KEYS, cell, strict=True)), **against, "speedup": res["ratio"],
            "ci_low": res["ci_low"], "ci_high": res["ci_high"],
            "significant": res["significant"]}


def speedups(epochs, baseline=BASELINE, value="wall_s"):
    """Speed-up of every cell over the baseline implementation's same (dtype, batch, threads).

    speedup = median time of the baseline / median time of the implementation (> 1: faster).
    """
    runs, spread = cell_runs(epochs, value), kind_spreads(epochs, value)
    base = baseline_runs(runs, baseline)
    rows = []
    for (impl, device, workload, dtype, batch, threads), r in runs.items():
        ref = base.get((device, dtype, batch, threads))
        if impl == baseline or ref is None:
            continue
        res = ratio(ref, r, spread[(baseline, device, threads)], spread[(impl, device, threads)])
        rows.append(_speedup((impl, device, workload, dtype, batch, threads), res,
                             baseline=baseline))
    return pd.DataFrame(rows, columns=[*KEYS, "baseline", "speedup", "ci_low", "ci_high",
                                       "significant"])


def dtype_ratios(epochs, value="wall_s"):
    """float64 time / float32 time for each (impl, device, batch, threads) that has both."""
    runs, spread = cell_runs(epochs, value), kind_spreads(epochs, value)
    rows = []
    for (impl, device, workload, dtype, batch, threads), r64 in runs.items():
        r32 = runs.get((impl, device, workload, "float32", batch, threads))
        if dtype != "float64" or r32 is None:
            continue
        kind = spread[(impl, device, threads)]
        res = ratio(r64, r32, kind, kind)
        rows.append({"impl": impl, "device": device, "workload": workload, "batch": batch,
                     "threads": threads, **res})
    return pd.DataFrame(rows, columns=[*(k for k in KEYS if k != "dtype"), "ratio", "ci_low",
                                       "ci_high", "significant"])


def thread_scaling(epochs, value="wall_s"):
    """Speed-up over the same cell's smallest thread count (time at min threads / time)."""
    runs, spread = cell_runs(epochs, value), kind_spreads(epochs, value)
    rows = []
    for (impl, device, workload, dtype, batch, threads), r in runs.items():
        base_t = min(t for (i, dev, _w, d, b, t) in runs
                     if (i, dev, d, b) == (impl, device, dtype, batch))
        res = ratio(runs[(impl, device, workload, dtype, batch, base_t)], r,
                    spread[(impl, device, base_t)], spread[(impl, device, threads)])
        rows.append(_speedup((impl, device, workload, dtype, batch, threads), res,
                             base_threads=base_t))
    return pd.DataFrame(rows, columns=[*KEYS, "base_threads", "speedup", "ci_low", "ci_high",
                                       "significant"])
