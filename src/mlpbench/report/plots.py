"""The report's figures on timing, scaling and where the time goes (figures 1-5 and 8 of
report.figures), each drawn from the saved tables its arguments name.

A figure with nothing to show says so in its body instead of failing the workflow. A series is
an implementation on a device: GPU cells are drawn apart, as `keras-fit (gpu)`.
"""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.lines import Line2D

from mlpbench.analysis.gather import timed
from mlpbench.analysis.stats import GFLOPS
from mlpbench.measure.records import PHASES
from mlpbench.report.style import dodge, empty, impl_order, series


def time_vs_batch(epochs):
    """Median time per epoch vs batch, one line per implementation; IQR band; log-log."""
    epochs = timed(epochs)
    if epochs.empty:
        return empty("no timed runs")
    epochs = series(epochs)
    g = sns.relplot(data=epochs, x="batch", y="wall_s", hue="impl", style="impl",
                    hue_order=impl_order(epochs), style_order=impl_order(epochs),
                    row="dtype", col="threads", kind="line", markers=True, dashes=False,
                    estimator="median", errorbar=("pi", 50), height=2.8, aspect=1.2,
                    facet_kws={"margin_titles": True})
    g.set(xscale="log", yscale="log")
    g.set_axis_labels("batch size", "time per epoch [s]")
    return g.figure


def speedup_heatmap(speedups):
    """Speed-up over keras-fit: heatmap over batch x implementation, one panel per dtype x threads.

    Cells whose 95% interval includes 1 are annotated in brackets (not significant).
    """
    if speedups.empty:
        return empty("no cell has both an implementation and keras-fit")
    speedups = series(speedups)
    panels = speedups[["dtype", "threads"]].drop_duplicates().sort_values(["dtype", "threads"])
    n = len(panels)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    vmax = float(np.nanmax(np.abs(np.log2(speedups["speedup"])))) or 1.0
    for ax, (_, p) in zip(axes.flat, panels.iterrows(), strict=False):
        d = speedups[(speedups["dtype"] == p["dtype"]) & (speedups["threads"] == p["threads"])]
        value = d.pivot(index="impl", columns="batch", values="speedup")
        sig = d.pivot(index="impl", columns="batch", values="significant")
        annot = value.map(lambda v: f"{v:.2f}").where(sig.fillna(False).astype(bool),
                                                      value.map(lambda v: f"({v:.2f})"))
        sns.heatmap(np.log2(value), annot=annot.to_numpy(), fmt="", cmap="RdBu", center=0,
                    vmin=-vmax, vmax=vmax, cbar=False, ax=ax, annot_kws={"size": 7})
        ax.set_title(f"{p['dtype']}, {p['threads']} threads")
        ax.set_xlabel("batch size")
        ax.set_ylabel("")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("speed-up over keras-fit (>1: faster than keras-fit; blue = faster)")
    fig.tight_layout()
    return fig


def thread_scaling(thread_scaling):
    """Speed-up over the smallest thread count, per implementation; the dashed line is ideal."""
    scaling = thread_scaling
    if scaling.empty or scaling["threads"].nunique() < 2:
        return empty("fewer than two thread counts ran: no thread scaling to show")
    scaling = series(scaling)
    g = sns.relplot(data=scaling, x="threads", y="speedup", hue="impl", style="impl",
                    hue_order=impl_order(scaling), style_order=impl_order(scaling),
                    row="dtype", col="batch", kind="line", markers=True, dashes=False,
                    height=2.4, aspect=1.0, facet_kws={"margin_titles": True})
    ts = sorted(scaling["threads"].unique())
    for ax in g.axes.flat:
        ax.plot(ts, [t / ts[0] for t in ts], ls="--", color="grey", lw=0.8)
        ax.set_xticks(ts)
    g.set_axis_labels("threads", f"speed-up over {ts[0]} thread(s)")
    return g.figure


def dtype_ratio(dtype_ratios):
    """float64 / float32 time per implementation with 95% intervals; 2 = float32 halves."""
    ratios = dtype_ratios
    if ratios.empty:
        return empty("no cell ran in both float32 and float64")
    ratios = series(ratios)
    g = sns.catplot(data=ratios, x="impl", y="ratio", hue="batch", col="threads", kind="point",
                    order=impl_order(ratios), dodge=dodge(ratios, "batch", 0.4),
                    linestyle="none", errorbar=None, height=3.2, aspect=1.3)
    for ax, (_, d) in zip(g.axes.flat, ratios.groupby("threads"), strict=False):
        ax.axhline(1, color="grey", lw=0.8)
        ax.axhline(2, color="grey", lw=0.8, ls="--")
        ax.tick_params(axis="x", rotation=30)
        for impl_i, impl in enumerate(impl_order(ratios)):
            sel = d[d["impl"] == impl]
            ax.vlines([impl_i] * len(sel), sel["ci_low"], sel["ci_high"], color="k", lw=0.6)
    g.set_axis_labels("", "float64 time / float32 time")
    return g.figure


