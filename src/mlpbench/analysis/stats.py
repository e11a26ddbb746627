"""Statistics over the per-epoch table: per-cell spread, and ratios with 95% intervals.

The independent unit is the run (one process); epochs within a run share its process state,
and processes differ by more than their epochs do (the layout, the frequency and the caches a
process starts with). A cell's time is therefore the geometric mean of its runs' median epoch
times, and a ratio's interval is a t interval on the log scale whose spread between runs is
pooled over every cell of the same kind (implementation, device, thread count; every dtype
and batch): with 2 or 3 runs a cell, its own spread is too poor an estimate, and the study's
A/A calibration (mlpbench.analysis.calibration) measured the two-level bootstrap over 3 runs
covering 1 far less often than 95%. A ratio is called significant only when its interval
excludes 1. A cell includes its device: CPU and GPU runs are never pooled or compared.
The two-level bootstrap (resample runs, then epochs within them) remains for the calibration's
comparison and for intervals of a single median.
"""

import numpy as np
import pandas as pd

from mlpbench.analysis.gather import KEYS, timed
from mlpbench.measure.records import UNTIMED

INTERVAL = "t on log process medians, spread pooled over the kind"  # claims.csv names it
CV_WARN = 0.05  # coefficient of variation above which a cell's timing is flagged
N_BOOT = 2000
CONFIDENCE = 0.95
SEED = 12345  # the bootstrap's own seed: intervals are reproducible


def cell_stats(epochs, value="wall_s"):
    """Per cell (impl, device, workload, dtype, batch, threads): median, IQR, CV of all epochs."""
    if epochs.empty:
        return pd.DataFrame(columns=KEYS + ["n_runs", "n_epochs", "n_disturbed", "median_s",
                                            "q1_s", "q3_s", "iqr_s", "cv", "cv_warning"])
    if "disturbed" not in epochs:
        epochs = epochs.assign(disturbed=False)

    def summary(g):
        v = g[value].to_numpy(float)
        mean = v.mean()
        cv = v.std(ddof=1) / mean if len(v) > 1 and mean > 0 else np.nan
        q1, q3 = np.quantile(v, [0.25, 0.75])
        disturbed = g.loc[g["disturbed"].fillna(False).astype(bool), "repeat"].nunique()
        return pd.Series({"n_runs": g["repeat"].nunique(), "n_epochs": len(v),
                          "n_disturbed": disturbed,
                          "median_s": np.median(v), "q1_s": q1, "q3_s": q3, "iqr_s": q3 - q1,
                          "cv": cv, "cv_warning": bool(cv > CV_WARN)})

    out = epochs.groupby(KEYS, dropna=False)[["repeat", "disturbed", value]].apply(
        summary).reset_index()
    out[["n_runs", "n_epochs", "n_disturbed"]] = out[["n_runs", "n_epochs",
                                                      "n_disturbed"]].astype(int)
    out["cv_warning"] = out["cv_warning"].astype(bool)
    return out


GFLOPS = ["achieved_gflops", "peak_gflops", "peak_gflops_shapes"]
PEAK_COLUMNS = ["achieved_gflops_median", "peak_gflops_median", "peak_gflops_shapes_median",
                "fraction_of_peak"]


def peak_stats(runs):
    """Per cell, over its ok runs: median achieved and probe GFLOP/s, and fraction_of_peak.

    fraction_of_peak is the median over runs of achieved / peak (the square probe), each run
    against the peak its own process measured, so a slower or busier moment affects both.
    Runs recorded before the probe existed have no rates and give NaN.
    """
    ok = timed(runs)
    if ok.empty:
        return pd.DataFrame(columns=KEYS + PEAK_COLUMNS)
    ok = ok.reindex(columns=list(dict.fromkeys([*ok.columns, *GFLOPS])))  # NaN where absent
    ok = ok.assign(fraction=ok["achieved_gflops"] / ok["peak_gflops"])
    return ok.groupby(KEYS, dropna=False).agg(
        achieved_gflops_median=("achieved_gflops", "median"),
        peak_gflops_median=("peak_gflops", "median"),
        peak_gflops_shapes_median=("peak_gflops_shapes", "median"),
        fraction_of_peak=("fraction", "median"),
    ).reset_index()


