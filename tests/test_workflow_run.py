"""The Snakemake workflow end to end on a tiny grid with the real runner (slow)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from study_run import ROOT, TINY, snakemake, tiny_study

from mlpbench.analysis import claims as mlpbench_claims
from mlpbench.analysis import verdicts
from mlpbench.report.figures import FIGURES
from mlpbench.report.pages import PAGES
from mlpbench.tools import workflow_lint

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return tiny_study(tmp_path_factory.mktemp("study"), report=None)


def planned_jobs(proc):
    """{rule: count} from a dry run's job table."""
    table = re.search(r"job\s+count\n[-\s]+\n(.*?)\n\s*total", proc.stdout + proc.stderr,
                      re.S)
    if table is None:
        return {}
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", table.group(1), re.M)}


def test_every_run_is_a_row_and_skips_carry_their_reason(study):
    rows = pd.read_csv(study / "results" / "runs.csv")
    assert (pd.read_parquet(study / "results" / "runs.parquet").shape == rows.shape)
    # a disturbed attempt redone on a busy host stays a row, flagged and not used
    earlier = rows["used"].eq(False) & rows["status"].eq("ok")
    assert rows.loc[earlier, "disturbed"].all()
    runs = rows[~earlier]
    assert len(runs) == 2 * 2 * 2 * 2
    assert not runs.duplicated(["impl", "dtype", "batch", "threads", "repeat"]).any()
    ok, skipped = runs[runs["status"] == "ok"], runs[runs["status"] == "skipped"]
    assert len(ok) == len(skipped) == 8
    assert (skipped["threads"] == 64).all()
    assert skipped["reason"].str.contains("needs 64 CPUs").all()
    assert (ok["epoch_wall_s_median"] > 0).all() and (ok["provenance_runner"] == "local").all()
    assert ok["test_accuracy"].between(0, 1).all()
    epochs = pd.read_csv(study / "results" / "epochs.csv")
    assert len(epochs) == (len(ok) + earlier.sum()) * TINY["epochs"]
    assert epochs["used"].sum() == len(ok) * TINY["epochs"]


def test_timed_runs_did_not_overlap_and_followed_the_shuffled_plan(study):
    runs = pd.read_csv(study / "results" / "runs.csv")
    ok = runs[runs["status"] == "ok"].sort_values("t_start")
    assert (ok["t_start"].to_numpy()[1:] >= ok["t_end"].to_numpy()[:-1]).all()
    plan = pd.read_csv(study / "results" / "plan.csv")  # one row per process
    assert len(plan) == runs["process"].nunique() and plan["order_seed"].nunique() == 1
    # the processes ran in their planned order (skips are interleaved in the plan too)
    assert list(ok["order_planned"]) == sorted(ok["order_planned"])


def test_claims_and_statistics_exist(study):
    claims = pd.read_csv(study / "results" / "claims.csv")
    assert list(claims.columns) == mlpbench_claims.COLUMNS and len(claims) == 7
    assert set(claims["verdict"]) <= set(verdicts.VERDICTS)
    efficiency = pd.read_csv(study / "results" / "efficiency.csv").set_index("origin")
    assert 0 < efficiency.loc["all", "timed_share"] < 1
    cells = pd.read_csv(study / "results" / "cells.csv")
    assert {"median_s", "iqr_s", "cv", "cv_warning"} <= set(cells.columns)
    assert {"fraction_of_peak", "achieved_gflops_median"} <= set(cells.columns)
    overhead = pd.read_csv(study / "results" / "overhead.csv")  # no native runs: headers only
    assert overhead.empty and "ratio" in overhead.columns
    assert (study / "results" / "tables" / "peak.html").exists()
    for fig in FIGURES:
        assert (study / fig.path).stat().st_size > 0
    for page in PAGES:
        assert "<table" in (study / page.path).read_text()
    against = pd.read_csv(study / "results" / "findings.csv")
    assert set(against["key"]) == set(claims["key"])  # every claim, archived or not
    assert (study / "results" / "opening.rst").read_text().startswith("The answer on this")


def test_every_rule_that_ran_left_its_log(study):
    """Snakemake's own summary: each output of this study with the log its job wrote (the
    rules the tiny study does not run, data, pilot and the images, are the lint's to check)."""
    summary = snakemake(study, "--summary", "--configfile", str(study / "tiny.yaml")).stdout
    header, *rows = [line.split("\t") for line in summary.splitlines() if "\t" in line]
    output, rule, log = (header.index(c) for c in ("output_file", "rule", "log-file(s)"))
    logs = {}
    for row in rows:
        if not Path(row[output]).is_absolute():  # made here, not the shared data
            logs.setdefault(row[rule], set()).update(f for f in row[log].split(",") if f != "-")
    assert {"design", "plan", "bench", "adapt", "gather", "stats", "overhead",
            "between_studies", "claims", "findings", "calibration", "figures",
            "tables"} <= set(logs)
    assert (study / "logs" / "runner.log").exists()  # the summary leaves out the runner check
    for name, files in logs.items():
        assert files, f"rule {name} ran without a log"
        assert all((study / f).exists() for f in files), (name, files)


