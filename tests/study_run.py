"""Run the real workflow on a tiny grid in a temporary directory (for the slow tests)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

TINY = {
    "implementations": ["numpy-step1", "numpy-step2"],
    "when_installed": [],  # the two above, whatever the host has
    "dtypes": ["float32"],
    "batches": [100, 250],
    "threads": [1, 64],  # 64: more than this machine has -> skipped with the reason
    "design": "fixed",
    "repeats": 2,
    "epochs": 2,
    "max_extra_runs": 0,
    "warmup_epochs": 0,
    "subset": 1000,
    "timeout_s": 300,
    "runner": "local",  # the workflow's logic; the containers have their own checks
    "data": {"dir": str(ROOT / "data"), "source": None},
}


def snakemake(workdir, *args, check=True):
    """`snakemake` on the repository's Snakefile, run in workdir with its default profile."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
         "--directory", str(workdir), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stderr[-5000:]}")
    return proc


def tiny_study(workdir, **overrides):
    """Write the tiny config into workdir and run the study there; return the workdir."""
    workdir = Path(workdir)
    shutil.copytree(ROOT / "config", workdir / "config", dirs_exist_ok=True)
    config = {**TINY, **overrides}
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(config))
    snakemake(workdir, "--cores", "2", "--configfile", str(workdir / "tiny.yaml"))
    return workdir