def phases(epochs):
    """Median seconds per phase (forward, backward, update, shuffle) per implementation."""
    cols = [f"{p}_s" for p in PHASES]
    d = timed(epochs).dropna(subset=cols, how="all")
    if d.empty:
        return empty("no implementation recorded a phase breakdown")
    d = series(d)
    threads = d["threads"].max()
    d = d[d["threads"] == threads]
    med = d.groupby(["dtype", "impl", "batch"])[cols].median().reset_index()
    dtypes, impls = sorted(med["dtype"].unique()), impl_order(med)
    fig, axes = plt.subplots(len(dtypes), len(impls), figsize=(3.2 * len(impls),
                             2.8 * len(dtypes)), squeeze=False, sharey="row")
    colors = sns.color_palette("colorblind", len(PHASES))
    for r, dtype in enumerate(dtypes):
        for c, impl in enumerate(impls):
            ax = axes[r, c]
            sel = med[(med["dtype"] == dtype) & (med["impl"] == impl)].sort_values("batch")
            x = np.arange(len(sel))
            bottom = np.zeros(len(sel))
            for phase, col, color in zip(PHASES, cols, colors, strict=True):
                ax.bar(x, sel[col], bottom=bottom, color=color, label=phase)
                bottom += sel[col].fillna(0).to_numpy()
            ax.set_xticks(x, sel["batch"].astype(str), rotation=45)
            ax.set_title(f"{impl}, {dtype}", fontsize=9)
            ax.set_xlabel("batch size")
    axes[0, 0].set_ylabel("seconds per epoch")
    axes[0, -1].legend(loc="upper right", fontsize=7)
    fig.suptitle(f"phase breakdown at {threads} thread(s)")
    fig.tight_layout()
    return fig


def roofline(runs):
    """Achieved GFLOP/s against batch size per series, panels dtype x threads, log-log.

    The grey lines are the peak probe of the same runs (medians): the square-GEMM rate (solid,
    the practical peak) and the rate of the MLP's own products at each batch (dashed).
    """
    rates = GFLOPS
    ok = timed(runs)  # the runs the statistics use: one hardware, the used attempts
    if ok.empty or not set(rates) <= set(ok.columns) or ok["achieved_gflops"].isna().all():
        return empty("no ok run recorded its achieved GFLOP/s")
    d = series(ok.dropna(subset=["achieved_gflops"]))
    g = sns.relplot(data=d, x="batch", y="achieved_gflops", hue="impl", style="impl",
                    hue_order=impl_order(d), style_order=impl_order(d), row="dtype",
                    col="threads", kind="line", markers=True, dashes=False, estimator="median",
                    errorbar=None, height=2.8, aspect=1.2, facet_kws={"margin_titles": True})
    g.set(xscale="log", yscale="log")
    several = d["device"].nunique() > 1  # then each device's probe is labelled
    for (dtype, threads), ax in g.axes_dict.items():
        panel = d[(d["dtype"] == dtype) & (d["threads"] == threads)]
        for device, dev in panel.groupby("device"):
            probe = dev.groupby("batch")[["peak_gflops", "peak_gflops_shapes"]].median()
            ax.axhline(dev["peak_gflops"].median(), color="grey", lw=1)
            if probe["peak_gflops_shapes"].notna().any():  # numpy-step2's runs probe them
                ax.plot(probe.index, probe["peak_gflops_shapes"], color="grey", ls="--", lw=1)
            if several:
                ax.annotate(device, (probe.index[-1], dev["peak_gflops"].median()),
                            fontsize=7, color="grey", va="bottom", ha="right")
    probes = [Line2D([], [], color="grey", lw=1, label="probe: square GEMM")]
    if d["peak_gflops_shapes"].notna().any():
        probes.append(Line2D([], [], color="grey", lw=1, ls="--",
                             label="probe: the MLP's products"))
    g.axes.flat[0].legend(handles=probes, loc="lower right", fontsize=7)
    g.set_axis_labels("batch size", "achieved GFLOP/s (model FLOPs)")
    return g.figure
