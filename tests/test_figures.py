"""Figures 8 (roofline) and 9 (container overhead) draw from synthetic tables and from none;
the figures rule draws every numbered figure (figure 10: tests/test_ranking.py)."""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from synthetic import record, study

from mlpbench.analysis import gather, overhead, stats
from mlpbench.report import figures, validity

ROOT = Path(__file__).resolve().parents[1]


def texts(fig):
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)


def drawn(fig, tmp_path):
    path = tmp_path / "fig.png"
    figures.save(fig, path)
    return path.stat().st_size > 0


@pytest.fixture(scope="module")
def runs():
    return gather.runs_table(study())


def test_roofline_draws_every_series_under_the_probe_lines(runs, tmp_path):
    fig = figures.fig8_roofline(runs)
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
    fig = figures.fig8_roofline(pd.concat([runs, gpu]))
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
    fig = figures.fig8_roofline(table)
    assert "achieved GFLOP/s" in texts(fig)
    assert drawn(fig, tmp_path)


def test_container_overhead_draws_a_ratio_and_interval_per_cell(runs, tmp_path):
    docker = runs.assign(runner="docker", epoch_wall_s_median=runs["epoch_wall_s_median"] * 1.1)
    table = overhead.overhead(docker, runs)
    fig = validity.fig9_container_overhead(table)
    ratio_ax = fig.axes[0]
    assert len(ratio_ax.get_yticklabels()) == len(table) == 24
    assert ratio_ax.collections  # points and interval bars
    assert drawn(fig, tmp_path)


def test_container_overhead_without_native_runs_gives_the_reason(runs, tmp_path):
    reason = overhead.overhead_gap(runs, None)
    fig = validity.fig9_container_overhead(overhead.overhead(runs, None), reason)
    assert "no native runs given" in texts(fig)
    assert drawn(fig, tmp_path)


def test_the_other_figures_draw_gpu_cells_as_their_own_series(tmp_path):
    gpu = [record(impl=i, device="gpu", dtype=d, batch=b, threads=t, repeat=r, times=[0.2] * 3)
           for i in ("keras-fit", "numpy-step2") for d in ("float32", "float64")
           for b in (500, 1000) for t in (1, 2) for r in (1, 2)]
    recs = study(repeats=2) + gpu
    runs = gather.runs_table(recs)
    epochs = gather.timed(gather.epochs_table(recs))
    speedups = stats.speedups(epochs)
    assert {"cpu", "gpu"} == set(speedups["device"])
    for fig in (figures.fig1_time_vs_batch(epochs), figures.fig2_speedup_heatmap(speedups),
                figures.fig3_thread_scaling(stats.thread_scaling(epochs)),
                figures.fig4_dtype_ratio(stats.dtype_ratios(epochs)),
                figures.fig5_phases(epochs), validity.fig6_parity(runs),
                validity.fig7_environment(runs)):
        assert drawn(fig, tmp_path)


def test_the_figures_rule_outputs_every_numbered_figure_with_its_caption():
    rule = (ROOT / "workflow/rules/figures.smk").read_text()
    outputs = re.findall(r'fig(\d+)=report\(\s*"results/figures/fig(\d+)_(\w+)\.png",\s*'
                         r'caption="\.\./\.\./report/fig(\d+)_(\w+)\.rst"', rule)
    assert {(int(a), name) for a, b, name, c, cap in outputs if a == b == c and name == cap} \
        == set(figures.FIGURES.items())
    assert len(outputs) == len(figures.FIGURES)
    for n, name in figures.FIGURES.items():
        assert (ROOT / "report" / f"fig{n}_{name}.rst").exists()
