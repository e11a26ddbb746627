"""compare_claims: the contradiction rule over every pair of verdicts, absent keys, exit codes;
a study held against the published findings, and a doctored folder that must fail."""

import itertools
import shutil

import archived
import pandas as pd
import pytest

from mlpbench.analysis import archive
from mlpbench.publish import archive as publish
from mlpbench.tools import compare_claims

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


# -- a study against the published findings (--archive) --


def doctor(folder):
    """Flip the first decisive verdict of an archived study's claims.csv; returns its key."""
    path = folder / "claims.csv"
    table = pd.read_csv(path)
    i = table.index[table["verdict"].isin(["confirmed", "refuted"])][0]
    table.loc[i, "verdict"] = {"confirmed": "refuted", "refuted": "confirmed"}[
        table.loc[i, "verdict"]]
    table.to_csv(path, index=False)
    return table.loc[i, "key"]


def against(results, root, *extra):
    return compare_claims.main([str(results / "claims.csv"), "--archive", str(root), *extra])


def test_a_study_agreeing_with_the_archive_passes_and_a_doctored_folder_fails(tmp_path, capsys):
    results = archived.finished_study(archived.clone(tmp_path))
    root = tmp_path / "findings"
    folder = publish.write(results, root)
    assert against(results, root) == 0
    assert "no contradiction" in capsys.readouterr().out
    key = doctor(folder)
    assert against(results, root) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(key + " "))
    assert line.endswith("CONTRADICTION")


def test_only_the_named_config_is_held_against(tmp_path):
    results = archived.finished_study(archived.clone(tmp_path))
    root = tmp_path / "findings"
    doctor(publish.write(results, root))  # a default study that contradicts
    assert against(results, root, "--config", "quick") == 0
    assert against(results, root, "--config", "default") == 1


def test_hardware_not_in_the_archive_says_so_and_passes(tmp_path, capsys):
    results = archived.finished_study(archived.clone(tmp_path))
    root = tmp_path / "findings"
    archived.folder(root, "some-other-machine", "2026-12-01-1000-default-aaaaaaa",
                    {"float32": "refuted", "keras500": "refuted"})
    assert against(results, root) == 0
    out = capsys.readouterr().out
    assert "1 archived stud(ies) of other hardware" in out
    assert "test-4cpu-avx2 has no archived study in" in out



def test_every_real_archived_study_fails_once_doctored(tmp_path):
    """The published folders themselves: each agrees with itself, and contradicts itself
    once one verdict is flipped (the check CI relies on)."""
    studies = [s for s in archive.studies(archived.ROOT / "findings")
               if s.claims["verdict"].isin(["confirmed", "refuted"]).any()]
    assert studies, "findings/ holds no archived study with a decisive verdict"
    for study in studies:
        root = tmp_path / study.name / "findings"
        copy = root / study.hardware / study.name
        shutil.copytree(study.path, copy)
        runs = tmp_path / study.name / "runs.csv"
        shutil.copyfile(study.path / "runs.csv.gz", runs.with_suffix(".csv.gz"))
        pd.read_csv(runs.with_suffix(".csv.gz")).to_csv(runs, index=False)
        claims = tmp_path / study.name / "claims.csv"
        shutil.copyfile(study.path / "claims.csv", claims)
        assert compare_claims.main([str(claims), "--archive", str(root)]) == 0
        doctor(copy)
        assert compare_claims.main([str(claims), "--archive", str(root)]) == 1
