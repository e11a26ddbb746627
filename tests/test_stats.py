"""Statistics: bootstrap intervals, per-cell spread, speed-ups over keras-fit."""

import numpy as np
import pandas as pd
import pytest
from synthetic import record, study

from mlpbench.analysis import comparisons, gather, stats
from mlpbench.measure import flops


def epochs_of(records):
    return gather.timed(gather.epochs_table(records))


def test_ratio_of_identical_distributions_is_not_significant():
    rng = np.random.default_rng(1)
    a = [1 + 0.02 * rng.standard_normal(5) for _ in range(3)]
    b = [1 + 0.02 * rng.standard_normal(5) for _ in range(3)]
    res = stats.ratio(a, b)
    assert res["ci_low"] < 1 < res["ci_high"]
    assert not res["significant"]


def test_ratio_of_a_clear_difference_is_significant_and_brackets_the_point():
    rng = np.random.default_rng(2)
    slow = [2 + 0.02 * rng.standard_normal(5) for _ in range(3)]
    fast = [1 + 0.01 * rng.standard_normal(5) for _ in range(3)]
    res = stats.ratio(slow, fast)
    assert res["significant"]
    assert res["ci_low"] <= res["ratio"] <= res["ci_high"]
    assert res["ratio"] == pytest.approx(2, rel=0.05)


def test_bootstrap_is_reproducible_and_handles_runs_of_different_length():
    runs = [np.array([1.0, 1.1, 0.9]), np.array([1.2]), np.array([0.95, 1.05])]
    a = stats.bootstrap_medians(runs, 500, np.random.default_rng(0))
    b = stats.bootstrap_medians(runs, 500, np.random.default_rng(0))
    assert np.array_equal(a, b)
    assert not np.isnan(a).any()
    assert a.min() >= 0.9 and a.max() <= 1.2


def test_median_interval_is_the_two_level_bootstrap_around_the_pooled_median():
    rng = np.random.default_rng(3)
    runs = [1 + 0.05 * rng.standard_normal(n) for n in (4, 6, 5)]
    res = stats.median_interval(runs)
    assert res["median"] == np.median(np.concatenate(runs))
    assert res["ci_low"] < res["median"] < res["ci_high"]
    boot = stats.bootstrap_medians(runs, stats.N_BOOT, np.random.default_rng(stats.SEED))
    assert [res["ci_low"], res["ci_high"]] == pytest.approx(np.quantile(boot, [0.025, 0.975]))
    more = stats.median_interval(runs * 4)  # more runs of the same spread: a narrower interval
    assert more["ci_high"] - more["ci_low"] < res["ci_high"] - res["ci_low"]


def test_cell_stats_median_iqr_and_cv_warning():
    recs = [record(times=[1.0, 1.0, 1.0], repeat=1), record(times=[1.0, 1.0, 1.0], repeat=2),
            record(impl="numpy-naive", times=[1.0, 1.5, 0.5], repeat=1)]
    cells = stats.cell_stats(epochs_of(recs)).set_index("impl")
    steady, noisy = cells.loc["numpy-step2"], cells.loc["numpy-naive"]
    assert steady["n_runs"] == 2 and steady["n_epochs"] == 6
    assert steady["median_s"] == 1.0 and steady["iqr_s"] == 0.0
    assert not steady["cv_warning"]
    assert noisy["cv"] == pytest.approx(0.5) and noisy["cv_warning"]


def test_speedups_are_relative_to_keras_fit_of_the_same_cell():
    sp = comparisons.speedups(epochs_of(study()))
    assert "keras-fit" not in set(sp["impl"])
    row = sp[(sp["impl"] == "numpy-step2") & (sp["dtype"] == "float32")
             & (sp["batch"] == 10000)].iloc[0]
    assert row["speedup"] == pytest.approx(0.6 / 1.8, rel=0.05)  # keras 3x faster there
    assert row["significant"] and row["ci_high"] < 1


def test_speedups_skip_cells_without_a_baseline():
    sp = comparisons.speedups(epochs_of([record(impl="numpy-step2")]))
    assert sp.empty and list(sp.columns)[:3] == ["impl", "device", "workload"]