def cells(epochs, runs):
    """results/cells.csv: cell_stats of the epochs with peak_stats of the runs beside it."""
    spread, peak = cell_stats(epochs), peak_stats(runs)
    if spread.empty or peak.empty:
        return spread.reindex(columns=list(spread.columns) + PEAK_COLUMNS)
    return spread.merge(peak, on=KEYS, how="left")


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


def _interval(boot):
    """The central CONFIDENCE interval of bootstrap values (percentile method)."""
    alpha = (1 - CONFIDENCE) / 2
    return np.quantile(boot, [alpha, 1 - alpha])


def bootstrap_ratio(num_runs, den_runs, n_boot=N_BOOT, seed=SEED):
    """median(num) / median(den) of the pooled epochs with a two-level bootstrap interval;
    significant if it excludes 1."""
    if not num_runs or not den_runs:
        return None
    rng = np.random.default_rng(seed)
    point = np.median(np.concatenate(num_runs)) / np.median(np.concatenate(den_runs))
    boot = bootstrap_medians(num_runs, n_boot, rng) / bootstrap_medians(den_runs, n_boot, rng)
    low, high = _interval(boot)
    return {"ratio": float(point), "ci_low": float(low), "ci_high": float(high),
            "significant": bool(low > 1 or high < 1)}


def log_medians(runs):
    """Each run's median epoch time, on the log scale: the unit of the t interval."""
    return np.log([np.median(r) for r in runs])


def pooled_spread(groups):
    """(variance, degrees of freedom) of the log run medians about their group's mean, pooled
    over `groups` (lists of runs; a group of one run adds nothing)."""
    logs = [log_medians(g) for g in groups if len(g) > 1]
    df = sum(len(x) - 1 for x in logs)
    return (sum(float(((x - x.mean()) ** 2).sum()) for x in logs) / df, df) if df else (np.nan, 0)


def ratio(num_runs, den_runs, num_spread=None, den_spread=None, study_var=0.0):
    """The ratio of the geometric means of the runs' medians, with a Welch t interval on the
    log scale; each side's spread (variance, df) is its own runs' unless one pooled over
    several cells is given (pooled_spread, kind_spreads); one spread given for both sides is
    one estimate. study_var: the variance between studies of one cell's log time
    (mlpbench.analysis.between_studies), added for each side. Significant if the interval
    excludes 1."""
    from scipy.stats import t as student

    if not num_runs or not den_runs:
        return None
    x, y = log_medians(num_runs), log_medians(den_runs)
    (vx, dx), (vy, dy) = (num_spread or pooled_spread([num_runs]),
                          den_spread or pooled_spread([den_runs]))
    ex, ey = vx / len(x), vy / len(y)
    se = np.sqrt(ex + ey + 2 * study_var)
    if num_spread is not None and num_spread is den_spread:  # one estimate, not two
        df = dx or np.nan
    else:  # Welch-Satterthwaite
        df = (ex + ey) ** 2 / (ex ** 2 / dx + ey ** 2 / dy) if dx and dy and se > 0 else np.nan
    diff = x.mean() - y.mean()
    half = (0.0 if se == 0 else student.ppf((1 + CONFIDENCE) / 2, df) * se
            if np.isfinite(df) else np.inf)  # no spread to estimate from: no bound
    low, high = np.exp(diff - half), np.exp(diff + half)
    return {"ratio": float(np.exp(diff)), "ci_low": float(low), "ci_high": float(high),
            "significant": bool(low > 1 or high < 1)}


