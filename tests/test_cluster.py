"""Hardware identity, the node-local timing lock and the cluster checks, on synthetic records."""

import fcntl
import os

import pandas as pd
import pytest
from synthetic import PROVENANCE, record

from mlpbench.analysis import gather, hardware, overhead
from mlpbench.report import pages
from mlpbench.study import node
from mlpbench.tools import cluster_check


def on_machine(rec, cpu_model="Test CPU", gpus=()):
    rec["provenance"] = {**PROVENANCE, "cpu_model": cpu_model}
    rec["gpus"] = list(gpus)
    return rec


def test_fingerprint_names_cpu_count_blas_kernel_and_gpus():
    rec = on_machine(record(), gpus=["NVIDIA H100", "NVIDIA H100"])
    assert hardware.fingerprint(rec) == "Test CPU, 4 CPUs, Haswell, 2 x NVIDIA H100"
    assert hardware.fingerprint(on_machine(record())).endswith(", no GPU")
    assert hardware.fingerprint(record(status="skipped") | {"provenance": None}) is None


def test_runs_from_other_hardware_are_never_pooled():
    # two runs on the main machine, one on another: the statistics see only the main's
    recs = [on_machine(record(repeat=1, times=[1.0] * 3)),
            on_machine(record(repeat=2, times=[1.1] * 3)),
            on_machine(record(repeat=3, times=[5.0] * 3), cpu_model="Other CPU")]
    main = hardware.mark(recs)
    assert main.startswith("Test CPU")
    epochs = gather.epochs_table(recs)
    assert set(gather.timed(epochs)["repeat"]) == {1, 2}
    runs = gather.runs_table(recs)
    assert list(runs["hardware_main"]) == [True, True, False]
    page, title, _ = pages.hardware({"runs": runs})
    assert len(page) == 2 and "2 kinds of hardware" in title
    assert list(page["used_in_statistics"]) == [True, False]


def test_identity_names_the_slurm_job(monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    ident = node.identity()
    assert ident["slurm_job_id"] == "42" and ident["node"] and isinstance(ident["gpus"], list)
    monkeypatch.delenv("SLURM_JOB_ID")
    assert node.identity()["slurm_job_id"] is None


def test_timing_lock_excludes_a_second_holder(tmp_path):
    path = tmp_path / "timing.lock"
    with node.timing_lock(path):
        fd = os.open(path, os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    assert oct(path.stat().st_mode & 0o777) == "0o666"  # another user's study waits too
    fd = os.open(path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released
    os.close(fd)


def runs_at(*spans, job=7):
    rows = [{"node": "n1", "process": f"p{i}", "slurm_job_id": job + i, "t_start": a,
             "t_end": b} for i, (a, b) in enumerate(spans)]
    return pd.DataFrame(rows)


def test_overlapping_timed_processes_are_found():
    assert cluster_check.overlaps(runs_at((0, 10), (10, 20), (25, 30))) == []
    assert cluster_check.overlaps(runs_at((0, 10), (9, 20))) == [("n1", "p0", "p1")]
    two_nodes = pd.concat([runs_at((0, 10)), runs_at((5, 8)).assign(node="n2")])
    assert cluster_check.overlaps(two_nodes) == []


def test_runs_without_a_job_are_found():
    runs = runs_at((0, 1), (2, 3))
    runs.loc[1, "slurm_job_id"] = None
    assert list(cluster_check.without_job(runs)["process"]) == ["p1"]


def test_container_overhead_needs_the_same_hardware():
    docker = [on_machine(record(runner="docker", repeat=r)) for r in (1, 2)]
    native = [on_machine(record(runner="local", repeat=r), cpu_model="Other CPU") for r in (1, 2)]
    hardware.mark(docker), hardware.mark(native)
    gap = overhead.overhead_gap(gather.runs_table(docker), gather.runs_table(native))
    assert gap.startswith("the native runs timed other hardware (Other CPU")
    same = [on_machine(record(runner="local", repeat=r)) for r in (1, 2)]
    hardware.mark(same)
    assert overhead.overhead_gap(gather.runs_table(docker), gather.runs_table(same)) is None


def test_runs_outside_the_recorded_image_are_found():
    image = "sha256:" + "ab" * 32
    runs = pd.DataFrame({"runner": ["docker", "docker", "local"],
                         "image_digest": [image, "sha256:" + "cd" * 32, None]})
    assert list(cluster_check.not_in_image(runs, image).index) == [1, 2]
