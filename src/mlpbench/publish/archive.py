"""Write one finished study into the published findings: findings/<hardware>/<study>/.

    mlpbench archive [--results results] [--findings findings] [--config-name NAME]

The folder holds what a reader or a later analysis needs and nothing that can be regenerated
at will (no HTML report): the claims, per-cell statistics, ranking, the article-versus-us
table, the design, the efficiency and warm-up tables as they are; every attempt of every run
(runs.csv) and every timed epoch (epochs.csv), gzipped; and machine.json: the hardware, its
software, the image IDs, the locks' hashes, the revision, the config as run, when and how long
it ran and the load at its start. <study> is "<date>-<time>-<config>-<short revision>".

It refuses, in one line each: a study that did not finish, results from a tree with
uncommitted changes to what is measured (or from another revision than the tree's), a folder
that exists already, and a folder over MAX_BYTES.
"""

import datetime
import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import yaml

from mlpbench.analysis import archive, gather, hardware
from mlpbench.measure.provenance import VERSIONS
from mlpbench.report import article

COPIED = ("claims.csv", "cells.csv", "ranking.csv", "efficiency.csv", "warmup.csv",
          "design.json")
GZIPPED = ("runs.csv", "epochs.csv")
ARTICLE = "article.csv"
MAX_BYTES = 2 * 2**20
# Tracked files whose change does not change what is measured: the archive and the prose
NOT_MEASURED = (f":(exclude){archive.ROOT}", ":(exclude)FINDINGS.md", ":(exclude)*.md")


class Refused(Exception):
    """The study cannot be archived; the message is one line saying why."""


def _git(repo, *args):
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise Refused(f"{repo} is not a git checkout: cannot tell what was measured")
    return proc.stdout.strip()


def finished(results):
    """Refused unless results/ holds a study that finished: results/config.yaml, written when
    a study succeeds, newer than its start (results/machine.json), and every archived table."""
    start, end = results / "machine.json", results / "config.yaml"
    if not start.exists():
        raise Refused(f"{results}: no machine.json, so no study started here with this workflow")
    if not end.exists() or end.stat().st_mtime < start.stat().st_mtime:
        raise Refused(f"{results}: the study did not finish (config.yaml, written when it "
                      "does, is missing or older than its start)")
    missing = [n for n in (*COPIED, *GZIPPED) if not (results / n).exists()]
    if missing:
        raise Refused(f"{results}: the study did not finish ({', '.join(missing)} missing)")


def revision(runs, repo):
    """The revision every run measured, refused when the runs disagree, a run saw a dirty tree,
    or the tree now differs from it in what is measured."""
    revisions = set(runs["provenance_git_revision"].dropna())
    if len(revisions) != 1:
        raise Refused(f"the runs name {len(revisions)} git revisions, not one")
    rev = revisions.pop()
    if runs.get("provenance_git_dirty", pd.Series(dtype=object)).fillna(False).astype(bool).any():
        raise Refused("some runs measured a tree with uncommitted changes")
    head = _git(repo, "rev-parse", "HEAD")
    if head != rev:
        raise Refused(f"the runs measured {rev[:7]} but {repo} is at {head[:7]}")
    changed = _git(repo, "diff", "--name-only", "HEAD", "--", ".", *NOT_MEASURED)
    if changed:
        raise Refused(f"uncommitted changes to what is measured in {repo}: "
                      f"{', '.join(changed.splitlines())}")
    return rev


def _covers(run_config, file_config):
    """Whether a config file's every key has the run's value (implementations: the file's
    list, plus any of its when_installed that the host had)."""
    for key, value in file_config.items():
        have = run_config.get(key)
        if key == "implementations":
            extra = set(have or []) - set(value)
            if not set(value) <= set(have or []) or not extra <= set(
                    file_config.get("when_installed") or run_config.get("when_installed") or []):
                return False
        elif have != value:
            return False
    return True


