"""The ranking of implementations per cell (analysis.ranking) and its figure (report.ranking)."""

import numpy as np
import pandas as pd
import pytest
from synthetic import jitter, record

from mlpbench.analysis import gather, ranking, stats
from mlpbench.report import ranking as ranking_figure
from mlpbench.report import style

# seconds per epoch: keras-fit clearly fastest, numpy-naive clearly slowest
TIMES = {"keras-fit": 0.5, "numpy-fast": 1.0, "numpy-naive": 3.0}


def records(times=TIMES, batches=(500, 1000), threads=(1, 2), repeats=3, seed=0, **kw):
    rng = np.random.default_rng(seed)
    return [record(impl, batch=b, threads=t, repeat=r, times=jitter(s, 4, rng, 0.02), **kw)
            for impl, s in times.items() for b in batches for t in threads
            for r in range(1, repeats + 1)]


def table(recs):
    return ranking.table(gather.timed(gather.epochs_table(recs)))


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.fixture(scope="module")
def ranked():
    return table(records())


def test_each_cell_is_ranked_fastest_first(ranked):
    for _, cell in ranked.groupby(ranking.GROUP):
        assert list(cell["impl"]) == ["keras-fit", "numpy-fast", "numpy-naive"]
        assert list(cell["rank"]) == [1, 2, 3]
        assert cell["median_s"].is_monotonic_increasing
    assert len(ranked) == 3 * 2 * 2


def test_intervals_hold_the_median_and_speeds_are_relative_to_numpy_fast(ranked):
    assert (ranked["ci_low_s"] <= ranked["median_s"]).all()
    assert (ranked["median_s"] <= ranked["ci_high_s"]).all()
    assert (ranked["ci_low_s"] < ranked["ci_high_s"]).all()
    by = ranked.groupby("impl")
    assert by["speed"].median()["keras-fit"] == pytest.approx(2, rel=0.05)
    assert by["speed"].median()["numpy-naive"] == pytest.approx(1 / 3, rel=0.05)
    fast, slow = ranked[ranked["impl"] == "keras-fit"], ranked[ranked["impl"] == "numpy-naive"]
    assert fast["significant"].all() and (fast["speed_ci_low"] > 1).all()
    assert slow["significant"].all() and (slow["speed_ci_high"] < 1).all()
    reference = ranked[ranked["impl"] == "numpy-fast"]
    assert (reference["speed"] == 1).all() and not reference["significant"].any()


def test_the_intervals_are_the_studys(ranked):
    epochs = gather.timed(gather.epochs_table(records()))
    cell = dict(dtype="float32", batch=1000, threads=2)
    keras, ref = (stats.runs_of(epochs, impl=i, **cell) for i in ("keras-fit", "numpy-fast"))
    spread = stats.kind_spreads(epochs)
    row = ranked.set_index(["impl", "batch", "threads"]).loc[("keras-fit", 1000, 2)]
    time = stats.median_interval(keras)
    speed = stats.ratio(ref, keras, spread[("numpy-fast", "cpu", 2)],
                        spread[("keras-fit", "cpu", 2)])
    assert (row["median_s"], row["ci_low_s"], row["ci_high_s"]) == (
        time["median"], time["ci_low"], time["ci_high"])
    assert (row["speed"], row["speed_ci_low"], row["speed_ci_high"]) == (
        speed["ratio"], speed["ci_low"], speed["ci_high"])


def test_a_cell_without_the_reference_or_with_skips_is_still_ranked():
    recs = records({"keras-fit": 0.5, "tf-loop": 0.8}, batches=(1000,), threads=(1,))
    recs += records({"numpy-fast": 1.0}, batches=(500,))  # at 1 and 2 threads
    recs += [record("numpy-fast", batch=1000, status="skipped", reason="not installed")]
    ranked = table(recs)
    at_1000 = ranked[ranked["batch"] == 1000]
    assert list(at_1000["impl"]) == ["keras-fit", "tf-loop"]
    assert at_1000["speed"].isna().all() and not at_1000["significant"].any()
    fig = ranking_figure.figure(ranked)
    assert texts(fig).count("not run") == 1  # batch 1000 at 2 threads
    assert texts(fig).count("reference") == 2  # numpy-fast alone at batch 500
    assert "" in texts(fig)  # no speed where numpy-fast did not run
    style.save(fig, "/dev/null")


def test_devices_are_ranked_apart():
    gpu = [record("keras-fit", device="gpu", repeat=r, times=[0.01] * 3) for r in (1, 2)]
    ranked = table(records(batches=(500,), threads=(1,)) + gpu)
    cpu = ranked[ranked["device"] == "cpu"]
    assert list(cpu["rank"]) == [1, 2, 3] and cpu.iloc[0]["impl"] == "keras-fit"
    on_gpu = ranked[ranked["device"] == "gpu"].iloc[0]
    assert on_gpu["rank"] == 1 and np.isnan(on_gpu["speed"])  # no numpy-fast on the GPU


def test_the_figure_orders_each_panel_and_marks_unsettled_speeds(tmp_path):
    same = {"keras-fit": 0.5, "numpy-fast": 1.0, "numpy-step2": 1.0}  # step2 ties numpy-fast
    ranked = table(records(same, threads=(1,)))
    ranked.to_csv(tmp_path / "ranking.csv", index=False)  # the figure reads the saved table
    fig = ranking_figure.figure(pd.read_csv(tmp_path / "ranking.csv"))
    panels = [ax for ax in fig.axes if ax.get_yticklabels()]
    assert len(panels) == 2  # batch 500 and 1000, one dtype and thread count
    for ax in panels:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[0] == "1. keras-fit" and len(labels) == 3
        assert ax.get_xscale() == "log"
    speeds = texts(fig)
    assert sum(s.startswith("2.0") or s.startswith("1.9") for s in speeds) == 2
    step2 = ranked[ranked["impl"] == "numpy-step2"]
    assert not step2["significant"].any()
    assert sum(s.startswith("(") for s in speeds) == 2  # not significant: in brackets
    style.save(fig, tmp_path / "fig.png")
    assert (tmp_path / "fig.png").stat().st_size > 0


@pytest.mark.parametrize(("recs", "words"), [
    ([], "no timed runs"),
    ([record(status="skipped", reason="not here")], "no timed runs"),
    ([record("keras-fit", repeat=r) for r in (1, 2)], "only keras-fit ran"),
])
def test_nothing_to_rank_says_why(recs, words, tmp_path):
    fig = ranking_figure.figure(table(recs))
    assert any(words in t for t in texts(fig))
    style.save(fig, tmp_path / "fig.png")
