"""The article's claims as forest plots: figure 0 from results/claims.csv, figure 11 (this
study beside the archived ones) from results/findings.csv, and FINDINGS.md's across the archive.

One row per claim: the measured ratio (point) and its 95% interval (line) on a log axis, the
claim's own threshold as a black tick on that row, coloured by the verdict the interval gives
against the threshold. A claim not tested here keeps its row, saying so, with no interval.
"""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogFormatter, LogLocator, NullFormatter

from mlpbench.analysis.verdicts import ABOVE, BELOW, VERDICTS
from mlpbench.report.published import forest_rows
from mlpbench.report.style import empty

COLORS = dict(zip(VERDICTS, ("tab:green", "tab:red", "tab:orange", "grey"), strict=True))
SIDES = {ABOVE: ">", BELOW: "<"}
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


def claims(claims):
    """The forest plot of claims.csv's table: ratio, 95% interval and threshold per claim."""
    if claims.empty:
        return empty("no claims to show: results/claims.csv is empty")
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



ACROSS_TITLE = "The article's claims in every study: this one and the published findings"
GROUPS = {"this study": ("D", 8, "full"), "same hardware": ("o", 6, "full"),
          "other hardware": ("o", 6, "none")}


def across_studies(rows, title=ACROSS_TITLE):
    """A forest plot per claim, a row per study: this one (diamond), the archived studies of
    the same hardware (dots) and of other hardware (rings, shown, not judged). rows: key,
    claim, label, group (a GROUPS key), verdict, ratio, ci_low, ci_high, threshold, side."""
    if rows.empty:
        return empty("no study to compare: nothing archived in findings/ and no claims here")
    keys = list(dict.fromkeys(rows["key"]))
    sizes = [len(rows[rows["key"] == k]) for k in keys]
    fig, axes = plt.subplots(len(keys), 1, figsize=(9, 0.28 * sum(sizes) + 0.75 * len(keys)),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    for ax, key in zip(axes[:, 0], keys, strict=True):
        d = rows[rows["key"] == key].reset_index(drop=True)
        ax.set_xscale("log")
        ax.set_xlim(*_xlim(d))
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.tick_params(axis="x", labelsize=7)
        ax.axvline(1, color="grey", lw=0.8)
        for i, row in d.iterrows():
            color = COLORS.get(row["verdict"], "grey")
            marker, size, fill = GROUPS.get(row["group"], GROUPS["other hardware"])
            if np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"]):
                ax.hlines(i, row["ci_low"], row["ci_high"], color=color, lw=2)
            if np.isfinite(row["ratio"]):
                ax.plot(row["ratio"], i, marker, color=color, ms=size, fillstyle=fill,
                        zorder=3)
            else:
                ax.text(0.02, i, row["verdict"], transform=ax.get_yaxis_transform(),
                        va="center", color=color, style="italic", fontsize=7)
        threshold = d["threshold"].dropna()
        if len(threshold):
            ax.axvline(threshold.iloc[0], color="k", lw=1.5, ls=":")
        ax.set_yticks(range(len(d)), d["label"], fontsize=7)
        ax.set_ylim(len(d) - 0.5, -0.5)
        sign = SIDES.get(d["side"].iloc[0], "?")
        need = f" (claim: {sign} {threshold.iloc[0]:g})" if len(threshold) else ""
        ax.set_title(textwrap.shorten(f"{key}: {d['claim'].iloc[0]}", 95, placeholder="...")
                     + need, fontsize=8, loc="left")
    axes[-1, 0].set_xlabel("ratio (point) with its 95% interval (line); log scale; dotted: "
                           "the claim's threshold")
    handles = [Line2D([], [], color=c, marker="o", lw=2, label=v) for v, c in COLORS.items()]
    handles += [Line2D([], [], color="k", marker=m, ms=s, fillstyle=f, ls="none", label=g)
                for g, (m, s, f) in GROUPS.items() if g in set(rows["group"])]
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, 1.0))
    fig.suptitle(title, y=1.03)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def against_findings(findings):
    """Figure 11: this study's claims beside the archived ones (results/findings.csv)."""
    return across_studies(forest_rows(findings))
