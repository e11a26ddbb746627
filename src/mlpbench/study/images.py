"""Build one mlpbench image (cpu or cuda) offline from a hashed wheelhouse, and describe it.

Three steps, which the workflow's rules in workflow/rules/images.smk call one by one (through
workflow/scripts/build_image.py):

    base       which base image to build on: the registry's (pinned in docker/Dockerfile) or
               one made from Debian's archive by docker/build-base.sh; `auto` tries the
               registry first. Writes a small JSON saying which was used.
    wheelhouse pip download --require-hashes --only-binary=:all: of envs/NAME.lock, on the host
    image      docker build from a staged context (the wheelhouse, the lock, the package source
               and a verified mnist.npz for the test stage): first --target test (imports the
               stack, runs one tiny `mlpbench run`), then the runtime image; writes
               results/images/NAME.json with the image ID, base, build args and hashes.
"""

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlpbench.measure.provenance import git_revision
from mlpbench.measure.records import write_atomic
from mlpbench.study.containers import image_inspect

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
BUILD_BASE = ROOT / "docker" / "build-base.sh"
DEBOOTSTRAP_TAG = "mlpbench/base:bookworm-debootstrap"
# Wheels that run on Debian 12 (glibc 2.36), x86_64: pip matches --platform tags exactly.
PLATFORMS = (["manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"]
             + [f"manylinux_2_{n}_x86_64" for n in range(5, 37)])
BASE_MODES = ("auto", "registry", "debootstrap")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run(argv, **kw):
    log("$ " + " ".join(map(str, argv)))
    kw.setdefault("stdout", sys.stderr)  # the tools' output into the job's log
    kw.setdefault("stderr", sys.stderr)
    return subprocess.run([str(a) for a in argv], check=True, **kw)


def default_base(dockerfile=DOCKERFILE):
    """The BASE_IMAGE default that docker/Dockerfile pins (tag@sha256:digest)."""
    m = re.search(r"^ARG BASE_IMAGE=(\S+)$", Path(dockerfile).read_text(), re.M)
    if not m:
        raise SystemExit(f"{dockerfile}: no `ARG BASE_IMAGE=` line")
    return m.group(1)


