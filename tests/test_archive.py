"""The published findings: hardware names, writing a folder and its refusals, reading the
archive back and holding a study against it."""

import gzip
import json

import archived
import pandas as pd
import pytest

from mlpbench import cli
from mlpbench.analysis import archive, hardware
from mlpbench.publish import archive as publish


@pytest.mark.parametrize("model,cpus,flags,gpus,expected", [
    ("Intel(R) Xeon(R) Processor", 2, '["avx2", "avx512f"]', None, "intel-xeon-2cpu-avx512"),
    ("AMD EPYC 7B13 64-Core Processor", 16, ["avx2", "fma"], {"NVIDIA H200": 1},
     "amd-epyc-7b13-16cpu-avx2-h200"),
    ("Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", 8, "avx2 fma", {"NVIDIA A100": 2},
     "intel-core-i7-8550u-8cpu-avx2-2xa100"),
    ("Neoverse-V2", 64, float("nan"), None, "neoverse-v2-64cpu-generic"),
])
def test_hardware_names_are_short_and_stable(model, cpus, flags, gpus, expected):
    assert hardware.name(model, cpus, flags, gpus) == expected


def test_gpu_models_are_read_back_from_the_fingerprint():
    assert hardware.gpu_models("AMD EPYC, 16 CPUs, Zen, 2 x NVIDIA H200") == {"NVIDIA H200": 2}
    assert hardware.gpu_models("Test CPU, 4 CPUs, Haswell, no GPU") == {}


def test_a_finished_study_is_archived_with_everything_a_reader_needs(tmp_path):
    repo = archived.clone(tmp_path)
    results = archived.finished_study(repo, "quick.yaml")
    folder = publish.write(results, tmp_path / "findings")
    assert folder.parent.name == "test-4cpu-avx2"  # "Test CPU", flags "avx2 fma"
    assert folder.name.endswith("-quick-" + archived.git(repo, "rev-parse", "--short=7", "HEAD"))
    names = {p.name for p in folder.iterdir()}
    assert names == {"claims.csv", "cells.csv", "ranking.csv", "efficiency.csv", "warmup.csv",
                     "design.json", "runs.csv.gz", "epochs.csv.gz", "article.csv",
                     "machine.json"}
    with gzip.open(folder / "runs.csv.gz") as f:  # every attempt and column
        assert pd.read_csv(f).shape == pd.read_csv(results / "runs.csv").shape
    machine = json.loads((folder / "machine.json").read_text())
    assert machine["config_name"] == "quick" and machine["config"]["subset"] == 20000
    assert machine["git_revision"] == archived.git(repo, "rev-parse", "HEAD")
    assert machine["locks"]["host"] and machine["duration_s"] >= 0
    assert machine["load_at_start"]["busy"] is False and machine["kernel"]
    assert sum(p.stat().st_size for p in folder.iterdir()) <= publish.MAX_BYTES


def test_the_default_config_is_named_default(tmp_path):
    results = archived.finished_study(archived.clone(tmp_path))
    assert "-default-" in publish.write(results, tmp_path / "findings").name


