"""Small self-contained HTML tables for the Snakemake report (shown there in a frame)."""

import html

STYLE = """<style>
body { font-family: sans-serif; font-size: 13px; margin: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.confirmed { background: #d9f2d9; } td.refuted { background: #f8d7d7; }
td.error { background: #f8d7d7; } td.skipped { background: #eee; }
</style>"""

STATUS_CLASSES = {"confirmed", "refuted", "error", "skipped"}


def render(df, title, note=""):
    """A whole HTML page holding df as a table; verdict/status cells get a colour class."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for value in rec:
            text = "" if value is None or value != value else str(value)
            cls = f' class="{text}"' if text in STATUS_CLASSES else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(rows) if rows else f'<tr><td colspan="{len(df.columns)}">none</td></tr>'
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title>{STYLE}</head><body>\n<h2>{html.escape(title)}</h2>\n"
            f"<p>{html.escape(note)}</p>\n<table id=\"table\"><thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody></table>\n</body></html>\n")


NOT_RUN_COLUMNS = ["impl", "device", "dtype", "batch", "threads", "repeat", "status", "reason"]


def not_run(runs):
    """Runs that produced no timing: skipped, invalid (non-finite) or error (crash/timeout)."""
    if runs.empty:
        return runs.reindex(columns=NOT_RUN_COLUMNS)
    return runs.loc[runs["status"] != "ok", NOT_RUN_COLUMNS]


def noisy(cells):
    """Cells whose coefficient of variation is above stats.CV_WARN."""
    cols = ["impl", "device", "dtype", "batch", "threads", "n_runs", "n_epochs", "median_s",
            "iqr_s", "cv"]
    return cells.loc[cells["cv_warning"], cols].round(4)


PEAK_COLUMNS = ["impl", "device", "dtype", "batch", "threads", "achieved_gflops_median",
                "peak_gflops_median", "peak_gflops_shapes_median", "fraction_of_peak"]


def peak(cells):
    """Per cell: achieved and probe GFLOP/s (medians), and the fraction of the square peak in %."""
    d = cells.reindex(columns=PEAK_COLUMNS).sort_values(["device", "dtype", "threads", "impl",
                                                         "batch"])
    d["fraction_of_peak"] = 100 * d["fraction_of_peak"]
    return d.round(2).rename(columns={"fraction_of_peak": "percent_of_peak"})