def config_name(run_config, config_dir):
    """The config file the study ran: the one named config.yaml is "default", under any other
    file's keys; refused when none matches, or several do."""
    files = {p.stem: yaml.safe_load(p.read_text()) for p in sorted(config_dir.glob("*.yaml"))}
    default = files.pop("config", {})
    named = [name for name, cfg in files.items() if _covers(run_config, {**default, **cfg})]
    if len(named) == 1:
        return named[0]
    if not named and _covers(run_config, default):
        return "default"
    raise Refused(f"the study's config matches {' and '.join(named) or 'no file'} in "
                  f"{config_dir}; name it with --config-name")


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _gzip(src, dst):
    """gzip without a timestamp or file name: the same table gives the same bytes."""
    with open(src, "rb") as f, open(dst, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        shutil.copyfileobj(f, out)


def _first(runs, column):
    values = runs[column].dropna() if column in runs else []
    return values.iloc[0] if len(values) else None


def describe(results, repo, runs, rev, name, run_config, hw):
    """machine.json: the study's machine, software, images, locks, revision, config and time."""
    start = json.loads((results / "machine.json").read_text())
    begun = datetime.datetime.fromisoformat(start["date"])
    ended = datetime.datetime.fromtimestamp((results / "config.yaml").stat().st_mtime,
                                            datetime.UTC)
    images = {p.stem: {k: json.loads(p.read_text()).get(k) for k in ("image_id", "base")}
              for p in sorted((results / "images").glob("*.json")) if p.stem != "base"}
    timed = gather.timed(runs)
    return {
        "hardware": hw["name"], "fingerprint": hw["fingerprint"],
        "cpu_model": hw["cpu_model"], "cpus": hw["cpus"], "cpu_flags": start.get("cpu_flags"),
        "memory_gib": start.get("memory_gib"), "kernel": start.get("kernel"),
        "platform": start.get("platform"), "blas": hw["blas"], "gpus": hw["gpus"],
        "docker": start.get("docker"), "runners": sorted(set(timed["runner"].dropna())),
        "images": images, "image_ids": sorted(set(timed["image_digest"].dropna())),
        "versions": {v: _first(timed, f"provenance_{v}") for v in VERSIONS},
        "locks": {p.stem: _sha256(p) for p in sorted((repo / "envs").glob("*.lock"))},
        "git_revision": rev, "config_name": name, "config": run_config,
        "date": start["date"], "finished": ended.isoformat(timespec="seconds"),
        "duration_s": round((ended - begun).total_seconds()),
        "load_at_start": {"load_average": start.get("load_average"),
                          "busy": start.get("busy_at_start"),
                          "report": start.get("load_report")},
        "host": start.get("host"),
    }


def folder_name(date, name, rev):
    when = datetime.datetime.fromisoformat(date).astimezone(datetime.UTC)
    return f"{when:%Y-%m-%d-%H%M}-{name}-{rev[:7]}"


def write(results="results", root=archive.ROOT, name=None):
    """Archive the finished study in results/ (of the checkout holding it) under root; returns
    the folder. Raises Refused, leaving nothing behind."""
    results = Path(results).resolve()
    repo = results.parent
    finished(results)
    runs = pd.read_csv(results / "runs.csv", low_memory=False,
                       dtype={"provenance_git_revision": str})
    rev = revision(runs, repo)
    hw = hardware.of_runs(runs)
    if hw is None:
        raise Refused(f"{results}: no run recorded its hardware")
    run_config = yaml.safe_load((results / "config.yaml").read_text())
    name = name or config_name(run_config, repo / "config")
    machine = describe(results, repo, runs, rev, name, run_config, hw)
    folder = Path(root) / hw["name"] / folder_name(machine["date"], name, rev)
    if folder.exists():
        raise Refused(f"{folder} exists already")
    folder.mkdir(parents=True)
    try:
        for table in COPIED:
            shutil.copyfile(results / table, folder / table)
        for table in GZIPPED:
            _gzip(results / table, folder / f"{table}.gz")
        epochs = pd.read_csv(results / "epochs.csv")
        article.table(gather.timed(epochs), runs).to_csv(folder / ARTICLE, index=False)
        (folder / archive.MACHINE).write_text(json.dumps(machine, indent=1, default=str) + "\n")
        size = sum(p.stat().st_size for p in folder.iterdir())
        if size > MAX_BYTES:
            raise Refused(f"the folder would hold {size / 2**20:.1f} MiB, over "
                          f"{MAX_BYTES / 2**20:.0f} MiB")
    except BaseException:
        shutil.rmtree(folder)
        raise
    return folder
