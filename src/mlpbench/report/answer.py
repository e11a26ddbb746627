"""The study's answer in a few plain sentences, from its claims.csv and ranking.csv only.

The article asks when Keras beats a hand-written NumPy MLP. The sentences say, on CPU in
float32 at the article's thread count (else the most threads both ran): how numpy-fast (the
best hand-written NumPy) and Keras fit compare at the article's batch, from which batch size on
Keras fit is the faster, which implementation is the fastest there, and which of the article's
claims this study confirmed or refuted. Every ratio carries its 95% interval; a question the
study's grid cannot answer gets no sentence. FINDINGS.md and the report open with them.
"""

import pandas as pd

from mlpbench.analysis.claims import ARTICLE_BATCH, ARTICLE_THREADS
from mlpbench.analysis.ranking import REFERENCE
from mlpbench.analysis.verdicts import CONFIRMED, INCONCLUSIVE, NOT_TESTED, REFUTED

KERAS = "keras-fit"


def interval(ratio, low, high):
    return f"{ratio:.2f}× [{low:.2f}, {high:.2f}]"


def threads_text(threads):
    return f"{int(threads)} thread{'s' if threads > 1 else ''}"


def _batch(b):
    return f"{int(b):,}"


def _where(ranking, impls):
    """float32 CPU rows at the article's threads, else the most threads at which every impl
    ranked at the article's batch; None when they never ran together there."""
    sel = ranking[(ranking["device"] == "cpu") & (ranking["dtype"] == "float32")]
    at = sel[sel["batch"] == ARTICLE_BATCH]
    common = set.intersection(*(set(at.loc[at["impl"] == i, "threads"]) for i in impls))
    if not common:
        return None, None
    threads = ARTICLE_THREADS if ARTICLE_THREADS in common else max(common)
    return sel[sel["threads"] == threads], threads


def _keras_against_numpy(sel, batch):
    """(Keras's speed over numpy-fast, low, high, significant) at one batch, or None."""
    row = sel[(sel["batch"] == batch) & (sel["impl"] == KERAS)]
    if row.empty or pd.isna(row["speed"].iloc[0]):
        return None
    r = row.iloc[0]
    return r["speed"], r["speed_ci_low"], r["speed_ci_high"], bool(r["significant"])


def keras_at_article_batch(sel, threads):
    found = _keras_against_numpy(sel, ARTICLE_BATCH)
    if found is None:
        return None
    speed, low, high, significant = found
    where = f"at batch {ARTICLE_BATCH} (float32, {threads_text(threads)})"
    if significant and speed < 1:
        return (f"The best hand-written NumPy ({REFERENCE}) is "
                f"{interval(1 / speed, 1 / high, 1 / low)} faster than Keras fit {where}.")
    if significant:
        return (f"Keras fit is {interval(speed, low, high)} faster than the best hand-written "
                f"NumPy ({REFERENCE}) {where}.")
    return (f"Keras fit and the best hand-written NumPy ({REFERENCE}) cannot be told apart "
            f"{where}: Keras's speed is {interval(speed, low, high)} {REFERENCE}'s.")


def keras_pulls_ahead(sel):
    """From which batch on Keras fit is significantly faster than numpy-fast at every batch."""
    batches = sorted(sel.loc[sel["impl"] == KERAS, "batch"].unique())
    results = {b: _keras_against_numpy(sel, b) for b in batches}
    ahead = [b for b in batches if results[b] and results[b][3] and results[b][0] > 1]
    start = next((b for b in batches if all(c in ahead for c in batches if c >= b)), None)
    if start is None:
        return (f"Keras fit is not faster than {REFERENCE} at the largest batch size measured, "
                f"{_batch(batches[-1])}.") if batches else None
    speed, low, high, _ = results[start]
    return (f"Keras fit pulls ahead from batch {_batch(start)} on ({interval(speed, low, high)} "
            f"{REFERENCE}'s speed there).")


def fastest(sel, batch):
    at = sel[sel["batch"] == batch].sort_values("rank")
    if at.empty:
        return None
    first = at.iloc[0]
    text = (f"The fastest at batch {_batch(batch)} is {first['impl']}, "
            f"{first['median_s']:.3f} s per epoch")
    if first["impl"] == REFERENCE:
        if len(at) < 2:
            return text + "."
        second = at.iloc[1]
        ratio = second["median_s"] / first["median_s"]
        return text + f"; the next, {second['impl']}, takes {ratio:.2f}× as long."
    if pd.isna(first["speed"]):
        return text + "."
    return text + (f", {interval(first['speed'], first['speed_ci_low'], first['speed_ci_high'])}"
                   f" {REFERENCE}'s speed.")


def claims_sentence(claims):
    """Which of the article's claims this study confirmed and refuted, in words."""
    def named(verdict):
        sel = claims[claims["verdict"] == verdict]
        return "; ".join(f"{r.claim} ({interval(r.ratio, r.ci_low, r.ci_high)})"
                         for r in sel.itertuples())
    counts = claims["verdict"].value_counts()
    parts = [f"{counts.get(v, 0)} {v}" for v in (CONFIRMED, REFUTED, INCONCLUSIVE, NOT_TESTED)
             if counts.get(v, 0)]
    text = f"Of the {len(claims)} claims: {', '.join(parts)}."
    for verdict in (REFUTED, CONFIRMED):
        if counts.get(verdict, 0):
            text += f" {verdict.capitalize()}: {named(verdict)}."
    return text


def sentences(claims, ranking):
    """The answer, as a list of sentences (none for a question the grid cannot answer)."""
    out = []
    sel, threads = _where(ranking, [REFERENCE, KERAS])
    if sel is not None:
        out += [keras_at_article_batch(sel, threads), keras_pulls_ahead(sel)]
    sel, _ = _where(ranking, [REFERENCE])
    if sel is not None:
        out.append(fastest(sel, ARTICLE_BATCH))
        big = max(sel["batch"])
        if big != ARTICLE_BATCH:
            out.append(fastest(sel, big))
    if not claims.empty:
        out.append(claims_sentence(claims))
    return [s for s in out if s]
