"""FINDINGS.md's sections, one hardware at a time, from its archived studies (analysis.archive):
the answer in sentences, every claim against every study, the article's times beside ours and
the ranking. Every number links to the folder it comes from.
"""

import pandas as pd

from mlpbench.analysis.claims import ARTICLE_BATCH, BOOTSTRAP, CLAIMS
from mlpbench.analysis.ranking import REFERENCE
from mlpbench.analysis.verdicts import NOT_TESTED
from mlpbench.report import answer

RANKED_BATCHES = (ARTICLE_BATCH, 10000)
DEFAULT_CONFIG = "default"
DISTURBED_MAX = 0.1  # a study with more of its runs disturbed than this answers nothing


def _md(text):
    """Text safe inside a Markdown table cell or link text."""
    return str(text).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def count(n, one, many):
    return f"{n} {one if n == 1 else many}"


def _link(text, study, file=""):
    return f"[{_md(text)}]({study.path.as_posix()}/{file})"


def read(study, name):
    path = study.path / name
    return pd.read_csv(path) if path.exists() else pd.DataFrame()


def _latest(studies, config=None):
    chosen = [s for s in studies if config is None or s.config == config]
    return chosen[-1] if chosen else None


def disturbed_share(study):
    """The share of a study's used ok runs that other work disturbed (runs.csv.gz)."""
    runs = read(study, "runs.csv.gz")
    if runs.empty or "disturbed" not in runs:
        return 0.0
    used = runs[(runs["status"] == "ok") & runs["used"].fillna(True).astype(bool)]
    return float(used["disturbed"].fillna(False).astype(bool).mean()) if len(used) else 0.0


def quiet(studies):
    """The studies with at most DISTURBED_MAX of their runs disturbed, or all of them when none
    is: a study run beside other work on purpose is compared, never the source of the answer
    or the ranking."""
    calm = [s for s in studies if disturbed_share(s) <= DISTURBED_MAX]
    return calm or studies


def most(studies, score):
    """The study with the highest score; the latest among equals."""
    return max(reversed(studies), key=score) if studies else None


def ranked_cells(study):
    """How many (implementation, batch) pairs the study ranked in float32 on the CPU."""
    r = read(study, "ranking.csv")
    if r.empty:
        return 0
    return len(r[(r["device"] == "cpu") & (r["dtype"] == "float32")][["impl", "batch"]]
               .drop_duplicates())


def _machine_line(study):
    m = study.machine
    gpus = ", ".join(f"{n} × {g}" for g, n in (m.get("gpus") or {}).items()) or "no GPU"
    return (f"{m.get('cpu_model')}, {m.get('cpus')} CPUs, {m.get('memory_gib')} GiB, "
            f"BLAS {m.get('blas')}, {gpus}; kernel {m.get('kernel')}")


def answer_section(hw, studies):
    source = _latest(quiet(studies), DEFAULT_CONFIG) or quiet(studies)[-1]
    said = answer.sentences(read(source, "claims.csv"), read(source, "ranking.csv"))
    lines = [f"### {hw}", "", f"{_machine_line(source)}. "
             f"{count(len(studies), 'archived study', 'archived studies')}; the answer from "
             f"{_link(source.name, source)}:", ""]
    return lines + [" ".join(said) if said else "(this study's grid answers none of the "
                    "questions)", ""], said


def _verdict_cell(row, study):
    if row.verdict == NOT_TESTED or pd.isna(row.ratio):
        return _link(row.verdict, study, "claims.csv")
    return _link(f"{row.verdict} {answer.interval(row.ratio, row.ci_low, row.ci_high)}",
                 study, "claims.csv")


def claims_section(hw, studies, table, summary):
    """A table per hardware: a row per claim, a column per archived study, and the tally."""
    head = ["claim", *(f"{s.name}" for s in studies), "reproduced"]
    lines = [f"### {hw}", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for key in table["key"].drop_duplicates():
        cells = []
        for s in studies:
            row = table[(table["study"] == s.name) & (table["hardware"] == hw)
                        & (table["key"] == key)]
            cells.append(_verdict_cell(next(row.itertuples()), s) if len(row) else "absent")
        tally = summary[(summary["key"] == key) & (summary["hardware"] == hw)].iloc[0]
        note = f"{tally.verdict}: {tally.agree} of {tally.tested}" if tally.tested else \
            NOT_TESTED
        if tally.contradiction:
            note += ", **contradicted**"
        if tally.hardware_dependent:
            note += ", hardware-dependent"
        lines.append(f"| {_md(CLAIMS.get(key, key))} | " + " | ".join(cells) + f" | {note} |")
    methods = {}
    for s in studies:  # claims.csv names its interval; the earliest archived ones do not
        found = s.claims["interval"].dropna()
        methods.setdefault(found.iloc[0] if len(found) else BOOTSTRAP, []).append(s.name)
    return lines + ["", "Intervals: " + "; ".join(f"{m} in {', '.join(names)}"
                                                  for m, names in methods.items()) + ".", ""]


def article_section(hw, studies):
    source = _latest(studies, "seed") or most(
        studies, lambda s: read(s, "article.csv").get("ours_s", pd.Series()).notna().sum())
    t = read(source, "article.csv")
    lines = [f"### {hw}, from {_link(source.name, source)}", "",
             "| the article's figure | implementation | dtype | batch | article, s | ours, s "
             "| threads | ours / article |", "|---|---|---|---|---|---|---|---|"]
    for r in t.itertuples():
        ours = "not run here" if pd.isna(r.ours_s) else _link(f"{r.ours_s:.2f}", source,
                                                              "article.csv")
        threads = "" if pd.isna(r.ours_threads) else int(r.ours_threads)
        ratio = "" if pd.isna(r.ratio) else f"{r.ratio:.2f}"
        lines.append(f"| {_md(r.figure)} | {r.impl} | {r.dtype} | {r.batch:,} | {r.article_s} "
                     f"| {ours} | {threads} | {ratio} |")
    return lines + [""]


def ranking_section(hw, studies):
    source = most(quiet(studies), ranked_cells)
    r = read(source, "ranking.csv")
    r = r[(r["device"] == "cpu") & (r["dtype"] == "float32")]
    lines = [f"### {hw}, from {_link(source.name, source)}", ""]
    for batch in RANKED_BATCHES:
        at = r[r["batch"] == batch]
        if at.empty:
            lines += [f"Batch {batch:,}: not run in this study.", ""]
            continue
        threads = sorted(at["threads"].unique())
        order = at[at["threads"] == threads[0]].sort_values("rank")["impl"]
        lines += [f"Batch {batch:,}, float32: median seconds per epoch [95% interval] and "
                  f"speed relative to {REFERENCE}, fastest "
                  f"first at {answer.threads_text(threads[0])}.", "",
                  "| implementation | " + " | ".join(map(answer.threads_text, threads)) + " |",
                  "|---|" + "---|" * len(threads)]
        for impl in order:
            cells = []
            for t in threads:
                row = at[(at["impl"] == impl) & (at["threads"] == t)]
                if row.empty:
                    cells.append("")
                    continue
                x = row.iloc[0]
                speed = "" if pd.isna(x["speed"]) else f", {x['speed']:.2f}×"
                cells.append(_link(f"{x['median_s']:.3f} [{x['ci_low_s']:.3f}, "
                                   f"{x['ci_high_s']:.3f}]{speed}", source, "ranking.csv"))
            lines.append(f"| {impl} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines
