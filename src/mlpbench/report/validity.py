"""The report's figures on whether the measurements can be trusted: accuracy parity of the
implementations (6), the environment every run recorded (7), the container's overhead (9)."""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from mlpbench.analysis.claims import OVERHEAD
from mlpbench.analysis.overhead import overhead_gap
from mlpbench.measure.provenance import VERSIONS
from mlpbench.report.style import dodge, empty, impl_order, series


def parity(runs):
    """Test accuracy and test loss per implementation and batch: do they learn the same?"""
    d = runs[runs["status"] == "ok"]
    if d.empty:
        return empty("no run finished with status ok")
    d = series(d)
    long = d.melt(id_vars=["impl", "dtype", "batch"], value_vars=["test_accuracy", "test_loss"],
                  var_name="metric")
    g = sns.catplot(data=long, x="batch", y="value", hue="impl", hue_order=impl_order(d),
                    row="metric", col="dtype", kind="point", dodge=dodge(d, "impl", 0.5),
                    linestyle="none",
                    errorbar=("pi", 100), sharey="row", height=2.8, aspect=1.4,
                    margin_titles=True)
    g.set_axis_labels("batch size", "")
    return g.figure


ENV_FIELDS = ["cpu_model", "cpu_count", "blas_summary", *VERSIONS, "git_revision", "git_dirty",
              "host", "platform", "runner", "image_digest"]


def environment_table(runs):
    """Each provenance field with its distinct values over all runs (and how many runs)."""
    rows = []
    for field in ENV_FIELDS:
        col = f"provenance_{field}"
        if col not in runs:
            continue
        counts = runs[col].astype(str).where(runs[col].notna(), "none").value_counts()
        for value, n in counts.items():
            rows.append({"field": field, "value": value, "runs": int(n)})
    return pd.DataFrame(rows, columns=["field", "value", "runs"])


def environment(runs):
    """The environment as a table, and CPU time / wall time vs threads (the limit held)."""
    env = environment_table(runs)
    fig, (ax_t, ax_c) = plt.subplots(1, 2, figsize=(13, 0.32 * max(len(env), 8) + 1),
                                     gridspec_kw={"width_ratios": [2.2, 1]})
    ax_t.axis("off")
    if not env.empty:
        cells = [[r.field, "\n".join(textwrap.wrap(str(r.value), 70)) or "-", r.runs]
                 for r in env.itertuples()]
        table = ax_t.table(cellText=cells, colLabels=["field", "value", "runs"],
                           colWidths=[0.18, 0.72, 0.1], loc="upper left", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(7)
    ax_t.set_title("environment of the runs")
    ok = series(runs[runs["status"] == "ok"])
    if not ok.empty:
        sns.stripplot(data=ok, x="threads", y="cpu_per_wall_median", hue="impl",
                      hue_order=impl_order(ok), dodge=True, ax=ax_c, size=4)
        ax_c.set_ylabel("CPU time / wall time per epoch")
        ax_c.legend(fontsize=6)
        ax_c.set_title("thread limit held? (CPU/wall <= threads)")
    return fig


def container_overhead(overhead, runs, native_runs):
    """Docker / native epoch time per cell with 95% intervals, and the test accuracy change.

    overhead: analysis.overhead's table; runs, native_runs: this study's and the native runs
    (None: not given), which say why the table is empty. The band is the claim's threshold,
    within claims.OVERHEAD of 1.
    """
    if overhead.empty:
        reason = overhead_gap(runs, native_runs) or "nothing to compare"
        return empty(f"container overhead not measured: {reason}")
    d = series(overhead).sort_values(["impl", "dtype", "threads", "batch"])
    labels = [f"{r.impl}, {r.dtype}, batch {r.batch}, {r.threads} thr" for r in d.itertuples()]
    y = np.arange(len(d))
    fig, (ax, ax_acc) = plt.subplots(1, 2, figsize=(9, 0.28 * len(d) + 1.4), sharey=True,
                                     gridspec_kw={"width_ratios": [3, 1]})
    ax.axvspan(1 - OVERHEAD, 1 + OVERHEAD, color="grey", alpha=0.15, lw=0)
    ax.axvline(1, color="grey", lw=0.8)
    colors = np.where(d["significant"].astype(bool), "C3", "C0")
    # a percentile interval need not contain the point: clip so the bars stay drawable
    err = np.clip([d["ratio"] - d["ci_low"], d["ci_high"] - d["ratio"]], 0, None)
    ax.errorbar(d["ratio"], y, xerr=err, fmt="none", ecolor="k", elinewidth=0.8)
    ax.scatter(d["ratio"], y, c=colors, zorder=3, s=18)
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("epoch time in Docker / natively (95% CI)")
    ax.set_title(f"band: within {OVERHEAD:.0%} of 1; red: interval excludes 1", fontsize=9)
    ax_acc.axvline(0, color="grey", lw=0.8)
    ax_acc.scatter(d["accuracy_diff"], y, color="C2", s=18)
    ax_acc.set_xlabel("test accuracy: Docker - native")
    fig.tight_layout()
    return fig
