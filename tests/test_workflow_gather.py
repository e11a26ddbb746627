"""Gathering records into tidy tables: one row per run, one row per timed epoch."""

import json

import pandas as pd
import pytest
from synthetic import record, study

from mlpbench.analysis import gather
from mlpbench.measure import records
from mlpbench.report import tables
from mlpbench.study import grid


def test_runs_table_has_one_row_per_run_with_params_timing_and_provenance():
    recs = study()
    runs = gather.runs_table(recs)
    assert len(runs) == len(recs)
    for col in ["impl", "dtype", "batch", "threads", "repeat", "epochs", "subset", "status",
                "epoch_wall_s_median", "epoch_wall_s_iqr", "t_start", "t_end",
                "test_accuracy", "runner", "image_digest", "provenance_cpu_model",
                "provenance_blas_summary", "phase_forward_s_median", "order_actual"]:
        assert col in runs, col
    assert runs["provenance_blas_summary"].iloc[0] == "openblas 0.3.27 (Haswell, 1 threads)"
    assert json.loads(runs["provenance_cpu_affinity"].iloc[0]) == [0]


def test_epochs_table_has_one_row_per_timed_epoch():
    recs = [record(times=[1.0, 2.0, 3.0], phases={"forward": 0.5, "backward": 0.4,
                                                   "update": 0.1, "shuffle": 0.0})]
    ep = gather.epochs_table(recs)
    assert list(ep["epoch"]) == [1, 2, 3]  # after the one warm-up epoch
    assert list(ep["wall_s"]) == [1.0, 2.0, 3.0]
    assert (ep["forward_s"] == 0.5).all()


def test_skipped_and_error_runs_are_rows_without_epochs(tmp_path):
    cell = {"impl": "tf-loop", "dtype": "float64", "batch": 500, "threads": 2, "epochs": 2,
            "warmup_epochs": 1, "subset": 1000, "seed": 0, "device": "cpu"}
    err = {**records.error_record(cell, "exit status 1: Traceback ..."), "repeat": 1}
    skipped = record(threads=64, status="skipped", reason="needs 64 CPUs")
    runs = gather.runs_table([record(), skipped, err])
    assert set(runs["status"]) == {"ok", "skipped", "error"}
    assert len(gather.epochs_table([skipped, err])) == 0
    not_run = tables.not_run(runs)
    assert set(not_run["status"]) == {"skipped", "error"}
    assert "Traceback" in tables.render(not_run, "t")


def test_plan_order_is_joined_on_the_process_and_actual_order_follows_t_start():
    cfg = {"implementations": ["numpy-step2"], "threads": [1], "order_seed": 7,
           "devices": ["cpu"]}
    order = grid.run_order(cfg, 3)
    plan = gather.plan_table(order, 7)
    recs = []
    for i, process in enumerate(order):
        rec = record(repeat=process.repeat)
        rec["t_start"] = 100.0 - i  # ran in reverse of the plan
        recs.append(rec)
    runs = gather.runs_table(recs, plan=plan)
    assert (runs["order_seed"] == 7).all()
    assert (runs["order_planned"] + runs["order_actual"] == 4).all()


def test_earlier_attempts_are_rows_that_the_statistics_do_not_use(tmp_path):
    first = record(times=[2.0, 2.0], repeat=1)
    first.update(attempt=1, disturbed=True, interference=[0.6, 0.0])
    final = record(times=[1.0, 1.0], repeat=1)
    final.update(attempt=2, disturbed=False, interference=[0.0, 0.01],
                 earlier_attempts=[first])
    path = tmp_path / "r.json"
    records.write_atomic(final, path)
    loaded = gather.load([path])
    runs, epochs = gather.runs_table(loaded), gather.epochs_table(loaded)
    assert list(runs["attempt"]) == [1, 2] and list(runs["used"]) == [False, True]
    assert list(runs["interference_max"]) == [0.6, 0.01]
    assert list(gather.timed(epochs)["wall_s"]) == [1.0, 1.0]
    assert list(epochs["interference"]) == [0.6, 0.0, 0.0, 0.01]


def test_a_damaged_record_is_named_with_how_to_redo_it(tmp_path):
    path = tmp_path / "b500_t1_r1.json"
    path.write_text('{"status": "ok", "epoch_wa')
    with pytest.raises(records.DamagedRecord, match="b500_t1_r1.json.*delete it"):
        gather.load([path])


def test_tables_round_trip_through_csv_and_parquet(tmp_path):
    runs = gather.runs_table(study())
    runs.to_parquet(tmp_path / "runs.parquet", index=False)
    back = pd.read_parquet(tmp_path / "runs.parquet")
    assert back.shape == runs.shape


def test_runs_carry_device_and_flop_rates():
    runs = gather.runs_table([record(), record(impl="keras-fit", device="gpu")])
    assert sorted(runs["device"]) == ["cpu", "gpu"]
    assert list(gather.epochs_table([record()])["device"].unique()) == ["cpu"]
    assert (runs["achieved_gflops"] > 0).all() and (runs["peak_gflops"] == 40.0).all()
    assert (runs["peak_gflops_shapes"] < runs["peak_gflops"]).all()
