"""A report from whatever cells exist: every saved table, figure and page, and the opening
answer, built as the workflow builds them (through csv files) from grids narrowed on purpose
or left sparse by failures."""

import pandas as pd
import pytest
from synthetic import record

from mlpbench.analysis import (
    archive,
    between_studies,
    calibration,
    claims,
    comparisons,
    gather,
    ranking,
    stats,
    warmup,
)
from mlpbench.report import figures, pages, published


def failed(impl, dtype="float32", batch=500, threads=1, repeat=1):
    return record(impl, dtype, batch, threads, repeat, status="error",
                  reason="exit status 1: Traceback (most recent call last): ...")


def ok(impl, dtype="float32", batch=500, threads=1, repeat=1):
    return record(impl, dtype, batch, threads, repeat, times=[1.0 + 0.01 * repeat] * 3)


GRIDS = {
    # the README's narrowed grids: one implementation, one batch, one thread count
    "one cell": [ok("numpy-step2", repeat=r) for r in (1, 2)],
    "one batch, both dtypes": [ok("numpy-step2", d, repeat=r)
                               for d in ("float32", "float64") for r in (1, 2)],
    "one batch, numpy and keras": [ok(i, d, repeat=r) for i in ("numpy-step2", "keras-fit")
                                   for d in ("float32", "float64") for r in (1, 2)],
    # most runs failed (a daemon that stopped): one cell measured
    "most failed": [ok("numpy-step2")] + [failed(i, d, b, repeat=r)
                                          for i in ("numpy-fast", "keras-fit")
                                          for d in ("float32", "float64") for b in (500, 1000)
                                          for r in (1, 2)],
    "all failed": [failed(i) for i in ("numpy-step2", "keras-fit")],
}


def saved(frame, path):
    """A table through its csv file, as the next rule reads it."""
    frame.to_csv(path, index=False)
    return pd.read_csv(path)


def build(recs, tmp_path):
    """Every table the workflow saves, from records; (frames, csv paths)."""
    runs, epochs = gather.runs_table(recs), gather.epochs_table(recs)
    runs, epochs = saved(runs, tmp_path / "runs.csv"), saved(epochs, tmp_path / "epochs.csv")
    ok_epochs = gather.timed(epochs)
    judged = claims.evaluate(epochs, runs)
    frames = {
        "runs": runs, "epochs": epochs, "claims": judged,
        "cells": stats.cells(ok_epochs, runs), "efficiency": stats.efficiency(runs),
        "warmup": warmup.first_epoch(ok_epochs, runs),
        "speedups": comparisons.speedups(ok_epochs), "ranking": ranking.table(ok_epochs),
        "dtype_ratios": comparisons.dtype_ratios(ok_epochs),
        "thread_scaling": comparisons.thread_scaling(ok_epochs),
        "overhead": pd.DataFrame(columns=["impl"]),
        "findings": archive.against(judged, "synthetic", []),
        "calibration": calibration.calibrate(ok_epochs, [{"processes": 2, "epochs": 3}],
                                             calibration.METHODS, 10),
        "between_studies": between_studies.table([]),
    }
    csvs = {name: tmp_path / f"{name}.csv" for name in frames}
    frames = {name: saved(frame, csvs[name]) for name, frame in frames.items()}
    return {**frames, "native_runs": None}, csvs


@pytest.mark.parametrize("grid", GRIDS, ids=str)
def test_every_figure_page_and_the_opening_draw_from_a_sparse_grid(grid, tmp_path):
    frames, csvs = build(GRIDS[grid], tmp_path)
    outputs = {fig.name: tmp_path / f"{fig.name}.png" for fig in figures.FIGURES}
    figures.draw(frames, outputs)
    assert all(path.stat().st_size > 0 for path in outputs.values())
    pages_out = {page.name: tmp_path / f"{page.name}.html" for page in pages.PAGES}
    pages.write({name: csvs[name] for name in pages.TABLES}, pages_out)
    assert all(path.stat().st_size > 0 for path in pages_out.values())
    opening = published.opening(frames["claims"], frames["ranking"], frames["findings"],
                                "synthetic", frames["runs"])
    failures = (frames["runs"]["status"] == "error").sum()
    assert (f"{failures} of {len(frames['runs'])} runs failed" in opening) == bool(failures)


def test_the_failures_are_listed_on_the_not_run_page(tmp_path):
    frames, csvs = build(GRIDS["most failed"], tmp_path)
    out = {page.name: tmp_path / f"{page.name}.html" for page in pages.PAGES}
    pages.write({name: csvs[name] for name in pages.TABLES}, out)
    listed = out["not_run"].read_text()
    assert listed.count("Traceback") == 16  # every failed run, with its reason
