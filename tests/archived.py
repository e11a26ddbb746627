"""Finished studies and archive folders made from synthetic records, for the archive's tests.

Test fixtures only: the numbers come from tests/synthetic.py and never reach findings/.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import synthetic
import yaml

from mlpbench.analysis import claims, gather, hardware, ranking, stats, warmup
from mlpbench.measure.records import write_atomic
from mlpbench.study import machine

ROOT = Path(__file__).resolve().parents[1]
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]


def git(repo, *args):
    return subprocess.run([*GIT, "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def clone(tmp_path, name="clone"):
    """A committed checkout with the repository's configs and a lock: what a study runs in."""
    repo = tmp_path / name
    shutil.copytree(ROOT / "config", repo / "config")
    (repo / "envs").mkdir()
    (repo / "envs" / "host.lock").write_text("numpy==2.0 --hash=sha256:00\n")
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a study's sources")
    return repo


def finished_study(repo, config_file=None, scale=None, seed=0):
    """repo/results/ as a finished study leaves it (every table the archive copies, its
    machine.json and config.yaml), from synthetic runs at repo's HEAD; returns results/."""
    records = synthetic.study(seed=seed, scale=scale)
    hardware.mark(records)
    runs = gather.runs_table(records)
    runs["provenance_git_revision"] = git(repo, "rev-parse", "HEAD")
    epochs = gather.epochs_table(records)
    timed = gather.timed(epochs)
    results = repo / "results"
    write_atomic(machine.describe(["load average: 0.1 0.1 0.1 (1, 5, 15 min) on 4 CPUs"],
                                  False), results / "machine.json")
    runs.to_csv(results / "runs.csv", index=False)
    epochs.to_csv(results / "epochs.csv", index=False)
    stats.cells(timed, runs).to_csv(results / "cells.csv", index=False)
    ranking.table(timed).to_csv(results / "ranking.csv", index=False)
    stats.efficiency(runs).to_csv(results / "efficiency.csv", index=False)
    warmup.first_epoch(timed, runs).to_csv(results / "warmup.csv", index=False)
    claims.evaluate(epochs, runs).to_csv(results / "claims.csv", index=False)
    (results / "design.json").write_text(json.dumps({"design": "fixed", "repeats": 3}))
    config = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    if config_file:
        config.update(yaml.safe_load((repo / "config" / config_file).read_text()))
    (results / "config.yaml").write_text(yaml.safe_dump(config))  # last: the study finished
    return results


def folder(root, hardware_name, study, verdicts, config="default", ratio=2.0):
    """An archived study folder with only what analysis.archive reads: machine.json and a
    claims.csv whose claims have the given {key: verdict}."""
    path = Path(root) / hardware_name / study
    path.mkdir(parents=True)
    (path / "machine.json").write_text(json.dumps({
        "hardware": hardware_name, "config_name": config, "date": study[:10] + "T12:00:00+00:00",
        "cpu_model": "Test CPU", "cpus": 4, "memory_gib": 16, "blas": "openblas", "gpus": {},
        "kernel": "6.1"}))
    rows = [{"key": k, "claim": claims.CLAIMS.get(k, k), "verdict": v, "ratio": ratio,
             "ci_low": ratio * 0.9, "ci_high": ratio * 1.1, "threshold": 1.5, "side": "above"}
            for k, v in verdicts.items()]
    pd.DataFrame(rows).to_csv(path / "claims.csv", index=False)
    return path
