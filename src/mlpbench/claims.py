"""The seed article's claims, and the study's own claim that its container costs no time,
each judged from this run's data: confirmed, refuted or not tested.

Every verdict is computed here from the per-epoch table of runs with status ok; nothing is
written by hand. A difference counts only when its 95% bootstrap interval says so (stats.ratio).
Fixed thresholds, chosen before looking at any data; a ratio must also be significant (its
interval excludes 1) to count as a difference:
- "nearly halves": float64/float32 time ratio of at least HALVES (1.5) for every NumPy variant;
- "backward at the level of forward": backward/forward phase time ratio of at most LEVEL (1.5);
- "gains speed": a significant speed-up of at least 1 + GAIN (10%);
- "no measurable time" (container): the median over cells of the Docker/native epoch time
  ratio (stats.overhead) within OVERHEAD (5%) of 1; test accuracies match when they differ by
  at most ACCURACY (0.001) in every cell.
Unless a claim says otherwise it is judged on the CPU (the article's claims are about CPU
code; GPU cells are left out) in float32 (the article's setting after Step I) at the article's
4 threads, or at the most threads that ran for all implementations involved.
"""

import numpy as np
import pandas as pd

from mlpbench import gather, stats

CONFIRMED, REFUTED, NOT_TESTED = "confirmed", "refuted", "not tested here"
HALVES = 1.5
LEVEL = 1.5
GAIN = 0.10
OVERHEAD = 0.05
ACCURACY = 0.001  # as mlpbench.compare_runs: only summation order may differ
ARTICLE_THREADS = 4
ARTICLE_BATCH = 500

CLAIMS = {
    "float32": "float32 nearly halves NumPy's time per epoch compared with float64",
    "backprop": "skipping delta propagation to the input layer (Step I) brings backward time "
                "down to the level of forward time",
    "keras500": "Keras is faster than the optimized NumPy code at batch 500",
    "batchsize": "Keras keeps speeding up up to batch 10000 while NumPy stops gaining beyond "
                 "batch 1000",
    "bias": "adding the bias by concatenation slows big batches down (Step II)",
    "container": "running inside the container adds no measurable time to the timed epochs",
}


def _fmt(res):
    return f"{res['ratio']:.2f} [{res['ci_low']:.2f}, {res['ci_high']:.2f}]"


def _has(epochs, **where):
    return bool(stats.runs_of(epochs, **where))


def pick_threads(epochs, impls, dtype="float32", batch=None):
    """ARTICLE_THREADS if every impl ran there, else the most threads at which all ran."""
    common = None
    for impl in impls:
        sel = epochs[(epochs["impl"] == impl) & (epochs["dtype"] == dtype)]
        if batch is not None:
            sel = sel[sel["batch"] == batch]
        have = set(sel["threads"])
        common = have if common is None else common & have
    if not common:
        return None
    return ARTICLE_THREADS if ARTICLE_THREADS in common else max(common)


def _result(key, verdict, evidence):
    return {"claim": CLAIMS[key], "verdict": verdict, "evidence": evidence}


def claim_float32(epochs):
    impls = sorted(i for i in epochs["impl"].unique() if i.startswith("numpy-"))
    batch = ARTICLE_BATCH
    parts, ratios = [], []
    for impl in impls:
        threads = pick_threads(epochs, [impl], "float64", batch)
        if threads is None or not _has(epochs, impl=impl, dtype="float32", batch=batch,
                                       threads=threads):
            continue
        where = {"impl": impl, "batch": batch, "threads": threads}
        res = stats.ratio(stats.runs_of(epochs, dtype="float64", **where),
                          stats.runs_of(epochs, dtype="float32", **where))
        ratios.append(res)
        parts.append(f"{impl}: {_fmt(res)} at {threads} threads")
    if not ratios:
        return _result("float32", NOT_TESTED, f"no NumPy implementation ran both dtypes at "
                       f"batch {batch}")
    ok = all(r["ratio"] >= HALVES and r["significant"] for r in ratios)
    return _result("float32", CONFIRMED if ok else REFUTED,
                   f"float64/float32 epoch time at batch {batch} (median [95% CI]): "
                   + "; ".join(parts) + f"; 'nearly halves' means every ratio >= {HALVES} and "
                   "significant")


