"""Figure 0 (forest plot of the claims) draws from a mixed, an all-NaN and an empty table."""

import numpy as np
import pandas as pd
import pytest

from mlpbench.report import forest, style

NAN = np.nan
ROWS = [  # key, verdict, ratio, ci_low, ci_high, threshold, side, extra_runs
    ("float32", "confirmed", 1.8, 1.7, 1.9, 1.5, "above", 0),
    ("backprop", "refuted", 2.1, 1.9, 2.3, 1.5, "below", 3),
    ("keras500", "inconclusive", 1.05, 0.9, 1.2, 1.0, "above", 6),
    ("bias", "not tested here", NAN, NAN, NAN, 1.0, "above", 0),
]


def claims(rows=ROWS):
    df = pd.DataFrame(rows, columns=["key", "verdict", "ratio", "ci_low", "ci_high",
                                     "threshold", "side", "extra_runs"])
    return df.assign(claim=[f"the article says something long about {k} " * 3
                            for k in df["key"]], evidence="made up")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def drawn(fig, tmp_path):
    path = tmp_path / "fig.png"
    style.save(fig, path)
    return path.stat().st_size > 0


def test_mixed_table_has_one_row_per_claim_on_a_log_axis(tmp_path):
    fig = forest.claims(claims())
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.get_yticks()) == len(ROWS)
    assert [lab.split(":")[0] for lab in labels] == [r[0] for r in ROWS]
    assert all(len(lab) < 70 for lab in labels)  # the claim text is shortened
    assert "claim: > 1.5" in texts(fig) and "claim: < 1.5 (+3 runs)" in texts(fig)
    assert "not tested here" in texts(fig)
    legend = {t.get_text() for t in ax.get_legend().texts}
    assert {"confirmed", "refuted", "inconclusive", "not tested here"} <= legend
    assert ax.get_title() == forest.TITLE
    assert drawn(fig, tmp_path)


def test_verdict_colours_the_point_and_interval():
    fig = forest.claims(claims())
    points = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert [p.get_color() for p in points] == ["tab:green", "tab:red", "tab:orange"]
    ticks = [line for line in fig.axes[0].lines if line.get_marker() == "|"]
    assert [t.get_xdata()[0] for t in ticks] == [r[5] for r in ROWS]  # each row's threshold


def test_all_nan_rows_still_appear(tmp_path):
    rows = [(k, "not tested here", NAN, NAN, NAN, t, s, 0) for k, _, _, _, _, t, s, _ in ROWS]
    fig = forest.claims(claims(rows))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.get_yticks()) == len(rows)
    assert texts(fig).count("not tested here") == len(rows)
    assert drawn(fig, tmp_path)


@pytest.mark.parametrize("table", [claims().iloc[:0], pd.DataFrame()])
def test_empty_table_says_so(table, tmp_path):
    fig = forest.claims(table)
    assert any("no claims" in t for t in texts(fig))
    assert drawn(fig, tmp_path)


def test_the_figure_saves_as_a_png(tmp_path):
    style.save(forest.claims(claims()), tmp_path / "fig0.png")
    assert (tmp_path / "fig0.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
