"""Figure 10: the implementations ranked per batch size, drawn from results/ranking.csv only.

A panel per batch size (columns) and dtype x threads (rows, with the device where it is not
the CPU): the implementations fastest first, each its median time per epoch (point) and 95%
interval (line) on a log axis shared down the column, so that thread counts and dtypes of a
batch compare. Beside each, its speed relative to the reference (numpy-fast), in brackets when
that interval includes 1, as in figure 2. A panel no run reached says so.
"""

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from mlpbench.analysis.ranking import GROUP
from mlpbench.report.answer import threads_text
from mlpbench.report.style import empty, impl_order

ROWS = GROUP[:-1]  # a row of panels per (device, dtype, threads); the batch is the column


def _speed(row):
    """'1.52x', '(0.98x)' when not significant, 'reference', or '' without the reference."""
    if row.impl == row.reference:
        return "reference"
    if not np.isfinite(row.speed):
        return ""
    text = f"{row.speed:.2f}x"
    return text if row.significant else f"({text})"


def _row_label(device, dtype, threads):
    where = "" if device == "cpu" else f", {device}"
    return f"{dtype}\n{threads} thread{'s' if threads > 1 else ''}{where}"


def _panel(ax, sel, colors):
    y = np.arange(len(sel))
    color = [colors[i] for i in sel["impl"]]
    ax.hlines(y, sel["ci_low_s"], sel["ci_high_s"], colors=color, lw=2)
    ax.scatter(sel["median_s"], y, c=color, s=16, zorder=3)
    ax.set_yticks(y, [f"{r.rank}. {r.impl}" for r in sel.itertuples()], fontsize=7)
    on_y = ax.get_yaxis_transform()  # x in axes fractions, y in rows
    for i, row in zip(y, sel.itertuples(), strict=True):
        ax.text(0.98, i, _speed(row), transform=on_y, ha="right", va="center", fontsize=7)


def _log_seconds(ax, column):
    """The column's times in the left 70% (the speeds take the rest); plain tick labels, at
    1, 2 and 5 of each decade unless the column spans several (CPU and GPU, say)."""
    low, high = np.log10(column["ci_low_s"].min() / 1.1), np.log10(column["ci_high_s"].max() * 1.1)
    ax.set_xlim(10 ** low, 10 ** (high + 0.43 * (high - low)))
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if high - low < 1.5 else (1.0,)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def figure(ranking):
    """The ranking table (analysis.ranking.table) as a grid of small forest plots."""
    if ranking.empty:
        return empty("no timed runs to rank")
    impls = impl_order(ranking)
    if len(impls) < 2:
        return empty(f"only {impls[0]} ran: nothing to rank it against (figure 1 has its "
                      "times)")
    colors = dict(zip(impls, sns.color_palette("tab10" if len(impls) <= 10 else "husl",
                                               len(impls)), strict=True))
    rows = ranking[ROWS].drop_duplicates().sort_values(ROWS).itertuples(index=False)
    rows, batches = list(rows), sorted(ranking["batch"].unique())
    most = int(ranking.groupby(GROUP).size().max())
    height = max(0.26 * most + 0.9, 1.5)  # a row of panels holds its two-line label
    fig, axes = plt.subplots(len(rows), len(batches), squeeze=False, sharex="col",
                             figsize=(2.9 * len(batches), height * len(rows)))
    for c, batch in enumerate(batches):
        column = ranking[ranking["batch"] == batch]
        for r, (device, dtype, threads) in enumerate(rows):
            ax = axes[r, c]
            ax.set_xscale("log")
            sel = column[(column["device"] == device) & (column["dtype"] == dtype)
                         & (column["threads"] == threads)].sort_values("rank")
            if sel.empty:
                ax.text(0.5, 0.5, "not run", transform=ax.transAxes, ha="center",
                        va="center", color="grey", style="italic")
                ax.set_yticks([])
            else:
                _panel(ax, sel, colors)
            ax.set_ylim(most - 0.5, -0.5)  # rank 1 on top, rows aligned across panels
            if c == 0:
                ax.set_ylabel(_row_label(device, dtype, threads), fontsize=8)
        _log_seconds(axes[0, c], column)
        axes[0, c].set_title(f"batch {batch}")
        axes[-1, c].set_xlabel("time per epoch [s]")
    fig.suptitle("implementations ranked per batch size, fastest first\nmedian time per epoch "
                 f"and 95% interval; right: speed relative to {ranking['reference'].iloc[0]}")
    fig.tight_layout()
    return fig


def time_vs_batch(ranking, title):
    """Median time per epoch against batch size, a line per implementation with its 95%
    interval, a panel per thread count: CPU, float32, from ranking.csv only (log-log)."""
    d = ranking[(ranking["device"] == "cpu") & (ranking["dtype"] == "float32")]
    if d.empty:
        return empty("no float32 CPU cell was ranked")
    impls, threads = impl_order(d), sorted(d["threads"].unique())
    colors = dict(zip(impls, sns.color_palette("tab10" if len(impls) <= 10 else "husl",
                                               len(impls)), strict=True))
    fig, axes = plt.subplots(1, len(threads), figsize=(4.2 * len(threads), 3.4), squeeze=False,
                             sharey=True)
    for ax, t in zip(axes[0], threads, strict=True):
        for impl in impls:
            sel = d[(d["threads"] == t) & (d["impl"] == impl)].sort_values("batch")
            if sel.empty:
                continue
            ax.errorbar(sel["batch"], sel["median_s"], yerr=[sel["median_s"] - sel["ci_low_s"],
                        sel["ci_high_s"] - sel["median_s"]], color=colors[impl], marker="o",
                        ms=3, lw=1.2, capsize=2, label=impl)
        ax.set(xscale="log", yscale="log", xlabel="batch size",
               title=threads_text(t))
        for axis in (ax.xaxis, ax.yaxis):  # plain 500, 0.2 rather than 5 x 10^2
            axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(NullFormatter())
    axes[0, 0].set_ylabel("median time per epoch [s]")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