def claim_backprop(epochs):
    batch, dtype = ARTICLE_BATCH, "float32"
    threads = pick_threads(epochs, ["numpy-naive", "numpy-step1"], dtype, batch)
    if threads is None:
        return _result("backprop", NOT_TESTED, "numpy-naive and numpy-step1 did not both run "
                       f"in {dtype} at batch {batch}")
    ep = epochs.assign(bwd_per_fwd=epochs["backward_s"] / epochs["forward_s"])
    where = {"dtype": dtype, "batch": batch, "threads": threads}
    step1 = stats.runs_of(ep, "bwd_per_fwd", impl="numpy-step1", **where)
    naive = stats.runs_of(ep, "bwd_per_fwd", impl="numpy-naive", **where)
    if any(np.isnan(np.concatenate(r)).any() for r in (step1, naive)):
        return _result("backprop", NOT_TESTED, "no phase breakdown recorded")
    level = np.median(np.concatenate(step1))
    drop = stats.ratio(naive, step1)
    ok = level <= LEVEL and drop["ci_low"] > 1
    return _result("backprop", CONFIRMED if ok else REFUTED,
                   f"backward/forward phase time in {dtype}, batch {batch}, {threads} threads: "
                   f"numpy-naive {np.median(np.concatenate(naive)):.2f}, numpy-step1 "
                   f"{level:.2f} (at the level of forward means <= {LEVEL}); "
                   f"naive/step1 ratio {_fmt(drop)}")


def claim_keras500(epochs):
    batch, dtype = ARTICLE_BATCH, "float32"
    threads = pick_threads(epochs, ["keras-fit", "numpy-step2"], dtype, batch)
    if threads is None:
        return _result("keras500", NOT_TESTED, f"keras-fit and numpy-step2 did not both run "
                       f"in {dtype} at batch {batch}")
    where = {"dtype": dtype, "batch": batch, "threads": threads}
    res = stats.ratio(stats.runs_of(epochs, impl="numpy-step2", **where),
                      stats.runs_of(epochs, impl="keras-fit", **where))
    verdict = CONFIRMED if res["ci_low"] > 1 else REFUTED
    how = ("Keras faster" if res["ci_low"] > 1 else
           "NumPy faster" if res["ci_high"] < 1 else "no significant difference")
    return _result("keras500", verdict,
                   f"numpy-step2 time / keras-fit time in {dtype}, batch {batch}, {threads} "
                   f"threads: {_fmt(res)} ({how})")


def _gains(res):
    return res["ratio"] >= 1 + GAIN and res["significant"]


def _gain(epochs, impl, dtype, threads, small, big):
    where = {"impl": impl, "dtype": dtype, "threads": threads}
    return stats.ratio(stats.runs_of(epochs, batch=small, **where),
                       stats.runs_of(epochs, batch=big, **where))


def claim_batchsize(epochs, numpy_impl="numpy-step1"):
    dtype = "float32"
    threads = pick_threads(epochs, ["keras-fit", numpy_impl], dtype)
    need = [(i, b) for i in ("keras-fit", numpy_impl) for b in (1000, 10000)]
    if threads is None or not all(_has(epochs, impl=i, batch=b, dtype=dtype, threads=threads)
                                  for i, b in need):
        return _result("batchsize", NOT_TESTED, f"keras-fit and {numpy_impl} did not both run "
                       f"at batches 1000 and 10000 in {dtype}")
    keras = _gain(epochs, "keras-fit", dtype, threads, 1000, 10000)
    bigger = sorted(b for b in epochs.loc[(epochs["impl"] == numpy_impl)
                                          & (epochs["dtype"] == dtype)
                                          & (epochs["threads"] == threads), "batch"].unique()
                    if 1000 < b <= 10000)
    numpy = {b: _gain(epochs, numpy_impl, dtype, threads, 1000, b) for b in bigger}
    keras_gains = _gains(keras)
    numpy_gains = any(_gains(r) for r in numpy.values())
    verdict = CONFIRMED if keras_gains and not numpy_gains else REFUTED
    return _result("batchsize", verdict,
                   f"speed-up from batch 1000 to larger batches in {dtype}, {threads} threads "
                   f"(a gain: >= {1 + GAIN:.2f} and significant): keras-fit to 10000 "
                   f"{_fmt(keras)}; {numpy_impl} "
                   + ", ".join(f"to {b} {_fmt(r)}" for b, r in numpy.items()))


