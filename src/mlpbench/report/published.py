"""This study against the published findings: the report's opening answer, its page and the
rows of its figure 11, from results/findings.csv (analysis.archive.against) only.

Same hardware: each claim's verdict beside the archived ones, a confirmed/refuted pair flagged
as a contradiction. Other hardware: shown beside it, not judged.
"""

import pandas as pd

from mlpbench.analysis.verdicts import NOT_TESTED
from mlpbench.report import answer

PAGE_COLUMNS = ["claim", "this study", "same hardware", "contradicted by",
                "other hardware"]


def _verdict(verdict, ratio, low, high):
    if verdict == NOT_TESTED or pd.isna(ratio):
        return str(verdict)
    return f"{verdict} {answer.interval(ratio, low, high)}"


def _archived(sel):
    return sel.dropna(subset=["study"])


def page(table):
    """A row per claim: this study's verdict, how many same-hardware studies agree and which
    contradict it, and the other hardware's verdicts."""
    rows = []
    for _, sel in table.groupby("key", sort=False):
        first = sel.iloc[0]
        archived = _archived(sel)
        same = archived[archived["same_hardware"].astype(bool)]
        agree = int((same["verdict"] == first["verdict_here"]).sum())
        other = archived[~archived["same_hardware"].astype(bool)]
        rows.append({
            "claim": first["claim"],
            "this study": _verdict(first["verdict_here"], first["ratio_here"],
                                   first["ci_low_here"], first["ci_high_here"]),
            "same hardware": f"{agree} of {len(same)} archived agree" if len(same)
            else "none archived",
            "contradicted by": ", ".join(same.loc[same["contradiction"].astype(bool), "study"]),
            "other hardware": "; ".join(
                f"{r.hardware}/{r.study}: {_verdict(r.verdict, r.ratio, r.ci_low, r.ci_high)}"
                for r in other.itertuples()),
        })
    return pd.DataFrame(rows, columns=PAGE_COLUMNS)


def forest_rows(table):
    """figure 11's rows: per claim, this study first, then the archived studies."""
    rows = []
    for key, sel in table.groupby("key", sort=False):
        first = sel.iloc[0]
        rows.append({"key": key, "claim": first["claim"], "label": "this study",
                     "group": "this study", "verdict": first["verdict_here"],
                     "ratio": first["ratio_here"], "ci_low": first["ci_low_here"],
                     "ci_high": first["ci_high_here"], "threshold": first["threshold_here"],
                     "side": first["side_here"]})
        for r in _archived(sel).itertuples():
            rows.append({"key": key, "claim": first["claim"],
                         "label": r.study if r.same_hardware else f"{r.hardware} / {r.study}",
                         "group": "same hardware" if r.same_hardware else "other hardware",
                         "verdict": r.verdict, "ratio": r.ratio, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "threshold": r.threshold_here,
                         "side": r.side_here})
    return pd.DataFrame(rows)


def not_run(runs):
    """A sentence on the runs that timed nothing (failed or skipped), or None when all did."""
    if runs is not None and "origin" in runs:  # the pilot's runs only chose the design
        runs = runs[runs["origin"] != "pilot"]
    if runs is None or runs.empty:
        return None
    counts = runs["status"].value_counts()
    failed = {s: int(counts.get(s, 0)) for s in ("error", "invalid") if counts.get(s, 0)}
    skipped = int(counts.get("skipped", 0))
    if not failed and not skipped:
        return None
    said = []
    if failed:
        said.append(f"**{sum(failed.values())} of {len(runs)} runs failed** ("
                    + ", ".join(f"{s} {n}" for s, n in failed.items()) + ")")
    if skipped:
        said.append(f"{skipped} of {len(runs)} {'was' if skipped == 1 else 'were'} skipped "
                    "on this machine")
    return (" and ".join(said) + ": the figures and tables draw the cells that ran, and the "
            "table *not run* lists each of the others with its reason.")


def opening(claims, ranking, table, hardware, runs=None):
    """The report's first section (reStructuredText): the answer on this machine, what did not
    run (runs: the runs table), and how it stands against the published findings."""
    said = answer.sentences(claims, ranking)
    archived = _archived(table).drop_duplicates(["hardware", "study"])
    same = archived[archived["same_hardware"].astype(bool)]
    flagged = table[table["contradiction"].astype(bool)]
    if same.empty:
        held = (f"No study of this hardware ({hardware}) is archived in findings/ yet, so "
                "nothing holds this one against it")
    elif flagged.empty:
        held = (f"Held against the {len(same)} archived stud{'y' if len(same) == 1 else 'ies'} "
                f"of this hardware ({hardware}), no verdict contradicts")
    else:
        held = (f"**Held against the {len(same)} archived studies of this hardware "
                f"({hardware}), {len(flagged)} verdict(s) contradict**: " + "; ".join(
                    f"{r.key} here {r.verdict_here}, {r.verdict} in {r.study}"
                    for r in flagged.itertuples()))
    others = len(archived) - len(same)
    held += (f"; {others} archived stud{'y' if others == 1 else 'ies'} of other hardware "
             "are shown beside it, not judged." if others else ".")
    held += (" Figure 11 and the table *this study against the published findings* show each "
             "claim beside the archive.")
    missing = not_run(runs)
    return "\n".join(["The answer on this machine", "-" * 26, "",
                      " ".join(said) if said else "This study's grid answers none of the "
                      "questions (see the claims below).", "",
                      *([missing, ""] if missing else []), held, ""])