def median_interval(runs, n_boot=N_BOOT, seed=SEED):
    """The median of the pooled epochs of `runs` (as ratio takes them), with the interval."""
    low, high = _interval(bootstrap_medians(runs, n_boot, np.random.default_rng(seed)))
    return {"median": float(np.median(np.concatenate(runs))), "ci_low": float(low),
            "ci_high": float(high)}


def median_ci(values, n_boot=N_BOOT, seed=SEED):
    """The median of `values` with a percentile-bootstrap interval (same keys as ratio)."""
    rng = np.random.default_rng(seed)
    boot = np.median(rng.choice(values, size=(n_boot, len(values))), axis=1)
    low, high = _interval(boot)
    return {"ratio": float(np.median(values)), "ci_low": float(low), "ci_high": float(high),
            "significant": bool(low > 1 or high < 1)}


def efficiency(runs):
    """How the timed processes spent their time: the share that was timed epochs, and where
    the rest went.

    runs: runs.csv, every attempt. A process ran several runs; its wall time (process_wall_s,
    start-up to exit, measured by the launcher) is counted once. Per origin (planned, extra,
    pilot) and in all: seconds of each untimed part of the runs (records.UNTIMED), between
    timed epochs, and the rest (start-up, data loading, exit, the container; a process that
    ran nothing); span_min: from the first timed epoch to the last, in minutes (the study's
    duration less its start, image builds and the report).
    """
    runs = runs.dropna(subset=["process_wall_s"])  # what a launcher ran and timed
    procs = runs.drop_duplicates(["origin", "process"])
    timed = runs.assign(timed_s=runs["epoch_wall_s_sum"].fillna(0),
                        between_s=(runs["t_end"] - runs["t_start"] - runs["epoch_wall_s_sum"])
                        .fillna(0).clip(lower=0))
    parts = [f"untimed_{p}_s" for p in UNTIMED if f"untimed_{p}_s" in runs]
    rows = []
    for origin in [*sorted(procs["origin"].unique()), "all"]:
        sel = procs if origin == "all" else procs[procs["origin"] == origin]
        t = timed if origin == "all" else timed[timed["origin"] == origin]
        wall = float(sel["process_wall_s"].sum())
        spent = {p.removeprefix("untimed_"): float(t[p].fillna(0).sum()) for p in parts}
        spent["between_epochs_s"] = float(t["between_s"].sum())
        rows.append({"origin": origin, "processes": len(sel), "runs": len(t),
                     "process_s": wall, "timed_epochs_s": float(t["timed_s"].sum()),
                     "timed_share": float(t["timed_s"].sum()) / wall if wall else np.nan,
                     **spent,
                     "rest_s": wall - float(t["timed_s"].sum()) - sum(spent.values()),
                     "span_min": (t["t_end"].max() - t["t_start"].min()) / 60})
    return pd.DataFrame(rows)


def cell_runs(epochs, value="wall_s"):
    """{(impl, device, workload, dtype, batch, threads): [epoch values of each run]}."""
    return {key: [g[value].to_numpy(float) for _, g in cell.groupby("repeat", sort=True)]
            for key, cell in epochs.groupby(KEYS, sort=True)}


def kind_spreads(epochs, value="wall_s"):
    """{(impl, device, threads): pooled_spread of the log run medians over that kind's cells}."""
    kinds = {}
    for (impl, device, _w, _d, _b, threads), runs in cell_runs(epochs, value).items():
        kinds.setdefault((impl, device, threads), []).append(runs)
    return {kind: pooled_spread(groups) for kind, groups in kinds.items()}


def kind_of(cell):
    """The kind (impl, device, threads) of a cell_runs key."""
    impl, device, _w, _d, _b, threads = cell
    return impl, device, threads


def baseline_runs(runs, impl):
    """cell_runs' runs of `impl` keyed by (device, dtype, batch, threads): a baseline."""
    return {(dev, d, b, t): r for (i, dev, _w, d, b, t), r in runs.items() if i == impl}