def claim_bias(epochs):
    dtype = "float32"
    impls = ["numpy-step1", "numpy-step2"]
    threads = pick_threads(epochs, impls, dtype)
    if threads is None:
        return _result("bias", NOT_TESTED, "numpy-step1 and numpy-step2 did not both run")
    sel = epochs[epochs["impl"].isin(impls) & (epochs["dtype"] == dtype)
                 & (epochs["threads"] == threads)]
    both = sel.groupby("batch")["impl"].nunique()
    batches = sorted(both[both == 2].index)
    if not batches or sel["forward_s"].isna().all():
        return _result("bias", NOT_TESTED, "no forward phase times for both implementations")
    res = {b: stats.ratio(stats.runs_of(sel, "forward_s", impl="numpy-step1", batch=b),
                          stats.runs_of(sel, "forward_s", impl="numpy-step2", batch=b))
           for b in {batches[0], batches[-1]}}
    big = res[batches[-1]]
    verdict = CONFIRMED if big["ci_low"] > 1 else REFUTED
    return _result("bias", verdict,
                   f"forward phase time numpy-step1 (bias by concatenation) / numpy-step2 "
                   f"(bias vectors, contiguous operands) in {dtype}, {threads} threads: "
                   + ", ".join(f"batch {b}: {_fmt(r)}" for b, r in sorted(res.items()))
                   + " (step2 also changes the memory layout, Step III)")


def claim_container(runs, native_runs):
    """Docker vs native per cell (stats.overhead); runs: this study's runs.csv, native: or None."""
    gap = stats.overhead_gap(runs, native_runs)
    if gap is not None:
        return _result("container", NOT_TESTED, gap)
    cells = stats.overhead(runs, native_runs)
    mid = float(cells["ratio"].median())
    worst_acc = float(cells["accuracy_diff"].abs().max())
    acc = ("test accuracies matched" if worst_acc <= ACCURACY else "test accuracies differed")
    verdict = CONFIRMED if abs(mid - 1) <= OVERHEAD else REFUTED
    slowest = cells.loc[cells["ratio"].idxmax()]
    return _result("container", verdict,
                   f"Docker/native median epoch time over {len(cells)} cell(s): median ratio "
                   f"{mid:.3f} (range {cells['ratio'].min():.3f} to {cells['ratio'].max():.3f};"
                   f" {int(cells['significant'].sum())} cell(s) with a 95% interval excluding "
                   f"1; largest {slowest['ratio']:.3f} [{slowest['ci_low']:.3f}, "
                   f"{slowest['ci_high']:.3f}] for {slowest['impl']} {slowest['dtype']} "
                   f"batch {slowest['batch']}, {slowest['threads']} threads); 'no measurable "
                   f"time' means the median ratio within {OVERHEAD:.0%} of 1; {acc} (largest "
                   f"difference {worst_acc:.4f}, matching means <= {ACCURACY})")


def evaluate(epochs, runs=None, native_runs=None):
    """All claims, judged from the per-epoch table (any status; only ok CPU runs are used).

    runs: this study's runs.csv and native_runs: a native study's runs.csv, for the container
    claim (not tested without both).
    """
    device = epochs["device"] if "device" in epochs else gather.DEFAULT_DEVICE
    ok = epochs[(epochs["status"] == "ok") & (device == "cpu")]
    rows = [f(ok) for f in (claim_float32, claim_backprop, claim_keras500, claim_batchsize,
                            claim_bias)]
    rows.append(claim_container(runs if runs is not None else pd.DataFrame(), native_runs))
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])
