"""The seed article's claims, and the study's own claim that its container costs no time,
each judged from this study's data.

Every claim is one effect, a ratio with a 95% interval (stats.ratio, each side's spread
pooled over its kind: Evidence.ratio), and a threshold fixed before looking at any data, with
the side on which the claim holds. Four verdicts, as asv decides "changed" only when it can
tell:
- confirmed: the interval lies wholly on the claim's side of the threshold;
- refuted: it lies wholly on the other side;
- inconclusive: it straddles the threshold, or every run of a cell the claim needs was
  disturbed by other work (launch.disturbed): the data cannot decide;
- not tested here: a cell the claim needs did not run.
Thresholds: "nearly halves": float64/float32 time of at least HALVES (1.5) for every NumPy
variant (the effect shown is the variant nearest to deciding against); "backward at the level
of forward": backward/forward phase time below LEVEL (1.5); "gains speed" and "slows down": a
speed ratio beyond 1 + GAIN (10%); "no measurable time" (container): the median over cells of
the Docker/native epoch time ratio below 1 + OVERHEAD (5%), test accuracies matching within
ACCURACY. Judged on the CPU (GPU cells are left out) in float32 (the article's setting after
Step I), at the article's 4 threads or the most threads that ran for all implementations
involved (chosen from every ok run, disturbed or not, so that disturbance cannot change which
effect is judged; disturbed runs are then left out of it).
"""

import numpy as np
import pandas as pd

from mlpbench.analysis import gather, overhead, stats
from mlpbench.analysis.verdicts import (
    ABOVE,
    BELOW,
    CONFIRMED,
    INCONCLUSIVE,
    NOT_TESTED,
    REFUTED,
    Disturbed,
    Evidence,
    decide,
)
from mlpbench.measure.records import CELL

HALVES = 1.5
LEVEL = 1.5
GAIN = 0.10
OVERHEAD = 0.05
ACCURACY = 0.001  # as mlpbench.tools.compare_runs: only summation order may differ
ARTICLE_THREADS = 4
ARTICLE_BATCH = 500
COLUMNS = ["key", "claim", "verdict", "ratio", "ci_low", "ci_high", "threshold", "side",
           "extra_runs", "cells", "evidence", "interval"]
BOOTSTRAP = "two-level bootstrap"  # the interval of claims.csv files without the column

CLAIMS = {
    "float32": "float32 nearly halves NumPy's time per epoch compared with float64",
    "backprop": "skipping delta propagation to the input layer (Step I) brings backward time "
                "down to the level of forward time",
    "keras500": "Keras is faster than the optimized NumPy code at batch 500",
    "batchsize-keras": "Keras keeps speeding up up to batch 10000",
    "batchsize-numpy": "NumPy stops gaining speed beyond batch 1000",
    "bias": "adding the bias by concatenation slows big batches down (Step II)",
    "container": "running inside the container adds no measurable time to the timed epochs",
}


# (threshold, side on which the claim holds) of every claim
RULES = {"float32": (HALVES, ABOVE), "backprop": (LEVEL, BELOW), "keras500": (1.0, ABOVE),
         "batchsize-keras": (1 + GAIN, ABOVE), "batchsize-numpy": (1 + GAIN, BELOW),
         "bias": (1 + GAIN, ABOVE), "container": (1 + OVERHEAD, BELOW)}


def _fmt(res):
    return f"{res['ratio']:.2f} [{res['ci_low']:.2f}, {res['ci_high']:.2f}]"