def pip_env():
    """pip as on a fresh machine: PyPI only, no local find-links, indexes or constraints."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


# --- base --------------------------------------------------------------------------------------

def pull(ref):
    log(f"$ docker pull {ref}")
    proc = subprocess.run(["docker", "pull", ref], capture_output=True, text=True)
    if proc.returncode != 0:
        log(proc.stderr.strip())
    return proc.returncode == 0


def debootstrap_base(tag=DEBOOTSTRAP_TAG, manifest=None, rebuild=False):
    """The Debian-built base: reuse the tagged one (and its package list) unless rebuild."""
    manifest = Path(manifest).resolve() if manifest else None
    if manifest:
        manifest.parent.mkdir(parents=True, exist_ok=True)
    if rebuild or image_inspect(tag) is None or (manifest and not manifest.exists()):
        args = [BUILD_BASE, tag] + ([manifest] if manifest else [])
        run(["bash", *args])
    return image_inspect(tag)


def resolve_base(mode, out, dockerfile=DOCKERFILE):
    """Choose the base and record the choice in `out` (JSON). Returns the record."""
    if mode not in BASE_MODES:
        raise SystemExit(f"base: {mode!r} is not one of {', '.join(BASE_MODES)}")
    out = Path(out)
    registry_ref = default_base(dockerfile)
    record = {"requested": mode, "registry_ref": registry_ref}
    if mode in ("auto", "registry") and pull(registry_ref):
        record.update(used="registry", image=registry_ref, image_id=image_inspect(registry_ref))
    elif mode == "registry":
        raise SystemExit(f"base: registry requested, but `docker pull {registry_ref}` failed")
    else:
        if mode == "auto":
            log("base: the registry did not answer; building the base from Debian's archive")
        manifest = out.with_name(out.stem + ".packages.txt")
        image_id = debootstrap_base(manifest=manifest)
        # FROM takes the tag (BuildKit cannot build FROM a bare image ID); the ID pins it here
        record.update(used="debootstrap", image=DEBOOTSTRAP_TAG, image_id=image_id,
                      tag=DEBOOTSTRAP_TAG, packages=manifest.name,
                      packages_sha256=sha256_file(manifest))
    log(f"base: using the {record['used']} base {record['image']}")
    write_atomic(record, out)
    return record


# --- wheelhouse --------------------------------------------------------------------------------

def download_wheelhouse(lock, dest):
    """Every file of the lock, checked against its hashes, for Linux x86_64 CPython 3.11."""
    dest = Path(dest)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)  # kept between tries: pip skips what is there
    run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
         "--require-hashes", "--only-binary=:all:", "--no-deps",
         "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
         *[arg for tag in PLATFORMS for arg in ("--platform", tag)],
         "--dest", tmp, "-r", lock], env=pip_env())
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return sorted(p.name for p in dest.iterdir())


# --- image -------------------------------------------------------------------------------------

def _link_tree(src, dst):
    """Hard links where the filesystem allows them (the wheelhouse is GBs), copies elsewhere."""
    def link(s, d):
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)
    shutil.copytree(src, dst, copy_function=link,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))


def stage_context(image, lock, wheelhouse, data, where):
    """A build context holding exactly what docker/Dockerfile copies."""
    ctx = Path(tempfile.mkdtemp(prefix=f"context-{image}-", dir=where))
    (ctx / "docker").mkdir()
    shutil.copy2(DOCKERFILE, ctx / "docker" / "Dockerfile")
    (ctx / "envs").mkdir()
    shutil.copy2(lock, ctx / "envs" / f"{image}.lock")
    for name in ("pyproject.toml", "README.md"):
        src = ROOT / name
        if src.exists():
            shutil.copy2(src, ctx / name)
        else:
            (ctx / name).write_text("")
    _link_tree(ROOT / "src", ctx / "src")
    _link_tree(wheelhouse, ctx / "wheelhouse")
    (ctx / "testdata").mkdir()
    shutil.copy2(data, ctx / "testdata" / "mnist.npz")
    return ctx


def build_image(image, lock, wheelhouse, base, data, out, tag=None):
    """docker build --target test, then the runtime image; record it in `out` (JSON)."""
    base = json.loads(Path(base).read_text()) if not isinstance(base, dict) else base
    tag = tag or f"mlpbench:{image}"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    build_args = {"BASE_IMAGE": base["image"], "ENVS": image,
                  "GIT_REVISION": git_revision()[0] or ""}
    ctx = stage_context(image, lock, wheelhouse, data, out.parent)
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
        "envs": image,
        "base": base,
        "build_args": build_args,
        "dockerfile": str(DOCKERFILE.relative_to(ROOT)),
        "dockerfile_sha256": sha256_file(DOCKERFILE),
        "lock": str(Path(lock).resolve().relative_to(ROOT)),
        "lock_sha256": sha256_file(lock),
        "wheels": len(list(Path(wheelhouse).iterdir())),
        "test_stage": "passed",
        "build_seconds": round(seconds, 1),
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    write_atomic(record, out)
    log(f"{tag}: {record['image_id']} ({record['size_bytes'] / 1e6:.0f} MB, {seconds:.0f} s)")
    return record


# --- the workflow's entry point ------------------------------------------------------------------

def from_snakemake(smk):
    """Run the step the rule names (params.step) with its inputs and outputs."""
    sys.stderr = open(smk.log[0], "w", buffering=1)  # noqa: SIM115 (the log is the job's)
    step = smk.params.step
    if step == "base":
        resolve_base(smk.params.mode, smk.output[0])
    elif step == "wheelhouse":
        download_wheelhouse(smk.input.lock, smk.output[0])
    elif step == "image":
        build_image(smk.wildcards.image, smk.input.lock, smk.input.wheelhouse, smk.input.base,
                    smk.input.data, smk.output[0])
    else:
        raise ValueError(step)
