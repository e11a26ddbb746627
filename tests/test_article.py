"""article.table: the article's figures beside ours, from small synthetic tables."""

import numpy as np
import pandas as pd
import pytest
from synthetic import record

from mlpbench.analysis import gather
from mlpbench.report import article


def epochs(*cells):
    """A per-epoch table: cells are (impl, dtype, batch, threads, [wall_s, ...])."""
    return pd.DataFrame([{"impl": i, "device": "cpu", "dtype": d, "batch": b, "threads": t,
                          "repeat": 1, "status": "ok", "wall_s": w}
                         for i, d, b, t, walls in cells for w in walls])


def runs(*cells, subset=60000, model="Test CPU", count=16):
    """A runs table: cells are (impl, dtype, batch, threads), one run each."""
    return pd.DataFrame([{"impl": i, "device": "cpu", "dtype": d, "batch": b, "threads": t,
                          "status": "ok", "subset": subset, "provenance_cpu_model": model,
                          "provenance_cpu_count": count} for i, d, b, t in cells])


def row(table, figure, impl):
    return table[(table["figure"] == figure) & (table["impl"] == impl)].iloc[0]


def test_every_published_figure_and_implementation_has_a_row():
    table = article.table(epochs(), runs())
    assert list(table.columns) == article.COLUMNS
    assert len(table) == sum(len(f.impls) for f in article.PUBLISHED)
    assert (table["note"] == article.NOT_RUN).all()  # nothing ran here
    assert table["ours_s"].isna().all() and table["ratio"].isna().all()
    assert (table["article_machine"] == article.ARTICLE_MACHINE).all()
    naive = row(table, "NumPy before Step I", "numpy-naive")
    assert (naive["article_s"], naive["dtype"], naive["batch"]) == ("49.5-60", "float64", 500)
    assert row(table, "NumPy after Step I", "numpy-step1")["article_s"] == "11.3"


def test_ours_is_the_median_epoch_times_35_and_the_ratio_uses_the_midpoint():
    e = epochs(("numpy-naive", "float64", 500, 4, [1.0, 2.0, 3.0]))
    table = article.table(e, runs(("numpy-naive", "float64", 500, 4)))
    naive = row(table, "NumPy before Step I", "numpy-naive")
    assert naive["ours_s"] == pytest.approx(2.0 * 35)
    assert naive["ratio"] == pytest.approx(70 / ((49.5 + 60) / 2), abs=0.005)
    assert naive["ours_threads"] == 4 and naive["note"] == ""
    assert naive["ours_machine"] == "Test CPU (16 CPUs)"
    assert row(table, "NumPy after Step I", "numpy-step1")["note"] == article.NOT_RUN


def test_the_most_threads_that_ran_count_and_other_devices_do_not():
    e = epochs(("keras-fit", "float32", 10000, 1, [0.9]), ("keras-fit", "float32", 10000, 8,
                                                           [0.2, 0.2]))
    gpu = epochs(("keras-fit", "float32", 10000, 16, [0.01])).assign(device="gpu")
    table = article.table(pd.concat([e, gpu]), runs(("keras-fit", "float32", 10000, 8)))
    keras = row(table, "Keras, batch 10000", "keras-fit")
    assert keras["ours_threads"] == 8
    assert keras["ours_s"] == pytest.approx(0.2 * 35)
    assert keras["ratio"] == pytest.approx(7.0 / 6.4, abs=0.005)
    assert row(table, "Keras, batch 10000", "keras-seed")["note"] == article.NOT_RUN


def test_a_smaller_training_set_is_scaled_to_the_articles_and_noted():
    e = epochs(("numpy-step2", "float32", 500, 2, [0.1]))
    table = article.table(e, runs(("numpy-step2", "float32", 500, 2), subset=20000))
    step2 = row(table, "NumPy after Step III, batch 500", "numpy-step2")
    assert step2["ours_s"] == pytest.approx(0.1 * 35 * 3)
    assert step2["ours_subset"] == 20000
    assert "20000 of 60000" in step2["note"]
    assert article.table(e, runs(("numpy-step2", "float32", 500, 2), subset=20000),
                         epochs_per_run=10).loc[step2.name, "ours_s"] == pytest.approx(3.0)


def test_machine_string():
    assert article.machine(runs(("a", "float32", 1, 1), model="Xeon", count=8)) == "Xeon (8 CPUs)"
    two = pd.concat([runs(("a", "float32", 1, 1), model="Xeon", count=8)] * 2
                    + [runs(("a", "float32", 1, 1), model="EPYC", count=np.nan)])
    assert article.machine(two) == "Xeon (8 CPUs); EPYC"
    assert article.machine(runs(("a", "float32", 1, 1)).drop(columns="provenance_cpu_model")) \
        == "unknown"
    assert article.machine(pd.DataFrame()) == "unknown"


def test_from_gathered_records():
    records = [record("numpy-step1", "float32", 500, 4, r, times=[0.5, 0.7]) for r in (1, 2)]
    records.append(record("keras-seed", "float32", 500, 4, 1, status="skipped", reason="no"))
    table = article.table(gather.timed(gather.epochs_table(records)), gather.runs_table(records))
    step1 = row(table, "NumPy after Step I", "numpy-step1")
    assert step1["ours_s"] == pytest.approx(0.6 * 35 * 6)  # synthetic runs train on 10000
    assert step1["ours_machine"] == "Test CPU (4 CPUs)"
    assert row(table, "Keras, batch 500", "keras-seed")["note"] == article.NOT_RUN
    assert article.table(gather.epochs_table([]), gather.runs_table([]))["ours_s"].isna().all()
