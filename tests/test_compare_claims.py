"""compare_claims: the contradiction rule over every pair of verdicts, absent keys, exit codes."""

import itertools

import pandas as pd
import pytest

from mlpbench.analysis import compare_claims

VERDICTS = ["confirmed", "refuted", "inconclusive", "not tested here"]


def claims(**verdicts):
    """A claims table in the results/claims.csv layout, one row per key=verdict."""
    return pd.DataFrame([{"key": k.replace("_", "-"), "claim": f"the {k} claim", "verdict": v,
                          "ratio": 1.0, "ci_low": 0.9, "ci_high": 1.1, "threshold": 1.5,
                          "side": "above", "extra_runs": 0, "evidence": "made up"}
                         for k, v in verdicts.items()])


@pytest.mark.parametrize("va,vb", list(itertools.product(VERDICTS, VERDICTS)))
def test_only_confirmed_against_refuted_is_a_contradiction(va, vb):
    row = compare_claims.compare(claims(bias=va), claims(bias=vb)).iloc[0]
    assert (row["verdict_a"], row["verdict_b"]) == (va, vb)
    assert row["contradiction"] == ({va, vb} == {"confirmed", "refuted"})


def test_a_key_in_one_study_only_is_absent_on_the_other_and_no_contradiction():
    a = claims(float32="confirmed", bias="refuted")
    b = claims(bias="confirmed", container="refuted")
    table = compare_claims.compare(a, b)
    assert list(table["key"]) == ["float32", "bias", "container"]
    by_key = table.set_index("key")
    assert by_key.loc["float32", "verdict_b"] == "absent"
    assert by_key.loc["container", "verdict_a"] == "absent"
    assert by_key.loc["container", "claim"] == "the container claim"
    assert list(table["contradiction"]) == [False, True, False]


def test_rows_are_matched_by_key_not_position():
    a = claims(float32="confirmed", bias="refuted")
    b = claims(bias="refuted", float32="confirmed")
    assert not compare_claims.compare(a, b)["contradiction"].any()


def write(tmp_path, name, df):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_main_exits_1_and_marks_a_contradiction(tmp_path, capsys):
    a = write(tmp_path, "a.csv", claims(float32="confirmed", batchsize_keras="inconclusive"))
    b = write(tmp_path, "b.csv", claims(float32="refuted", batchsize_keras="confirmed"))
    assert compare_claims.main([str(a), str(b)]) == 1
    out = capsys.readouterr().out.splitlines()
    line = next(x for x in out if x.startswith("float32"))
    assert line.split() == ["float32", "confirmed", "refuted", "CONTRADICTION"]
    assert "CONTRADICTION" not in next(x for x in out if x.startswith("batchsize-keras"))
    assert out[-1].endswith("1 contradiction(s)")


def test_main_exits_0_without_contradictions(tmp_path, capsys):
    a = write(tmp_path, "a.csv", claims(float32="confirmed", bias="not tested here"))
    b = write(tmp_path, "b.csv", claims(float32="confirmed", bias="refuted"))
    assert compare_claims.main([str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "CONTRADICTION" not in out
    assert out.splitlines()[-1].endswith("no contradiction")


@pytest.mark.parametrize("content", [None, "", "claim,verdict\nx,confirmed\n",
                                     "key,claim\nfloat32,x\n", "key,verdict\nbias,x\nbias,y\n",
                                     "key,verdict\nbias,\n"])
def test_main_exits_2_naming_the_bad_file(tmp_path, capsys, content):
    good = write(tmp_path, "good.csv", claims(bias="confirmed"))
    bad = tmp_path / "bad.csv"
    if content is not None:
        bad.write_text(content)
    assert compare_claims.main([str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(bad) in err
