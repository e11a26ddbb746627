"""Where a result came from: hardware, BLAS, versions, revision, container image."""

import importlib.metadata
import os
import platform
import socket
import subprocess
from pathlib import Path

# the instruction-set flags that decide which BLAS kernels run
RELEVANT_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
                  "avx512_bf16", "amx_tile")


def cpu_info():
    model, flags = platform.processor() or "unknown", []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = value.split()
                break
    except OSError:
        pass
    return {"cpu_model": model, "cpu_flags": [f for f in RELEVANT_FLAGS if f in flags]}


def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def git_revision(root=None):
    """(revision, dirty) of the checkout at root: by default the tree the study runs in, which
    its launcher names in MLPBENCH_REPO, else the working directory (never where the package
    was installed from: one environment may serve several checkouts)."""
    root = root or os.environ.get("MLPBENCH_REPO") or os.getcwd()
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        rev = dirty = None
    if rev is None or rev.returncode != 0:
        # inside an image there is no .git: the build passes the revision in
        return os.environ.get("MLPBENCH_GIT_REVISION"), None
    return rev.stdout.strip(), bool(dirty.stdout.strip())


# the software whose version every record names (provenance_<name>)
VERSIONS = ("python", "numpy", "tensorflow", "keras", "jax", "jaxlib", "torch", "threadpoolctl",
            "mlpbench")


def _version(name):
    from mlpbench import __version__

    if name == "python":
        return platform.python_version()
    if name == "mlpbench":
        return __version__
    if name == "tensorflow":
        return version("tensorflow-cpu") or version("tensorflow")
    return version(name)


def collect(blas_info):
    """Everything a reader needs to trace a result back to its machine and software."""
    revision, dirty = git_revision()
    return {
        **cpu_info(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "blas": blas_info,
        **{name: _version(name) for name in VERSIONS},
        "git_revision": revision,
        "git_dirty": dirty,
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "runner": os.environ.get("MLPBENCH_RUNNER", "local"),
        "image_digest": os.environ.get("MLPBENCH_IMAGE_DIGEST") or None,
    }