def _result(key, evidence, res=None, verdict=None):
    res = res or {"ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    threshold, side = RULES[key]
    if verdict is None:
        verdict = decide(res["ci_low"], res["ci_high"], threshold, side)
    return {"key": key, "claim": CLAIMS[key], "verdict": verdict, "ratio": res["ratio"],
            "ci_low": res["ci_low"], "ci_high": res["ci_high"], "threshold": threshold,
            "side": side, "evidence": evidence}


def _not_tested(key, why):
    return _result(key, why, verdict=NOT_TESTED)


def claim_float32(ev):
    batch = ARTICLE_BATCH
    impls = sorted(i for i in ev.all["impl"].unique() if i.startswith("numpy-"))
    results = {}
    for impl in impls:
        threads = ev.threads([impl], "float64", batch)
        where = {"impl": impl, "batch": batch, "threads": threads}
        if threads is None or not ev.has(dtype="float32", **where):
            continue
        results[impl] = ev.ratio({"dtype": "float64", **where},
                                 {"dtype": "float32", **where}) | {"threads": threads}
    if not results:
        return _not_tested("float32", f"no NumPy implementation ran both dtypes at batch "
                           f"{batch}")
    verdicts = {i: decide(r["ci_low"], r["ci_high"], HALVES, ABOVE) for i, r in results.items()}
    # the variant that decides: a refuting one, else the one nearest to the threshold
    worst = min(results, key=lambda i: (verdicts[i] != REFUTED, results[i]["ci_low"]))
    verdict = (REFUTED if REFUTED in verdicts.values() else
               CONFIRMED if set(verdicts.values()) == {CONFIRMED} else INCONCLUSIVE)
    # more runs help only the variants still undecided: the adaptive pass reads ev.cells
    ev.cells = [c for c in ev.cells if verdicts[c["impl"]] == INCONCLUSIVE] or ev.cells
    parts = [f"{i}: {_fmt(r)} at {r['threads']} threads ({verdicts[i]})"
             for i, r in results.items()]
    return _result("float32", f"float64/float32 epoch time at batch {batch}: "
                   + "; ".join(parts) + f"; shown: {worst}", results[worst], verdict)


def _at_article_batch(ev, key, impls):
    """(where, None): float32 at the article's batch and the threads at which all of impls
    ran; or (None, the claim's not-tested row)."""
    batch, dtype = ARTICLE_BATCH, "float32"
    threads = ev.threads(impls, dtype, batch)
    if threads is None:
        return None, _not_tested(key, f"{' and '.join(impls)} did not all run in {dtype} at "
                                 f"batch {batch}")
    return {"dtype": dtype, "batch": batch, "threads": threads}, None


def _where(where):
    return f"{where['dtype']}, batch {where['batch']}, {where['threads']} threads"


def claim_backprop(ev):
    where, untested = _at_article_batch(ev, "backprop", ["numpy-naive", "numpy-step1"])
    if untested:
        return untested
    level = {impl: ev.ratio({"value": "backward_s", "impl": impl, **where},
                            {"value": "forward_s", "impl": impl, **where})
             for impl in ("numpy-step1", "numpy-naive")}
    if any(np.isnan(r["ratio"]) for r in level.values()):
        return _not_tested("backprop", "no phase breakdown recorded")
    return _result("backprop", f"backward/forward phase time in {_where(where)}: numpy-step1 "
                   f"{_fmt(level['numpy-step1'])}, numpy-naive (before Step I) "
                   f"{_fmt(level['numpy-naive'])}", level["numpy-step1"])


def claim_keras500(ev):
    where, untested = _at_article_batch(ev, "keras500", ["keras-fit", "numpy-step2"])
    if untested:
        return untested
    res = ev.ratio({"impl": "numpy-step2", **where}, {"impl": "keras-fit", **where})
    return _result("keras500", f"numpy-step2 time / keras-fit time in {_where(where)}: "
                   f"{_fmt(res)} (above 1: Keras faster)", res)


def _speedup(ev, key, impl, small=1000, big=10000, dtype="float32"):
    threads = ev.threads([impl], dtype)
    if threads is None or not all(ev.has(impl=impl, batch=b, dtype=dtype, threads=threads)
                                  for b in (small, big)):
        return _not_tested(key, f"{impl} did not run at batches {small} and {big} in {dtype}")
    where = {"impl": impl, "dtype": dtype, "threads": threads}
    res = ev.ratio({"batch": small, **where}, {"batch": big, **where})
    return _result(key, f"{impl} speed-up from batch {small} to {big} (time at {small} / "
                   f"time at {big}) in {dtype}, {threads} threads: {_fmt(res)}; a gain means "
                   f"above {1 + GAIN:.2f}", res)


def claim_bias(ev):
    dtype, impls = "float32", ["numpy-step1", "numpy-step2"]
    threads = ev.threads(impls, dtype)
    sel = ev.all[ev.all["impl"].isin(impls) & (ev.all["dtype"] == dtype)
                 & (ev.all["threads"] == threads)]
    both = sel.groupby("batch")["impl"].nunique()
    batches = sorted(both[both == 2].index)
    if threads is None or not batches or sel["forward_s"].isna().all():
        return _not_tested("bias", "numpy-step1 and numpy-step2 did not both run with phase "
                           "times")
    where = {"dtype": dtype, "threads": threads, "batch": batches[-1]}
    res = ev.ratio({"value": "forward_s", "impl": "numpy-step1", **where},
                   {"value": "forward_s", "impl": "numpy-step2", **where})
    return _result("bias", f"forward phase time numpy-step1 (bias by concatenation) / "
                   f"numpy-step2 (bias vectors, contiguous operands) in {dtype}, {threads} "
                   f"threads, batch {batches[-1]}: {_fmt(res)} (step2 also changes the memory "
                   "layout, Step III)", res)


def claim_container(runs, native_runs):
    """Docker vs native per cell (analysis.overhead); runs: this study's runs.csv, native: or
    None."""
    gap = overhead.overhead_gap(runs, native_runs)
    if gap is not None:
        return _not_tested("container", gap)
    cells = overhead.overhead(runs, native_runs)
    res = stats.median_ci(cells["ratio"].to_numpy(float))
    worst_acc = float(cells["accuracy_diff"].abs().max())
    acc = "test accuracies matched" if worst_acc <= ACCURACY else "test accuracies differed"
    return _result("container", f"Docker/native median epoch time, median over {len(cells)} "
                   f"cell(s) {_fmt(res)} (range {cells['ratio'].min():.3f} to "
                   f"{cells['ratio'].max():.3f}); {acc} (largest difference {worst_acc:.4f}, "
                   f"matching means <= {ACCURACY})", res)


ARTICLE_CLAIMS = {
    "float32": claim_float32,
    "backprop": claim_backprop,
    "keras500": claim_keras500,
    "batchsize-keras": lambda ev: _speedup(ev, "batchsize-keras", "keras-fit"),
    "batchsize-numpy": lambda ev: _speedup(ev, "batchsize-numpy", "numpy-step1"),
    "bias": claim_bias,
}


def evaluate(epochs, runs=None, native_runs=None, extra_runs=None, study_var=0.0):
    """All claims, judged from the per-epoch table (only the used attempts of ok CPU runs).

    runs, native_runs: this study's and a native study's runs.csv, for the container claim.
    extra_runs: {claim key: runs the adaptive pass added for it}. study_var: the variance of a
    cell's log time between studies (mlpbench.analysis.between_studies.used), added to every
    interval.
    """
    ok = gather.timed(epochs[epochs["device"] == "cpu"])
    rows = []
    for key, judge in ARTICLE_CLAIMS.items():
        ev = Evidence(ok, ARTICLE_THREADS, study_var)
        try:
            row = judge(ev)
        except Disturbed as e:
            row = _result(key, f"every run of a cell it needs was disturbed ({e})",
                          verdict=INCONCLUSIVE)
        cells = {tuple(c.get(k) for k in CELL) for c in ev.cells}
        rows.append({**row, "cells": ";".join("/".join(map(str, c)) for c in sorted(cells))})
    rows.append({**claim_container(runs if runs is not None else pd.DataFrame(), native_runs),
                 "cells": ""})
    table = pd.DataFrame(rows)
    table["extra_runs"] = table["key"].map(extra_runs or {}).fillna(0).astype(int)
    table["interval"] = stats.INTERVAL
    return table[COLUMNS]


def needed_cells(row):
    """The cells of a claims.csv row, as dicts with CELL's keys (the adaptive pass's input)."""
    out = []
    for text in filter(None, str(row["cells"] or "").split(";")):
        impl, device, dtype, batch, threads = text.split("/")
        out.append({"impl": impl, "device": device, "dtype": dtype, "batch": int(batch),
                    "threads": int(threads)})
    return out