def refusal(results, root, capsys, *extra):
    assert cli.main(["archive", "--results", str(results), "--findings", str(root),
                     *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("mlpbench archive: refused:")
    return err


def test_an_unfinished_study_is_refused(tmp_path, capsys):
    results = archived.finished_study(archived.clone(tmp_path))
    (results / "config.yaml").unlink()
    assert "did not finish" in refusal(results, tmp_path / "findings", capsys)
    assert not (tmp_path / "findings").exists()  # a refusal leaves nothing behind
    results.joinpath("config.yaml").write_text("x: 1\n")
    (results / "ranking.csv").unlink()
    assert "ranking.csv missing" in refusal(results, tmp_path / "findings", capsys)


def test_uncommitted_changes_to_what_is_measured_are_refused(tmp_path, capsys):
    repo = archived.clone(tmp_path)
    results = archived.finished_study(repo)
    (repo / "README.md").write_text("prose changes nothing measured\n")
    archived.git(repo, "add", "README.md")
    (repo / "envs" / "host.lock").write_text("numpy==2.1\n")
    err = refusal(results, tmp_path / "findings", capsys)
    assert "uncommitted changes" in err and "envs/host.lock" in err and "README" not in err


def test_runs_from_another_revision_or_a_dirty_tree_are_refused(tmp_path, capsys):
    repo = archived.clone(tmp_path)
    results = archived.finished_study(repo)
    runs = pd.read_csv(results / "runs.csv")
    runs.assign(provenance_git_dirty=True).to_csv(results / "runs.csv", index=False)
    assert "uncommitted changes" in refusal(results, tmp_path / "findings", capsys)
    runs.assign(provenance_git_revision="0" * 40).to_csv(results / "runs.csv", index=False)
    assert "measured 0000000 but" in refusal(results, tmp_path / "findings", capsys)


def test_an_existing_folder_is_refused_and_kept(tmp_path, capsys):
    results = archived.finished_study(archived.clone(tmp_path))
    root = tmp_path / "findings"
    folder = publish.write(results, root)
    before = sorted(p.name for p in folder.iterdir())
    assert "exists already" in refusal(results, root, capsys)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_config_matching_no_file_needs_a_name(tmp_path, capsys):
    repo = archived.clone(tmp_path)
    results = archived.finished_study(repo)
    (results / "config.yaml").write_text((results / "config.yaml").read_text().replace(
        "subset: 60000", "subset: 12345"))
    assert "--config-name" in refusal(results, tmp_path / "findings", capsys)
    assert cli.main(["archive", "--results", str(results), "--findings",
                     str(tmp_path / "findings"), "--config-name", "small"]) == 0


def test_the_archive_reads_back_in_date_order(tmp_path):
    root = tmp_path / "findings"
    archived.folder(root, "hw-a", "2026-12-02-1000-default-bbbbbbb", {"float32": "confirmed"})
    archived.folder(root, "hw-a", "2026-12-01-1000-quick-aaaaaaa", {"float32": "confirmed"},
                    config="quick")
    found = archive.studies(root)
    assert [s.name[:10] for s in found] == ["2026-12-01", "2026-12-02"]
    assert [s.config for s in found] == ["quick", "default"]
    assert archive.studies(tmp_path / "none") == []


def here(**verdicts):
    return pd.DataFrame([{"key": k.replace("_", "-"), "claim": k, "verdict": v, "ratio": 1.2,
                          "ci_low": 1.1, "ci_high": 1.3, "threshold": 1.5, "side": "above"}
                         for k, v in verdicts.items()])


def test_only_the_same_hardware_can_contradict(tmp_path):
    root = tmp_path / "findings"
    archived.folder(root, "mine", "2026-12-01-1000-default-aaaaaaa",
                    {"float32": "confirmed", "bias": "refuted"})
    archived.folder(root, "other", "2026-12-01-1000-default-bbbbbbb",
                    {"float32": "confirmed", "bias": "confirmed"})
    table = archive.against(here(float32="refuted", bias="refuted"), "mine",
                            archive.studies(root))
    flagged = table[table["contradiction"]]
    assert list(zip(flagged["key"], flagged["hardware"], strict=True)) == [("float32", "mine")]
    other = table[~table["same_hardware"]]
    assert set(other["hardware"]) == {"other"} and not other["contradiction"].any()


def test_reproduction_counts_agreement_contradictions_and_hardware_dependence(tmp_path):
    root = tmp_path / "findings"
    for i, (hw, verdicts) in enumerate([
            ("a", {"float32": "confirmed", "bias": "confirmed", "keras500": "refuted"}),
            ("a", {"float32": "confirmed", "bias": "refuted", "keras500": "not tested here"}),
            ("a", {"float32": "inconclusive", "bias": "refuted", "keras500": "refuted"}),
            ("b", {"float32": "refuted", "bias": "refuted", "keras500": "confirmed"})]):
        archived.folder(root, hw, f"2026-12-0{i + 1}-1000-default-{i}aaaaaa", verdicts)
    summary = archive.reproduction(archive.claims_table(archive.studies(root)))
    row = summary.set_index(["key", "hardware"])
    assert row.loc[("float32", "a"), ["verdict", "agree", "tested"]].tolist() == \
        ["confirmed", 2, 3]
    assert row.loc[("bias", "a"), "contradiction"]
    assert row.loc[("keras500", "a"), ["agree", "tested", "studies"]].tolist() == [2, 2, 3]
    # float32 and keras500 agree within each hardware and differ across: hardware-dependent
    assert row.loc[("float32", "a"), "hardware_dependent"]
    assert row.loc[("keras500", "b"), "hardware_dependent"]
    assert not row.loc[("bias", "b"), "hardware_dependent"]  # contradicted on a: unsettled
