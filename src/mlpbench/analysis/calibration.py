"""A/A calibration: how often the study's interval and verdict rule see a difference that is not
there.

The calibration study (config/calibration.yaml) times many processes of a few cells. Its arms
are identical: split a cell's undisturbed processes at random into two groups of `processes`
each (a design's processes per cell; each process cut to the design's first `epochs` timed
epochs), and judge the ratio of the two groups' times with an interval method. Over many
splits:
- coverage: the share of intervals that contain 1 (a 95% interval should: 95%);
- false_verdict_rate: the share whose interval lies wholly beyond 1 +- claims.GAIN, where a
  claim-style rule ("gains speed", "slows down" by more than 10%) would decide a difference.

A split draws every cell of a kind (implementation and thread count) at once, so that a method
that pools the process variance over a kind's cells, as the study's does, is judged as it is
used. results/calibration.csv has one row per design, kind and method, and one per design and
method over every kind ("all").
"""

import numpy as np
import pandas as pd

from mlpbench.analysis import stats
from mlpbench.analysis.claims import GAIN

SEED = 20261201  # the splits are reproducible
COLUMNS = ["method", "processes", "epochs", "kind", "cells", "pool", "splits", "judged",
           "coverage", "false_verdict_rate", "median_width"]


def pools(epochs, epochs_needed):
    """{(impl, threads): {cell: [each undisturbed process's first epochs_needed epoch times]}}
    from the timed epochs, keeping processes with at least that many epochs."""
    out = {}
    for key, runs in stats.cell_runs(epochs).items():
        impl, _device, _workload, _dtype, _batch, threads = key
        kept = [r[:epochs_needed] for r in runs if len(r) >= epochs_needed]
        out.setdefault((impl, threads), {})[key] = kept
    return out


def split(runs, processes, rng):
    """Two disjoint random groups of `processes` runs each."""
    order = rng.permutation(len(runs))
    return ([runs[i] for i in order[:processes]],
            [runs[i] for i in order[processes:2 * processes]])


def judge(intervals):
    """(covered, false verdict) arrays of [(low, high)]: the interval contains 1; it lies wholly
    beyond 1 + GAIN or below 1 - GAIN."""
    low, high = np.array(intervals, float).reshape(-1, 2).T
    return (low <= 1) & (1 <= high), (low > 1 + GAIN) | (high < 1 - GAIN)


def calibrate(epochs, designs, methods, splits, seed=SEED):
    """results/calibration.csv from the timed epochs of a study.

    designs: [{"processes": k, "epochs": e}]; methods: {name: f([(runs_a, runs_b)] of a kind's
    cells -> [(low, high)])}; splits: random A/A splits per design and kind. A cell joins a
    design when it has 2k undisturbed processes of at least e epochs.
    """
    rows = []
    for design in designs:
        k, e = design["processes"], design["epochs"]
        for name, method in methods.items():
            covered_all, false_all, widths_all, cells_all = [], [], [], 0
            for (impl, threads), cells in sorted(pools(epochs, e).items()):
                cells = {c: r for c, r in cells.items() if len(r) >= 2 * k}
                if not cells:
                    continue
                rng = np.random.default_rng(seed)
                intervals = []
                for _ in range(splits):
                    intervals += method([split(r, k, rng) for r in cells.values()])
                covered, false = judge(intervals)
                widths = [high / low for low, high in intervals]
                rows.append(_row(name, k, e, f"{impl}, {threads} thread(s)", len(cells),
                                 min(len(r) for r in cells.values()), splits, covered, false,
                                 widths))
                covered_all.append(covered)
                false_all.append(false)
                widths_all += widths
                cells_all += len(cells)
            if covered_all:
                rows.append(_row(name, k, e, "all", cells_all, None, splits,
                                 np.concatenate(covered_all), np.concatenate(false_all),
                                 widths_all))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(method, k, e, kind, cells, pool, splits, covered, false, widths):
    return {"method": method, "processes": k, "epochs": e, "kind": kind, "cells": cells,
            "pool": pool, "splits": splits, "judged": len(covered),
            "coverage": float(np.mean(covered)), "false_verdict_rate": float(np.mean(false)),
            "median_width": float(np.median(widths))}


def bootstrap(pairs):
    """The two-level bootstrap (stats.bootstrap_ratio), cell by cell: the study's interval
    until the calibration measured it."""
    out = []
    for a, b in pairs:
        res = stats.bootstrap_ratio(a, b)
        out.append((res["ci_low"], res["ci_high"]))
    return out


def pooled_t(pairs):
    """The study's interval (stats.ratio): a t interval on the log run medians, the spread
    pooled over the kind's cells, here both arms of every cell of the split."""
    spread = stats.pooled_spread([arm for pair in pairs for arm in pair])
    out = []
    for a, b in pairs:
        res = stats.ratio(a, b, spread, spread)
        out.append((res["ci_low"], res["ci_high"]))
    return out


METHODS = {"two-level bootstrap (before)": bootstrap,
           "t, spread pooled over the kind (the study's)": pooled_t}
