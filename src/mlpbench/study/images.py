"""Build one mlpbench image (cpu, cuda or torch) offline from hashed wheelhouses; describe it.

Three steps, one rule each in workflow/rules/images.smk (scripts image_base.py, wheelhouse.py
and image.py):

    base       which base image to build on (study/image_base.py): the registry's or one made
               from Debian's archive. Writes a small JSON saying which was used.
    wheelhouse pip download --require-hashes --only-binary=:all: of envs/LOCK.lock, on the host
    image      docker build from a staged context (the image's wheelhouses and locks, the
               package source and a verified mnist.npz for the test stage): first --target
               test (runs one tiny `mlpbench run` per test implementation), then the runtime
               image; writes results/images/NAME.json with the image ID, base, build args and
               hashes.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mlpbench.measure.provenance import git_revision
from mlpbench.measure.records import write_atomic
from mlpbench.study import image_archive
from mlpbench.study.docker import image_inspect
from mlpbench.study.image_archive import sha256_file

DOCKERFILE = "docker/Dockerfile"  # in the tree the workflow runs in (its `repo`)
# Wheels that run on Debian 12 (glibc 2.36), x86_64: pip matches --platform tags exactly.
PLATFORMS = (["manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"]
             + [f"manylinux_2_{n}_x86_64" for n in range(5, 37)])


@dataclass(frozen=True)
class Image:
    """What an image holds: its locks (installed in this order), the Debian packages it adds,
    and the implementations its test stage runs one tiny cell of."""

    locks: tuple
    apt: tuple = ()
    test_impls: tuple = ("numpy-step2", "tf-loop", "jax-jit")


IMAGES = {
    "cpu": Image(locks=("cpu",)),
    "cuda": Image(locks=("cuda",)),
    # PyTorch is opt-in: built only for a study with a torch implementation (image_for)
    "torch": Image(locks=("cpu", "torch"), apt=("g++", "python3-dev"),
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

def _link_tree(src, dst, dirs_exist_ok=False):
    """Hard links where the filesystem allows them (the wheelhouse is GBs), copies elsewhere."""
    def link(s, d):
        try:
            os.link(s, d)
        except FileExistsError:
            pass  # the same wheel from another lock of the image (hash-checked by both)
        except OSError:
            shutil.copy2(s, d)
    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=dirs_exist_ok,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))


def stage_context(image, locks, wheelhouses, data, where, repo):
    """A build context holding exactly what docker/Dockerfile copies, from the tree at repo:
    the locks, and their wheelhouses as one folder."""
    repo = Path(repo)
    ctx = Path(tempfile.mkdtemp(prefix=f"context-{image}-", dir=where))
    (ctx / "docker").mkdir()
    shutil.copy2(repo / DOCKERFILE, ctx / "docker" / "Dockerfile")
    (ctx / "envs").mkdir()
    for lock in locks:
        shutil.copy2(lock, ctx / "envs" / Path(lock).name)
    for name in ("pyproject.toml", "README.md"):
        src = repo / name
        if src.exists():
            shutil.copy2(src, ctx / name)
        else:
            (ctx / name).write_text("")
    _link_tree(repo / "src", ctx / "src")
    for wheelhouse in wheelhouses:
        _link_tree(wheelhouse, ctx / "wheelhouse", dirs_exist_ok=True)
    (ctx / "testdata").mkdir()
    shutil.copy2(data, ctx / "testdata" / "mnist.npz")
    return ctx


def build_image(image, locks, wheelhouses, base, data, out, repo, tag=None, archive=None):
    """docker build --target test, then the runtime image, from the tree at repo (the
    workflow's, never the package's install location); record it in `out` (JSON), and save it
    to `archive` (a .tar.gz that nodes without the image load it from) when given."""
    repo = Path(repo).resolve()
    spec = IMAGES[image]
    base = json.loads(Path(base).read_text()) if not isinstance(base, dict) else base
    tag = tag or f"mlpbench:{image}"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    build_args = {"BASE_IMAGE": base["image"], "IMAGE": image,
                  "LOCKS": " ".join(Path(lock).stem for lock in locks),
                  "APT_PACKAGES": " ".join(spec.apt), "TEST_IMPLS": " ".join(spec.test_impls),
                  "GIT_REVISION": git_revision(repo)[0] or ""}
    ctx = stage_context(image, locks, wheelhouses, data, out.parent, repo)
    started = time.monotonic()
    try:
        common = ["docker", "build", "--file", ctx / "docker" / "Dockerfile"]
        for key, value in build_args.items():
            common += ["--build-arg", f"{key}={value}"]
        run([*common, "--target", "test", "--tag", f"{tag}-test", ctx])
        run([*common, "--target", "runtime", "--tag", tag, ctx])
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
    seconds = time.monotonic() - started
    subprocess.run(["docker", "image", "rm", f"{tag}-test"], capture_output=True)
    record = {
        "image": tag,
        "image_id": image_inspect(tag),
        "size_bytes": int(image_inspect(tag, "{{.Size}}")),
        "name": image,
        "base": base,
        "build_args": build_args,
        "dockerfile": DOCKERFILE,
        "dockerfile_sha256": sha256_file(repo / DOCKERFILE),
        "locks": {str(Path(lock).resolve().relative_to(repo)): sha256_file(lock)
                  for lock in locks},
        "wheels": sum(len(list(Path(w).iterdir())) for w in wheelhouses),
        "test_stage": "passed",
        "build_seconds": round(seconds, 1),
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if archive:
        started = time.monotonic()
        digest, size = image_archive.save(tag, archive)
        record.update(archive=str(archive), archive_sha256=digest, archive_bytes=size)
        log(f"{tag}: saved to {archive} ({size / 1e6:.0f} MB, "
            f"{time.monotonic() - started:.0f} s)")
    write_atomic(record, out)
    log(f"{tag}: {record['image_id']} ({record['size_bytes'] / 1e6:.0f} MB, {seconds:.0f} s)")
    return record

