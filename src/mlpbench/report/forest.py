"""Figure 0: the article's claims as a forest plot, drawn from results/claims.csv only.

One row per claim: the measured ratio (point) and its 95% interval (line) on a log axis, the
claim's own threshold as a black tick on that row, coloured by the verdict the interval gives
against the threshold. A claim not tested here keeps its row, saying so, with no interval.
"""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatter

from mlpbench.report.figures import _empty

COLORS = {"confirmed": "tab:green", "refuted": "tab:red", "inconclusive": "tab:orange",
          "not tested here": "grey"}
SIDES = {"above": ">", "below": "<"}
TITLE = "The article's claims, judged from this study"
COLUMNS = ["key", "claim", "verdict", "ratio", "ci_low", "ci_high", "threshold", "side",
           "extra_runs"]


def _label(row):
    return f"{row.key}: {textwrap.shorten(str(row.claim), width=48, placeholder='...')}"


def _need(row):
    """What the claim needs of the ratio, e.g. 'claim: > 1.5', and the adaptive runs added."""
    sign = SIDES.get(row.side, "?")
    text = f"claim: {sign} {row.threshold:g}" if np.isfinite(row.threshold) else "claim: ?"
    extra = row.extra_runs if row.extra_runs == row.extra_runs else 0  # NaN: none recorded
    return text + (f" (+{int(extra)} runs)" if extra else "")


def _xlim(d):
    """Log-axis limits around every finite positive value drawn, 1 included."""
    values = d[["ratio", "ci_low", "ci_high", "threshold"]].to_numpy(dtype=float).ravel()
    values = np.append(values[np.isfinite(values) & (values > 0)], 1.0)
    return values.min() / 1.4, values.max() * 1.4


def fig_claims(claims):
    """The forest plot of claims.csv's table: ratio, 95% interval and threshold per claim."""
    if claims.empty:
        return _empty("no claims to show: results/claims.csv is empty")
    d = claims.reindex(columns=COLUMNS).reset_index(drop=True)  # a missing column reads as NaN
    y = np.arange(len(d))
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(d) + 1.8))
    ax.set_xscale("log")
    ax.set_xlim(*_xlim(d))
    for axis in (ax.xaxis.set_major_formatter, ax.xaxis.set_minor_formatter):
        axis(LogFormatter(labelOnlyBase=False))  # plain 0.5, 2, 10 rather than 2 x 10^0
    ax.axvline(1, color="grey", lw=0.8)
    on_y = ax.get_yaxis_transform()  # x in axes fractions, y in rows: for per-row text
    for i, row in zip(y, d.itertuples(), strict=True):
        color = COLORS.get(row.verdict, "grey")
        if np.isfinite(row.ci_low) and np.isfinite(row.ci_high):
            ax.hlines(i, row.ci_low, row.ci_high, color=color, lw=2)
        if np.isfinite(row.ratio):
            ax.plot(row.ratio, i, "o", color=color, ms=7, zorder=3)
        else:
            ax.text(0.02, i, row.verdict, transform=on_y, va="center", color=color,
                    style="italic", fontsize=8)
        if np.isfinite(row.threshold):
            ax.plot(row.threshold, i, "|", color="k", ms=16, mew=2, zorder=4)
        ax.text(1.01, i, _need(row), transform=on_y, va="center", fontsize=8)
    ax.set_yticks(y, [_label(r) for r in d.itertuples()], fontsize=8)
    ax.set_ylim(len(d) - 0.5, -0.5)  # first claim on top
    ax.set_xlabel("measured ratio (point) with its 95% interval (line); log scale")
    ax.set_title(TITLE, pad=26)  # room for the legend between the title and the rows
    handles = [Line2D([], [], color=c, marker="o", lw=2, label=v) for v, c in COLORS.items()]
    handles.append(Line2D([], [], color="k", marker="|", ms=12, mew=2, ls="none",
                          label="claim's threshold"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5,
              fontsize=8, frameon=False)
    return fig