def test_rerun_redoes_only_what_is_missing(study):
    config = str(study / "tiny.yaml")
    done = snakemake(study, "-n", "--configfile", config)
    assert "Nothing to be done" in done.stdout + done.stderr
    # the state an interruption leaves: some records missing, nothing gathered yet
    (study / "results" / "runs" / "cpu" / "numpy-step2" / "float32" / "b250_t1_r2.json").unlink()
    (study / "results" / "runs.csv").unlink()
    jobs = planned_jobs(snakemake(study, "-n", "--configfile", config))
    assert jobs.get("bench") == 1 and "plan" not in jobs and "data" not in jobs
    assert jobs.get("gather") == 1


def test_a_crashing_run_becomes_an_error_row_and_the_study_finishes(tmp_path):
    bad = tmp_path / "baddata"
    bad.mkdir()
    (bad / "mnist.npz").write_bytes(b"not an npz file")
    tiny_study(tmp_path, implementations=["numpy-step2"], batches=[100], threads=[1],
               repeats=1, report=None, data={"dir": str(bad), "source": None})
    runs = pd.read_csv(tmp_path / "results" / "runs.csv")
    assert list(runs["status"]) == ["error"]
    assert runs["reason"].iloc[0].startswith("exit status")
    assert "mlpbench run" in runs["reason"].iloc[0]  # the tail of the runner's stderr
    assert (tmp_path / "results" / "claims.csv").exists()
    # the data mended (its date kept): the error record counts as done, until redo_errors
    mtime = (bad / "mnist.npz").stat().st_mtime
    (bad / "mnist.npz").write_bytes((ROOT / "data" / "mnist.npz").read_bytes())
    os.utime(bad / "mnist.npz", (mtime, mtime))
    config = str(tmp_path / "tiny.yaml")
    done = snakemake(tmp_path, "-n", "--configfile", config)
    assert "Nothing to be done" in done.stdout + done.stderr
    redo = snakemake(tmp_path, "-n", "--configfile", config, "--config", "redo_errors=true")
    assert "1 error record(s) would be removed" in redo.stderr  # a dry run removes nothing
    assert list(pd.read_csv(tmp_path / "results" / "runs.csv")["status"]) == ["error"]
    redone = snakemake(tmp_path, "--cores", "2", "--configfile", config, "--config",
                       "redo_errors=true")
    assert "redo_errors: 1 error record(s) removed" in redone.stderr
    assert list(pd.read_csv(tmp_path / "results" / "runs.csv")["status"]) == ["ok"]


@pytest.mark.parametrize("override, words", [
    ("batchs=[5]", "unknown config key 'batchs'"),
    ("implementations=[numpy-fsat]", "unknown implementation 'numpy-fsat'"),
    ("repeats=0", "repeats: 0 is less than the minimum of 1"),
    ("batches=[many]", "batches[0]"),
])
def test_a_bad_config_stops_before_any_job(tmp_path, override, words):
    proc = snakemake(tmp_path, "-n", "--configfile", str(ROOT / "config" / "config.yaml"),
                     "--config", override, check=False)
    assert proc.returncode != 0
    assert words in proc.stdout + proc.stderr
    assert "rule bench" not in proc.stdout + proc.stderr


def test_lint_is_clean_but_for_the_accepted_lint():
    proc = snakemake(Path(ROOT), "--lint", check=False)
    lints = workflow_lint.parse(proc.stdout + proc.stderr)
    assert lints, "expected at least the accepted conda/container lint"
    assert {title for _, title in lints} <= set(workflow_lint.ACCEPTED)


def test_lint_parser_reads_snakemakes_text():
    text = ("Lints for rule bench (line 21, x.smk):\n"
            "    * Param outdir is a prefix of input or output file but hardcoded:\n"
            "      details\n")
    assert workflow_lint.parse(text) == [
        ("rule bench (line 21, x.smk)",
         "Param outdir is a prefix of input or output file but hardcoded")]


def test_the_readmes_override_narrows_the_grid(tmp_path):
    proc = snakemake(tmp_path, "-n", "--configfile", str(ROOT / "config" / "config.yaml"),
                     "--config", "batches=[500,1000]", "threads=[1]", "design=fixed",
                     check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Invalid configuration" not in proc.stdout + proc.stderr


def test_a_dry_run_and_lint_run_no_external_program(tmp_path):
    """Parsing the workflow asks nothing of Docker or the GPU: a job (the runner checkpoint)
    does. A fake docker and nvidia-smi on PATH record any call."""
    calls = tmp_path / "calls.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("docker", "nvidia-smi", "git"):
        fake = bin_dir / tool
        fake.write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\nexit 1\n')
        fake.chmod(0o755)
    env_path = f"{bin_dir}:{os.environ['PATH']}"
    for args in (["-n", "--config", "runner=auto", "devices=[cpu,gpu]"], ["--lint"]):
        proc = subprocess.run(
            [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
             "--directory", str(tmp_path), *args],
            cwd=ROOT, env={**os.environ, "PATH": env_path}, capture_output=True, text=True,
            timeout=300, check=False)
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert not calls.exists(), calls.read_text()
