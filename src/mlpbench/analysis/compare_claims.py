"""Do two studies contradict each other about the article's claims?

    python -m mlpbench.analysis.compare_claims A/claims.csv B/claims.csv

Claims are matched by `key`. A claim is contradicted when one study confirmed it and the other
refuted it; `inconclusive` and `not tested here` contradict nothing, and a claim only one study
judged (`absent` on the other side) is no contradiction either. Prints one aligned line per
claim and a summary; exit 1 on any contradiction, 0 otherwise, 2 when a file cannot be read.
"""

import argparse
import sys

import pandas as pd

CONFIRMED, REFUTED, ABSENT = "confirmed", "refuted", "absent"
REQUIRED = ("key", "verdict")


def contradicts(verdict_a, verdict_b):
    return {verdict_a, verdict_b} == {CONFIRMED, REFUTED}


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


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.analysis.compare_claims",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a", help="claims.csv of study A")
    p.add_argument("b", help="claims.csv of study B")
    args = p.parse_args(argv)
    try:
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
