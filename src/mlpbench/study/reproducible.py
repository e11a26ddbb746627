"""An mlpbench image built without a Docker daemon, so that the same inputs give the same ID.

Three layers, each a normalised tar (mlpbench.study.layers):
1. the base: Debian 12 by mmdebstrap (mlpbench.study.rootfs), with the venv at /opt/venv and
   the user 10001;
2. the locks' wheels, installed by PyPA installer (mlpbench.study.wheel_install);
3. the package, as a wheel built from the sources `mlpbench run` imports, installed the same way.
The config has a fixed `created` and no revision (not an input); its label names the inputs'
SHA-256. mlpbench.study.docker_archive writes the archive that `docker load` and `podman load`
take, and whose ID is the config's digest.

    python -m mlpbench.study.reproducible --base BASE.tar --lock envs/cpu.lock \
        --wheelhouse results/images/wheelhouse/cpu --repo . --out cpu.tar.gz
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mlpbench.study import docker_archive, layers, wheel_install
from mlpbench.study.image_archive import sha256_file

DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ENV = (f"PATH={wheel_install.VENV}/bin:{DEBIAN_PATH}", "LANG=C.UTF-8", "PYTHONUNBUFFERED=1",
       "PYTHONDONTWRITEBYTECODE=1", f"VIRTUAL_ENV={wheel_install.VENV}",
       "MLPBENCH_RUNNER=docker", "HOME=/home/mlpbench")


def package_sources(repo):
    """What `mlpbench run` imports (tests/test_cli.py), and the project file: layer 3's inputs."""
    repo = Path(repo)
    return [repo / "pyproject.toml",
            *[repo / "src/mlpbench" / f"{n}.py" for n in ("__init__", "__main__", "cli")],
            *sorted((repo / "src/mlpbench/measure").rglob("*.py"))]


def package_wheel(repo, out_dir, epoch=layers.SOURCE_DATE_EPOCH):
    """The mlpbench wheel built from package_sources() alone (an empty README: its text is
    no input), with the epoch for the zip's dates."""
    repo = Path(repo)
    with tempfile.TemporaryDirectory(prefix="mlpbench-src-") as tree:
        for source in package_sources(repo):
            target = Path(tree) / source.relative_to(repo)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (Path(tree) / "README.md").write_text("")
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PIP_CONFIG_FILE": os.devnull}
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
                        "--no-build-isolation", "--quiet", "--wheel-dir", str(out_dir), tree],
                       env=env, check=True)
    [wheel] = Path(out_dir).glob("mlpbench-*.whl")
    return wheel


def inputs_sha256(paths):
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def build(base_tar, locks, wheelhouses, repo, archive, name="cpu", base="base", work=None):
    """Build the image `name` on the base `base` (its tar: base_tar) into archive (a gzipped
    docker-archive); (image ID, diff_ids, SHA-256 of the inputs). The layers are written in a
    temporary folder under work."""
    work = Path(tempfile.mkdtemp(prefix="mlpbench-build-", dir=work))
    try:
        layer_paths = [work / "base.tar"]
        diff_ids = [layers.write_layer(layers.from_tar(base_tar), layer_paths[0])]
        done = set()
        for lock, wheelhouse in zip(locks, wheelhouses, strict=True):
            stage = work / f"stage-{Path(lock).stem}"
            done |= set(wheel_install.install_lock(lock, wheelhouse, stage, done))
            layer_paths.append(work / f"wheels-{Path(lock).stem}.tar")
            diff_ids.append(layers.write_layer(layers.from_tree(stage), layer_paths[-1]))
        wheels = work / "package"
        wheel = package_wheel(repo, wheels)
        lock = work / "package.lock"
        lock.write_text(f"mlpbench==0.1.0 --hash=sha256:{sha256_file(wheel)}\n")
        wheel_install.install_lock(lock, wheels, work / "stage-package")
        layer_paths.append(work / "package.tar")
        diff_ids.append(layers.write_layer(layers.from_tree(work / "stage-package"),
                                           layer_paths[-1]))
        inputs = inputs_sha256([*locks, *package_sources(repo)])
        config = docker_archive.config_bytes(
            # the history names inputs, never a path of this build (a.tar/b.tar gave two IDs)
            diff_ids, [f"mmdebstrap bookworm minbase (envs/{base}.packages.txt)",
                       *[f"wheels of {Path(lock).name}" for lock in locks], "mlpbench sources"],
            ENV, {"org.opencontainers.image.title": f"mlpbench-{name}",
                  "org.mlpbench.inputs.sha256": inputs})
        Path(archive).parent.mkdir(parents=True, exist_ok=True)
        partial = Path(str(archive) + ".partial")
        image_id = docker_archive.write(layer_paths, config, [f"mlpbench:{name}"], partial)
        os.replace(partial, archive)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return image_id, diff_ids, inputs


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.study.reproducible", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True, help="the base's tar (mmdebstrap)")
    p.add_argument("--lock", action="append", required=True, help="a lock, in install order")
    p.add_argument("--wheelhouse", action="append", required=True, help="its wheels")
    p.add_argument("--repo", default=".", help="the tree whose sources layer 3 holds")
    p.add_argument("--out", required=True, help="the archive to write (NAME.tar.gz)")
    p.add_argument("--name", default="cpu")
    p.add_argument("--base-name", default="base", help="the base's name (rootfs.BASES)")
    a = p.parse_args(argv)
    image_id, diff_ids, inputs = build(a.base, a.lock, a.wheelhouse, a.repo, a.out, a.name,
                                     a.base_name)
    print(json.dumps({"image_id": image_id, "diff_ids": diff_ids, "inputs_sha256": inputs}))


if __name__ == "__main__":
    main()
