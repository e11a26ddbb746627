"""Do two studies contradict each other about the article's claims? Or a study and the
published findings?

    python -m mlpbench.tools.compare_claims A/claims.csv B/claims.csv
    python -m mlpbench.tools.compare_claims --archive findings [--config NAME] \
        results/claims.csv [--runs results/runs.csv]

Claims are matched by `key`. A claim is contradicted when one study confirmed it and the other
refuted it; `inconclusive` and `not tested here` contradict nothing, and a claim only one study
judged (`absent` on the other side) is no contradiction either. Prints one aligned line per
claim and a summary; exit 1 on any contradiction, 0 otherwise, 2 when a file cannot be read.

With --archive, the study (its hardware from runs.csv beside claims.csv, or --runs) is compared
with every archived study of the same hardware (and config, with --config): one table each.
Studies of other hardware are counted, not judged. A hardware with no such archived study is
said in one line and passes.
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

from mlpbench.analysis.verdicts import contradicts

ABSENT = "absent"  # a claim one of the two tables lacks
REQUIRED = ("key", "verdict")


def compare(a, b):
    """One row per key in either table (a's order, then b's new keys), with both verdicts."""
    a, b = (df.reindex(columns=["key", "claim", "verdict"]) for df in (a, b))
    both = a.merge(b, on="key", how="outer", suffixes=("_a", "_b"))
    order = list(dict.fromkeys([*a["key"], *b["key"]]))
    both = both.set_index("key").loc[order].reset_index()
    out = pd.DataFrame({"key": both["key"],
                        "claim": both["claim_a"].combine_first(both["claim_b"]).fillna(""),
                        "verdict_a": both["verdict_a"].fillna(ABSENT),
                        "verdict_b": both["verdict_b"].fillna(ABSENT)})
    out["contradiction"] = [contradicts(x, y) for x, y in zip(out["verdict_a"],
                                                               out["verdict_b"], strict=True)]
    return out


class BadInput(Exception):
    pass


def load(path):
    """The claims table at path; BadInput naming the file if it is missing or malformed."""
    try:
        df = pd.read_csv(path, dtype={"key": str, "verdict": str})
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: not a readable CSV ({e})") from None
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise BadInput(f"{path}: lacks column(s) {', '.join(missing)}")
    blank = df[list(REQUIRED)].isna().any(axis=1)
    if blank.any():
        raise BadInput(f"{path}: row(s) {', '.join(map(str, blank[blank].index + 2))} lack a "
                       "key or verdict")  # + 2: the header is line 1
    dup = df.loc[df["key"].duplicated(), "key"]
    if len(dup):  # rows are matched across files by key: each must be unique
        raise BadInput(f"{path}: duplicate key(s) {', '.join(dup)}")
    return df


def render(table, name_a="A", name_b="B"):
    """Aligned text: one line per claim, CONTRADICTION marked, then a one-line summary."""
    rows = [("claim", name_a, name_b, "")] + [
        (r.key, r.verdict_a, r.verdict_b, "CONTRADICTION" if r.contradiction else "")
        for r in table.itertuples()]
    widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths + [0], strict=True)).rstrip()
             for r in rows]
    n = int(table["contradiction"].sum())
    judged = int(((table["verdict_a"] != ABSENT) & (table["verdict_b"] != ABSENT)).sum())
    lines.append(f"{len(table)} claims, {judged} in both studies: "
                 + (f"{n} contradiction(s)" if n else "no contradiction"))
    return "\n".join(lines)


def against_archive(claims_path, runs_path, root, config=None):
    """Exit status of comparing a study with the archive (see the module's text)."""
    from mlpbench.analysis import archive, hardware

    here = load(claims_path)
    try:
        runs = pd.read_csv(runs_path, low_memory=False)
    except (FileNotFoundError, pd.errors.EmptyDataError) as e:
        raise BadInput(f"{runs_path}: cannot read the study's runs ({e})") from None
    found = hardware.of_runs(runs)
    if found is None:
        raise BadInput(f"{runs_path}: no run recorded its hardware")
    hw, which = found["name"], f" of config {config}" if config else ""
    archived = [s for s in archive.studies(root) if config is None or s.config == config]
    same = [s for s in archived if s.hardware == hw]
    print(f"this study: {claims_path} on {hw}; {len(archived) - len(same)} archived "
          f"stud(ies){which} of other hardware, shown in the report, not judged")
    if not same:
        print(f"{hw} has no archived study{which} in {root}: nothing to hold this study "
              "against")
        return 0
    status = 0
    for study in same:
        table = compare(here, study.claims)
        print(f"\nagainst {study.path}")
        print(render(table, "this study", "archived"))
        status |= int(table["contradiction"].any())
    return status


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.tools.compare_claims",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", help="claims.csv of study A (with --archive: of the study)")
    p.add_argument("b", nargs="?", help="claims.csv of study B (not with --archive)")
    p.add_argument("--archive", metavar="DIR", help="the published findings (findings/)")
    p.add_argument("--config", metavar="NAME", help="with --archive: only studies of it")
    p.add_argument("--runs", metavar="RUNS.csv",
                   help="with --archive: the study's runs.csv (default: beside A)")
    args = p.parse_args(argv)
    if (args.b is None) == (args.archive is None):
        p.error("give two claims.csv files, or one and --archive")
    try:
        if args.archive:
            runs = args.runs or str(Path(args.a).with_name("runs.csv"))
            return against_archive(args.a, runs, args.archive, args.config)
        a, b = load(args.a), load(args.b)
    except BadInput as e:
        print(f"compare_claims: {e}", file=sys.stderr)
        return 2
    table = compare(a, b)
    print(f"A = {args.a}\nB = {args.b}")
    print(render(table))
    return 1 if table["contradiction"].any() else 0


if __name__ == "__main__":
    sys.exit(main())