def test_dtype_ratios_and_thread_scaling():
    recs = [record(dtype=d, threads=t, repeat=r, times=[f / t] * 3)
            for d, f in (("float32", 1.0), ("float64", 2.0)) for t in (1, 2)
            for r in (1, 2)]
    ep = epochs_of(recs)
    ratios = comparisons.dtype_ratios(ep)
    assert set(ratios["threads"]) == {1, 2}
    assert np.allclose(ratios["ratio"], 2)
    scaling = comparisons.thread_scaling(ep).set_index(["dtype", "threads"])
    assert scaling.loc[("float32", 2), "speedup"] == pytest.approx(2)
    assert scaling.loc[("float32", 1), "speedup"] == pytest.approx(1)


def test_cell_stats_of_nothing_is_an_empty_table():
    assert stats.cell_stats(pd.DataFrame(columns=gather.epochs_table([]).columns)).empty


def test_fraction_of_peak_is_the_median_over_runs_of_achieved_over_peak():
    recs = []
    for repeat, achieved, peak in ((1, 1.0, 40.0), (2, 2.0, 10.0), (3, 6.0, 20.0)):
        rec = record(repeat=repeat)
        rec.update(achieved_gflops=achieved, peak_gflops=peak, peak_gflops_shapes=peak / 2)
        recs.append(rec)
    recs.append(record(repeat=4, status="skipped", reason="not here"))
    runs = gather.runs_table(recs)
    cell = stats.cells(epochs_of(recs), runs).iloc[0]
    # per run 0.025, 0.2, 0.3: the median of the ratios, not 2 / 20 (ratio of the medians)
    assert cell["fraction_of_peak"] == pytest.approx(0.2)
    assert cell["achieved_gflops_median"] == 2.0 and cell["peak_gflops_median"] == 20.0
    assert cell["peak_gflops_shapes_median"] == 10.0
    assert cell["n_runs"] == 3 and cell["median_s"] == 1.0  # the spread columns are kept


def test_cells_keep_devices_apart_and_old_runs_without_rates_give_nan():
    recs = [record(impl="keras-fit", device=d, times=[t] * 3) for d, t in (("cpu", 2.0),
                                                                          ("gpu", 0.5))]
    runs = gather.runs_table(recs)
    cells = stats.cells(epochs_of(recs), runs).set_index("device")
    assert cells.loc["gpu", "median_s"] == 0.5 and cells.loc["cpu", "median_s"] == 2.0
    assert cells.loc["gpu", "achieved_gflops_median"] == pytest.approx(
        4 * cells.loc["cpu", "achieved_gflops_median"])
    old = stats.cells(epochs_of(recs), runs.drop(columns=stats.GFLOPS))
    assert old["fraction_of_peak"].isna().all() and len(old) == 2


def test_cells_of_nothing_have_the_peak_columns():
    empty = stats.cells(epochs_of([]), gather.runs_table([]))
    assert empty.empty and set(stats.PEAK_COLUMNS) <= set(empty.columns)


def test_the_peak_table_shows_the_fraction_in_percent():
    from mlpbench.report import tables

    recs = [record(impl=i, repeat=r) for i in ("numpy-step2", "keras-fit") for r in (1, 2)]
    page = tables.peak(stats.cells(epochs_of(recs), gather.runs_table(recs)))
    assert list(page["impl"]) == ["keras-fit", "numpy-step2"]
    # 1 s per epoch of 10000 samples against a 40 GFLOP/s probe
    expected = 100 * flops.achieved_gflops(10000, 500, 1.0) / 40.0
    assert page["percent_of_peak"].tolist() == [round(expected, 2)] * 2
    assert "percent_of_peak" in tables.render(page, "t")
    assert tables.peak(stats.cells(epochs_of([]), gather.runs_table([]))).empty


def test_efficiency_counts_a_process_once_and_its_runs_timed_epochs():
    runs = pd.DataFrame({
        "origin": ["planned", "planned", "pilot"], "process": ["p1", "p1", "q1"],
        "process_wall_s": [10.0, 10.0, 4.0], "epoch_wall_s_sum": [3.0, 2.0, 1.0],
        "t_start": [100.0, 103.0, 40.0], "t_end": [102.0, 105.0, 41.0]})
    eff = stats.efficiency(runs).set_index("origin")
    assert eff.loc["planned", "processes"] == 1 and eff.loc["planned", "timed_share"] == 0.5
    assert eff.loc["all", "process_s"] == 14.0 and eff.loc["all", "timed_epochs_s"] == 6.0
    assert eff.loc["all", "span_min"] == pytest.approx(65 / 60)
