"""Container overhead: Docker vs native per cell, and the claim judged from it."""

import pandas as pd
import pytest
from synthetic import study

from mlpbench.analysis import claims, gather, overhead, verdicts


def runs_of(runner="local", factor=1.0, accuracy=None, seed=0):
    """The synthetic study's runs.csv under `runner`, epoch times multiplied by factor."""
    recs = study(seed=seed)
    for r in recs:
        r["runner"] = runner
        r["epoch_wall_s"] = [t * factor for t in r["epoch_wall_s"]]
        if accuracy is not None and r["status"] == "ok":
            r["test_accuracy"] = accuracy
    return gather.runs_table(recs)


def test_overhead_has_one_row_per_cell_that_ran_both_ways():
    native, docker = runs_of(), runs_of("docker", factor=1.2, seed=1)
    table = overhead.overhead(docker, native)
    assert list(table.columns) == overhead.OVERHEAD_COLUMNS
    assert len(table) == 4 * 2 * 3  # impls x dtypes x batches; the skipped cell is not there
    assert table["ratio"].median() == pytest.approx(1.2, rel=0.02)
    assert (table["ci_low"] <= table["ratio"]).all() and (table["ratio"] <= table["ci_high"]).all()
    assert table["significant"].all()
    assert (table["n_docker"] == 3).all() and (table["accuracy_diff"] == 0).all()


def test_overhead_is_empty_with_a_reason_when_there_is_nothing_to_compare():
    native, docker = runs_of(), runs_of("docker")
    for runs, nat, words in ((docker, None, "no native runs"),
                             (native, native, "no ok runs inside the container"),
                             (docker, docker, "no ok runs with runner local"),
                             (docker, native[native["impl"] == "tf-loop"], "no ok runs"),
                             (docker[docker["impl"] == "keras-fit"],
                              native[native["impl"] == "numpy-step2"], "no cell ran both")):
        assert words in overhead.overhead_gap(runs, nat)
        table = overhead.overhead(runs, nat)
        assert table.empty and list(table.columns) == overhead.OVERHEAD_COLUMNS


def verdict(docker, native):
    return claims.claim_container(docker, native)


def test_the_same_times_in_docker_confirm_the_container_claim():
    res = verdict(runs_of("docker", factor=1.01, seed=1), runs_of())
    assert res["verdict"] == verdicts.CONFIRMED
    assert "median over 24 cell(s) 1.01" in res["evidence"]
    assert "accuracies matched" in res["evidence"]
    assert res["claim"] == claims.CLAIMS["container"]


def test_a_slower_container_refutes_and_other_accuracies_are_reported():
    res = verdict(runs_of("docker", factor=1.1, accuracy=0.8), runs_of())
    assert res["verdict"] == verdicts.REFUTED
    assert "accuracies differed" in res["evidence"] and "0.0900" in res["evidence"]


def test_without_native_runs_or_docker_runs_the_claim_is_not_tested():
    assert verdict(runs_of("docker"), None)["verdict"] == verdicts.NOT_TESTED
    assert verdict(runs_of(), runs_of())["verdict"] == verdicts.NOT_TESTED
    assert verdict(pd.DataFrame(), runs_of())["verdict"] == verdicts.NOT_TESTED


def test_evaluate_judges_the_container_claim_last():
    docker = study(seed=1)
    for r in docker:
        r["runner"] = "docker"
    table = claims.evaluate(gather.epochs_table(docker), gather.runs_table(docker), runs_of())
    assert table["claim"].iloc[-1] == claims.CLAIMS["container"]
    assert table["verdict"].iloc[-1] == verdicts.CONFIRMED


def test_compare_runs_reads_two_runs_tables(tmp_path):
    import subprocess
    import sys

    from synthetic import study

    native = gather.runs_table([r for r in study() if r["status"] == "ok"])
    docker = native.assign(runner="docker", image_digest="sha256:" + "ab" * 32)
    native.to_csv(tmp_path / "native.csv", index=False)
    docker.to_csv(tmp_path / "docker.csv", index=False)
    done = subprocess.run([sys.executable, "-m", "mlpbench.tools.compare_runs",
                           tmp_path / "native.csv", tmp_path / "docker.csv", "--runner",
                           "docker"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "largest test-accuracy difference 0" in done.stdout


def test_compare_runs_holds_only_runs_of_as_many_epochs_against_each_other():
    from mlpbench.tools import compare_runs

    native = gather.runs_table([r for r in study() if r["status"] == "ok"])
    other = native.assign(runner="docker", image_digest="sha256:" + "ab" * 32)
    shortened = other.assign(epochs=1, test_accuracy=0.1)  # a busy run: fewer epochs
    problems, both = compare_runs.compare(native, pd.concat([other, shortened]))
    assert problems == [] and len(both) == native.groupby(
        ["impl", "device", "dtype", "batch", "threads"]).ngroups
    problems, _ = compare_runs.compare(native, other.assign(test_accuracy=0.1))
    assert problems  # as many epochs and another accuracy: a mismatch
