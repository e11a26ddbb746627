"""Build one mlpbench image (cpu, cuda or torch) offline, without a Docker daemon, so that the
same inputs give the same image ID; describe it, load it and run its test stage.

Three steps, one rule each in workflow/rules/images.smk (scripts image_base.py, wheelhouse.py
and image.py):

    base       Debian 12 from its archive by mmdebstrap (study/rootfs.py), the same bytes each
               time; one line says whether its packages are the committed envs/BASE.packages.txt
    wheelhouse pip download --require-hashes --only-binary=:all: of envs/LOCK.lock, on the host
    image      the layers and the archive (study/reproducible.py: base, wheels, package), whose
               ID is the SHA-256 of its config; then `docker load` and the test stage, run in
               the loaded image (one tiny `mlpbench run` per test implementation); writes
               results/images/NAME.json with the ID, the layers' digests, the base's check and
               the inputs' hashes. `image_verify rebuild` later adds whether a rebuild from a
               fresh clone gave the same ID (`reproduced`).
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mlpbench.measure.provenance import git_revision
from mlpbench.measure.records import write_atomic
from mlpbench.study import image_archive, reproducible
from mlpbench.study.docker import image_inspect, isolated_run
from mlpbench.study.image_archive import sha256_file

# Wheels that run on Debian 12 (glibc 2.36), x86_64: pip matches --platform tags exactly.
PLATFORMS = (["manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"]
             + [f"manylinux_2_{n}_x86_64" for n in range(5, 37)])


@dataclass(frozen=True)
class Image:
    """What an image holds: its base (study.rootfs.BASES), its locks (installed in this order),
    and the implementations its test stage runs one tiny cell of."""

    locks: tuple
    base: str = "base"
    test_impls: tuple = ("numpy-step2", "tf-loop", "jax-jit")


IMAGES = {
    "cpu": Image(locks=("cpu",)),
    "cuda": Image(locks=("cuda",)),
    # PyTorch is opt-in: built only for a study with a torch implementation (image_for)
    "torch": Image(locks=("cpu", "torch"), base="base-dev",
                   test_impls=("numpy-step2", "torch-eager", "torch-compile")),
}
LOCKS = sorted({lock for image in IMAGES.values() for lock in image.locks})


def image_for(impl, device):
    """The image a timed run of impl on device runs in (GPU cells: the CUDA image, where an
    implementation whose framework it lacks is recorded as skipped with the reason)."""
    from mlpbench.measure.implementations import REGISTRY

    if device == "gpu":
        return "cuda"
    return "torch" if "torch" in REGISTRY[impl].requires else "cpu"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def run(argv, **kw):
    log("$ " + " ".join(map(str, argv)))
    kw.setdefault("stdout", sys.stderr)  # the tools' output into the job's log
    kw.setdefault("stderr", sys.stderr)
    return subprocess.run([str(a) for a in argv], check=True, **kw)


# --- wheelhouse --------------------------------------------------------------------------------

def pip_env():
    """pip as on a fresh machine: the lock's indexes only, no local indexes or constraints."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def local_find_links():
    """Folders of wheels that this machine's pip configuration names. They may say where a
    file comes from, never which: --require-hashes checks each against the lock."""
    done = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.find-links"],
                          capture_output=True, text=True)
    links = done.stdout.split() if done.returncode == 0 else []
    links += os.environ.get("PIP_FIND_LINKS", "").split()
    return [link for link in dict.fromkeys(links) if Path(link.removeprefix("file://")).exists()]


def download_wheelhouse(lock, dest):
    """Every file of the lock, checked against its hashes, for Linux x86_64 CPython 3.11."""
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)  # kept between tries: pip skips what is there
    run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
         "--require-hashes", "--only-binary=:all:", "--no-deps",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         *[arg for tag in PLATFORMS for arg in ("--platform", tag)],
         *[arg for link in local_find_links() for arg in ("--find-links", link)],
         "--dest", tmp, "-r", lock], env=pip_env())
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return sorted(p.name for p in dest.iterdir())


# --- image -------------------------------------------------------------------------------------

TEST_STAGE = "docker/test-stage.sh"  # in the tree the workflow runs in (its `repo`)


def test_stage(image_id, test_impls, data, repo, docker="docker"):
    """Run the test stage (repo's docker/test-stage.sh) in the loaded image, as the calling
    user, with no network (docker="podman": in podman)."""
    run([*isolated_run(docker),
         "--user", f"{os.getuid()}:{os.getgid()}", "--env", "HOME=/tmp", "--workdir", "/tmp",
         "--env", f"TEST_IMPLS={' '.join(test_impls)}",
         "--volume", f"{Path(data).resolve()}:/tmp/source/mnist.npz:ro",
         "--volume", f"{Path(repo).resolve() / TEST_STAGE}:/tmp/test-stage.sh:ro",
         "--entrypoint", "/bin/bash", image_id, "/tmp/test-stage.sh"])


def build_image(image, locks, wheelhouses, base_tar, base, data, out, repo, archive,
                runtime="docker"):
    """Build the image from the tree at repo (the workflow's, never the package's install
    location) into `archive`, load it into the runtime (docker or podman), run its test stage
    there, and record it in `out` (JSON)."""
    repo = Path(repo).resolve()
    spec = IMAGES[image]
    base = json.loads(Path(base).read_text()) if not isinstance(base, dict) else base
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    revision, dirty = git_revision(repo)
    started = time.monotonic()
    image_id, diff_ids, inputs = reproducible.build(base_tar, locks, wheelhouses, repo, archive,
                                                    image, spec.base, work=out.parent)
    seconds = time.monotonic() - started
    log(f"mlpbench:{image}: {image_id}, archive {archive} ({seconds:.0f} s)")
    returncode, said = image_archive.load(archive, runtime)
    log(said.strip())
    if returncode != 0 or image_inspect(image_id, docker=runtime) != image_id:
        raise RuntimeError(f"{runtime} load of {archive} did not give {image_id}")
    test_stage(image_id, spec.test_impls, data, repo, runtime)
    record = {
        "image": f"mlpbench:{image}",
        "image_id": image_id,
        "size_bytes": int(image_inspect(image_id, "{{.Size}}", runtime)),
        "name": image,
        "diff_ids": diff_ids,
        "base": base,
        "locks": {str(Path(lock).resolve().relative_to(repo)): sha256_file(lock)
                  for lock in locks},
        "inputs_sha256": inputs,
        "wheels": sum(len(list(Path(w).iterdir())) for w in wheelhouses),
        # a rebuild (image_verify) clones this revision: uncommitted sources would differ
        "git_revision": revision,
        "git_dirty": dirty,
        "test_stage": f"passed in {runtime}",
        "build_seconds": round(seconds, 1),
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "archive": str(archive),
        "archive_sha256": sha256_file(archive),
        "archive_bytes": Path(archive).stat().st_size,
        "reproduced": None,  # study.image_verify rebuild: a rebuild from a fresh clone
    }
    write_atomic(record, out)
    return record
