"""The figures registry: every entry is drawn from synthetic tables and from empty ones, reads
only tables the workflow saves, and has its caption; figures 8 (roofline) and 9 (container
overhead) in detail (figure 10: tests/test_ranking.py, 0 and 11: tests/test_forest.py)."""

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from synthetic import record, study

from mlpbench.analysis import archive, claims, comparisons, gather, overhead, ranking, stats
from mlpbench.report import figures, plots, style, validity

ROOT = Path(__file__).resolve().parents[1]
# figures whose series are implementations on a device (5, phases: NumPy's only, on the CPU)
GPU_FIGURES = {1, 2, 3, 4, 6, 7}


def texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def labels(fig):
    """Every text a reader sees on a figure: legends, tick labels, titles and annotations."""
    found = [t.get_text() for legend in fig.legends for t in legend.texts]
    for ax in fig.axes:
        legend = ax.get_legend()
        found += [t.get_text() for t in legend.texts] if legend else []
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        found += [ax.get_title(), *(t.get_text() for t in ax.texts)]
    return " ".join(found)


def drawn(fig, tmp_path):
    path = tmp_path / "fig.png"
    style.save(fig, path)
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs():
    return gather.runs_table(study())


def saved_tables(recs):
    """The tables the workflow saves, computed from records as its scripts do."""
    runs, epochs = gather.runs_table(recs), gather.epochs_table(recs)
    ok = gather.timed(epochs)
    judged = claims.evaluate(epochs, runs)
    return {"runs": runs, "epochs": epochs, "claims": judged, "speedups": comparisons.speedups(ok),
            "ranking": ranking.table(ok), "dtype_ratios": comparisons.dtype_ratios(ok),
            "thread_scaling": comparisons.thread_scaling(ok),
            "overhead": overhead.overhead(runs, None), "native_runs": None,
            "findings": archive.against(judged, "synthetic", [])}


@pytest.fixture(scope="module")
def with_gpu():
    gpu = [record(impl=i, device="gpu", dtype=d, batch=b, threads=t, repeat=r, times=[0.2] * 3)
           for i in ("keras-fit", "numpy-step2") for d in ("float32", "float64")
           for b in (500, 1000) for t in (1, 2) for r in (1, 2)]
    return saved_tables(study(repeats=2) + gpu)


def test_the_figures_are_numbered_in_order():
    assert [fig.number for fig in figures.FIGURES] == list(range(len(figures.FIGURES)))


def test_every_figure_reads_only_tables_the_workflow_saves(with_gpu):
    assert set(figures.tables()) <= set(with_gpu)
    for fig in figures.FIGURES:
        assert fig.tables, fig.name


@pytest.mark.parametrize("fig", figures.FIGURES, ids=lambda f: f.name)
def test_every_figure_draws_gpu_cells_as_their_own_series(fig, with_gpu, tmp_path):
    drawing = fig.function(**{t: with_gpu[t] for t in fig.tables})
    if fig.number in GPU_FIGURES:
        assert "(gpu)" in labels(drawing), fig.name
    assert drawn(drawing, tmp_path)


@pytest.mark.parametrize("fig", figures.FIGURES, ids=lambda f: f.name)
def test_every_figure_draws_from_empty_tables(fig, with_gpu, tmp_path):
    empty = {t: None if frame is None else frame.iloc[:0] for t, frame in with_gpu.items()}
    drawing = fig.function(**{t: empty[t] for t in fig.tables})
    assert drawn(drawing, tmp_path)


def test_draw_writes_every_figure(with_gpu, tmp_path):
    outputs = {fig.name: tmp_path / f"{fig.name}.png" for fig in figures.FIGURES}
    figures.draw(with_gpu, outputs)
    assert all(path.stat().st_size > 0 for path in outputs.values())


def test_roofline_draws_every_series_under_the_probe_lines(runs, tmp_path):
    fig = plots.roofline(runs)
    axes = [ax for ax in fig.axes if ax.lines]
    assert len(axes) == 2  # float32 and float64, one thread count
    ax = axes[0]
    assert ax.get_xscale() == "log"
    greys = [line for line in ax.lines if line.get_color() == "grey"]
    assert len(greys) == 2  # the square peak and the shapes rate
    assert "recorded" not in texts(fig)  # no "nothing to show" message
    assert drawn(fig, tmp_path)


def test_roofline_keeps_gpu_cells_apart(runs, tmp_path):
    gpu = gather.runs_table([record(impl="keras-fit", device="gpu", batch=b, times=[0.1] * 3)
                             for b in (500, 1000)])
    fig = plots.roofline(pd.concat([runs, gpu]))
    labels = {t.get_text() for t in fig.legends[0].texts}
    assert {"keras-fit", "keras-fit (gpu)"} <= labels
    assert "gpu" in texts(fig)  # each device's probe is labelled
    plt.close(fig)


@pytest.mark.parametrize("table", [
    gather.runs_table([]),
    gather.runs_table([record(status="skipped", reason="not here")]),
    gather.runs_table([record()]).drop(columns=stats.GFLOPS),  # runs from before the probe
])
def test_roofline_with_nothing_to_show_says_so(table, tmp_path):
    fig = plots.roofline(table)
    assert "achieved GFLOP/s" in texts(fig)
    assert drawn(fig, tmp_path)


def test_container_overhead_draws_a_ratio_and_interval_per_cell(runs, tmp_path):
    docker = runs.assign(runner="docker", epoch_wall_s_median=runs["epoch_wall_s_median"] * 1.1)
    table = overhead.overhead(docker, runs)
    fig = validity.container_overhead(table, docker, runs)
    ratio_ax = fig.axes[0]
    assert len(ratio_ax.get_yticklabels()) == len(table) == 24
    assert ratio_ax.collections  # points and interval bars
    assert drawn(fig, tmp_path)


def test_container_overhead_without_native_runs_gives_the_reason(runs, tmp_path):
    fig = validity.container_overhead(overhead.overhead(runs, None), runs, None)
    assert "no native runs given" in texts(fig)
    assert drawn(fig, tmp_path)
