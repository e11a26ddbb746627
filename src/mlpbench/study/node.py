"""The node a timed process runs on: its name, its SLURM job, its GPUs, and its timing lock.

The launcher runs on the node itself (outside any container), so it is the one to ask: inside
a container the host name is the container's. Every record carries what `identity()` returns.

The timing lock serialises the timed processes of one node, whichever study or user started
them. It lives in node-local temporary storage (/tmp by default): a lock file on a shared file
system would either serialise every node of a cluster or, where the file system's locks are
not coherent, nothing. On SLURM, `--exclusive` (profiles/slurm) is what keeps other jobs off
a timed job's node; the lock also covers timed processes started outside SLURM.
"""

import fcntl
import os
import shutil
import socket
import subprocess
from contextlib import contextmanager
from functools import cache
from pathlib import Path

NVIDIA_SMI_TIMEOUT_S = 20


@cache
def gpus():
    """The GPU models nvidia-smi lists on this node, one per GPU ([] where there is none)."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=NVIDIA_SMI_TIMEOUT_S,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()] \
        if out.returncode == 0 else []


def identity():
    """node, slurm_job_id (None outside SLURM) and gpus: fields of every record."""
    return {"node": socket.gethostname(), "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
            "gpus": gpus()}


@contextmanager
def timing_lock(path):
    """Hold the node's exclusive timing lock at `path` (created readable and writable by all,
    so that another user's study waits for it too)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, 0o666)  # the umask narrowed the mode it was created with
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
