"""Small self-contained HTML tables for the Snakemake report (shown there in a frame)."""

import html

import pandas as pd

from mlpbench.analysis.verdicts import CONFIRMED, INCONCLUSIVE, REFUTED
from mlpbench.measure.records import CELL

# A cell holding one of these words is coloured; "not tested here" stays plain.
COLOURS = {CONFIRMED: "#d9f2d9", REFUTED: "#f8d7d7", INCONCLUSIVE: "#fdebc8",
           "error": "#f8d7d7", "skipped": "#eee"}
STYLE = ("<style>\nbody { font-family: sans-serif; font-size: 13px; margin: 1em; }\n"
         "table { border-collapse: collapse; }\n"
         "th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; "
         "vertical-align: top; }\nth { background: #f0f0f0; }\n"
         + "".join(f"td.{word} {{ background: {colour}; }}\n" for word, colour in COLOURS.items())
         + "</style>")


def render(df, title, note=""):
    """A whole HTML page holding df as a table; verdict/status cells get a colour class."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for value in rec:
            text = "" if pd.isna(value) else str(value)
            cls = f' class="{text}"' if text in COLOURS else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(rows) if rows else f'<tr><td colspan="{len(df.columns)}">none</td></tr>'
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title>{STYLE}</head><body>\n<h2>{html.escape(title)}</h2>\n"
            f"<p>{html.escape(note)}</p>\n<table id=\"table\"><thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody></table>\n</body></html>\n")


NOT_RUN_COLUMNS = [*CELL, "repeat", "status", "reason"]


def not_run(runs):
    """Runs that produced no timing: skipped, invalid (non-finite) or error (crash/timeout)."""
    if runs.empty:
        return runs.reindex(columns=NOT_RUN_COLUMNS)
    return runs.loc[runs["status"] != "ok", NOT_RUN_COLUMNS]


def noisy(cells):
    """Cells whose coefficient of variation is above stats.CV_WARN."""
    cols = [*CELL, "n_runs", "n_epochs", "median_s",
            "iqr_s", "cv"]
    return cells.loc[cells["cv_warning"], cols].round(4)


PEAK_COLUMNS = [*CELL, "achieved_gflops_median",
                "peak_gflops_median", "peak_gflops_shapes_median", "fraction_of_peak"]


def peak(cells):
    """Per cell: achieved and probe GFLOP/s (medians), and the fraction of the square peak in %."""
    d = cells.reindex(columns=PEAK_COLUMNS).sort_values(["device", "dtype", "threads", "impl",
                                                         "batch"])
    d["fraction_of_peak"] = 100 * d["fraction_of_peak"]
    return d.round(2).rename(columns={"fraction_of_peak": "percent_of_peak"})


DISTURBED_COLUMNS = [*CELL, "repeat", "origin",
                     "attempt", "used", "cpus", "cpus_busy_before", "placed_quiet",
                     "interference_max", "machine_busy_median", "cpu_per_wall_median"]


def disturbed(runs):
    """Every attempt flagged disturbed: redone ones (used False) and those kept after the last
    attempt (used True), which the claims leave out."""
    if runs.empty or "disturbed" not in runs:
        return pd.DataFrame(columns=DISTURBED_COLUMNS)
    flagged = runs[runs["disturbed"].fillna(False).astype(bool)]
    return flagged.reindex(columns=DISTURBED_COLUMNS).round(3)


def harness(runs):
    """Per thread count: the CPU the study's own processes (Snakemake, the launcher, Docker's
    daemons) used while the timed processes ran, in CPUs (median and max over processes).
    Processes that timed nothing (all their cells skipped) are left out."""
    ok = runs[runs["status"] == "ok"]
    procs = ok.dropna(subset=["harness_cpu_per_wall"]).drop_duplicates(["origin", "process"])
    return procs.groupby("threads")["harness_cpu_per_wall"].agg(
        ["count", "median", "max"]).reset_index().rename(
        columns={"count": "processes", "median": "harness_cpus_median",
                 "max": "harness_cpus_max"})


HARDWARE_COLUMNS = ["hardware", "used_in_statistics", "runs", "nodes", "slurm_jobs"]


def hardware(runs):
    """Per hardware fingerprint: whether the statistics use it, its runs, nodes, SLURM jobs."""
    if runs.empty or "hardware" not in runs:
        return pd.DataFrame(columns=HARDWARE_COLUMNS)
    rows = []
    for fingerprint, sel in runs.dropna(subset=["hardware"]).groupby("hardware"):
        rows.append({"hardware": fingerprint,
                     "used_in_statistics": bool(sel["hardware_main"].astype(bool).all()),
                     "runs": len(sel), "nodes": ", ".join(sorted(sel["node"].dropna().unique())),
                     "slurm_jobs": int(sel["slurm_job_id"].dropna().nunique())})
    return pd.DataFrame(rows, columns=HARDWARE_COLUMNS).sort_values(
        ["used_in_statistics", "runs"], ascending=False)
