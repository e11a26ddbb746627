"""report.pages: the registry names and captions every page once, and every page builds from
the tables it names; what the pages show."""

from pathlib import Path

from synthetic import record, study

from mlpbench.analysis import archive, between_studies, calibration, claims, gather, stats, warmup
from mlpbench.report import pages, tables

ROOT = Path(__file__).resolve().parents[1]


def test_write_renders_every_page_from_the_tables_it_names(tmp_path):
    recs = study(repeats=4)  # 2 processes a side for the A/A calibration
    runs, epochs = gather.runs_table(recs), gather.epochs_table(recs)
    ok = gather.timed(epochs)
    judged = claims.evaluate(epochs, runs)
    frames = {"runs": runs, "epochs": epochs, "cells": stats.cells(ok, runs), "claims": judged,
              "efficiency": stats.efficiency(runs), "warmup": warmup.first_epoch(ok, runs),
              "findings": archive.against(judged, "synthetic", []),
              "calibration": calibration.calibrate(
                  ok, [{"processes": 2, "epochs": 3}], calibration.METHODS, 20),
              "between_studies": between_studies.table([])}
    assert set(frames) == set(pages.TABLES)
    inputs = {}
    for name, frame in frames.items():
        inputs[name] = tmp_path / f"{name}.csv"
        frame.to_csv(inputs[name], index=False)
    outputs = {page.name: tmp_path / f"{page.name}.html" for page in pages.PAGES}
    pages.write(inputs, outputs)
    for page in pages.PAGES:
        assert "<table" in outputs[page.name].read_text(), page.name


def test_harness_leaves_out_processes_that_timed_nothing():
    skipped = record(threads=4, status="skipped", reason="4 threads > 2 CPUs")
    skipped["harness_cpu_per_wall"] = 0.5  # a short process: its share means nothing
    runs = gather.runs_table([record(threads=1), skipped])
    assert list(tables.harness(runs)["threads"]) == [1]
