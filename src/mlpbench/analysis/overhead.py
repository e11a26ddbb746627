"""The container's overhead: the same cells timed in Docker and natively, compared per cell.

The native study is given as its runs.csv (config native_runs). Only the used, undisturbed ok
runs count, as in the claims, and only when both timed the same hardware.
"""

import numpy as np
import pandas as pd

from mlpbench.analysis.gather import timed
from mlpbench.analysis.stats import N_BOOT, SEED, bootstrap_ratio
from mlpbench.measure.records import CELL

OVERHEAD_COLUMNS = [*CELL,
    "n_docker", "n_native", "docker_s", "native_s", "ratio", "ci_low", "ci_high", "significant",
    "test_accuracy_docker", "test_accuracy_native", "accuracy_diff"]


def ok_runs(runs, runner):
    """The ok runs of `runs` that ran under `runner`."""
    if runs is None or runs.empty or "runner" not in runs:
        return pd.DataFrame(columns=[*CELL, "epoch_wall_s_median", "test_accuracy"])
    sel = timed(runs)
    sel = sel[sel["runner"] == runner]
    if "disturbed" in sel:  # as in the claims: a disturbed run measures other work too
        sel = sel[~sel["disturbed"].fillna(False).astype(bool)]
    return sel


def _common_cells(docker, native):
    return sorted(set(docker.groupby(list(CELL)).groups)
                  & set(native.groupby(list(CELL)).groups))


def _hardware(runs):
    return set(runs["hardware"].dropna()) if "hardware" in runs else set()


def overhead_gap(runs, native_runs):
    """Why the container overhead cannot be measured here (a sentence), or None if it can.

    runs: this study's runs.csv; native_runs: runs.csv of a `runner: local` study, or None.
    """
    if native_runs is None:
        return "no native runs given (config native_runs is null)"
    docker, native = ok_runs(runs, "docker"), ok_runs(native_runs, "local")
    if docker.empty:
        return "this study has no ok runs inside the container (runner docker)"
    if native.empty:
        return "the native runs file has no ok runs with runner local"
    ours, theirs = _hardware(docker), _hardware(native)
    if ours and theirs and not ours & theirs:
        return (f"the native runs timed other hardware ({'; '.join(sorted(theirs))}) than this "
                f"study ({'; '.join(sorted(ours))})")
    if not _common_cells(docker, native):
        return "no cell ran both in the container and natively"
    return None


def overhead(runs, native_runs, n_boot=N_BOOT, seed=SEED):
    """Container overhead per cell (impl, device, dtype, batch, threads) that ran both ways.

    ratio = median epoch time in Docker / natively (> 1: the container is slower), with a 95%
    bootstrap interval over runs: each run counts as its median epoch time, on both sides,
    because the native study is given as runs.csv (one row per run, not per epoch). With one
    run a side the interval is the point. accuracy_diff = test accuracy Docker - native
    (medians over runs). Empty, with the columns, when overhead_gap gives a reason.
    """
    if overhead_gap(runs, native_runs) is not None:
        return pd.DataFrame(columns=OVERHEAD_COLUMNS)
    docker, native = ok_runs(runs, "docker"), ok_runs(native_runs, "local")
    by_docker, by_native = docker.groupby(list(CELL)), native.groupby(list(CELL))
    rows = []
    for key in _common_cells(docker, native):
        d, n = by_docker.get_group(key), by_native.get_group(key)
        res = bootstrap_ratio([np.array([m]) for m in d["epoch_wall_s_median"]],
                    [np.array([m]) for m in n["epoch_wall_s_median"]], n_boot, seed)
        acc_d, acc_n = d["test_accuracy"].median(), n["test_accuracy"].median()
        rows.append({**dict(zip(CELL, key, strict=True)), "n_docker": len(d),
                     "n_native": len(n), "docker_s": d["epoch_wall_s_median"].median(),
                     "native_s": n["epoch_wall_s_median"].median(), **res,
                     "test_accuracy_docker": acc_d, "test_accuracy_native": acc_n,
                     "accuracy_diff": acc_d - acc_n})
    return pd.DataFrame(rows, columns=OVERHEAD_COLUMNS)
