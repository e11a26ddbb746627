"""Gathering records into tidy tables: one row per run, one row per timed epoch."""

import json

import pandas as pd
from synthetic import record, study

from mlpbench import gather, grid, launch, tables


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
    cell = grid.Cell("tf-loop", "float64", 500, 2, 1)
    settings = grid.Settings(2, 1, 1000, 0, "local", 60)
    err = launch.error_record(cell, settings, "exit status 1: Traceback ...")
    skipped = record(threads=64, status="skipped", reason="needs 64 CPUs")
    runs = gather.runs_table([record(), skipped, err])
    assert set(runs["status"]) == {"ok", "skipped", "error"}
    assert len(gather.epochs_table([skipped, err])) == 0
    not_run = tables.not_run(runs)
    assert set(not_run["status"]) == {"skipped", "error"}
    assert "Traceback" in tables.render(not_run, "t")


def test_plan_order_is_joined_and_actual_order_follows_t_start():
    cfg = {"implementations": ["numpy-step2"], "dtypes": ["float32"], "batches": [500],
           "threads": [1], "repeats": 3, "order_seed": 7, "devices": ["cpu"]}
    order = grid.run_order(cfg)
    plan = gather.plan_table(order, 7)
    recs = [record(repeat=c.repeat) for c in grid.cells(cfg)]
    for i, (cell, rec) in enumerate(zip(order, sorted(recs, key=lambda r: r["repeat"]),
                                        strict=True)):
        rec["t_start"] = 100.0 - i  # ran in reverse of the plan
        rec["repeat"] = cell.repeat
    runs = gather.runs_table(recs, plan=plan)
    assert (runs["order_seed"] == 7).all()
    assert (runs["order_planned"] + runs["order_actual"] == 4).all()


def test_tables_round_trip_through_csv_and_parquet(tmp_path):
    runs = gather.runs_table(study())
    runs.to_parquet(tmp_path / "runs.parquet", index=False)
    back = pd.read_parquet(tmp_path / "runs.parquet")
    assert back.shape == runs.shape


def test_runs_carry_device_and_flop_rates_and_a_missing_device_is_the_cpu():
    old = record()
    del old["device"]  # a record from before devices existed
    runs = gather.runs_table([old, record(impl="keras-fit", device="gpu")])
    assert sorted(runs["device"]) == ["cpu", "gpu"]
    assert list(gather.epochs_table([old])["device"].unique()) == ["cpu"]
    assert (runs["achieved_gflops"] > 0).all() and (runs["peak_gflops"] == 40.0).all()
    assert (runs["peak_gflops_shapes"] < runs["peak_gflops"]).all()


def test_plan_is_joined_on_device_when_it_has_one():
    plan = pd.DataFrame([
        {"impl": "keras-fit", "dtype": "float32", "batch": 500, "threads": 1, "repeat": 1,
         "device": d, "order_planned": n, "order_seed": 7} for n, d in ((1, "cpu"), (2, "gpu"))])
    recs = [record(impl="keras-fit", device=d) for d in ("cpu", "gpu")]
    runs = gather.runs_table(recs, plan=plan).set_index("device")
    assert len(runs) == 2  # one plan row each, not both
    assert runs.loc["gpu", "order_planned"] == 2 and runs.loc["cpu", "order_planned"] == 1
    without = gather.runs_table(recs[:1], plan=plan[plan["device"] == "cpu"].drop(
        columns="device"))
    assert list(without["order_planned"]) == [1]
