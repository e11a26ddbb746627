"""study.docker_archive: a tiny image built twice, elsewhere, gives the same bytes and ID, which
`docker load` keeps; a planted difference and an altered layer are caught without a daemon."""

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

from mlpbench.study import docker_archive

ROOT = Path(__file__).resolve().parents[1]
BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from mlpbench.study import docker_archive, layers
    work, planted = Path(sys.argv[1]), sys.argv[2]
    tree = work / "tree"
    (tree / "bin").mkdir(parents=True)
    (tree / "bin" / "hello").write_text("#!/bin/sh\\necho hello\\n")
    (tree / "bin" / "hello").chmod(0o775)
    if planted:
        (tree / "build-time").write_text(str(time.time()))
    layer = work / "layer.tar"
    diff_id = layers.write_layer(layers.from_tree(tree), layer)
    config = docker_archive.config_bytes([diff_id], ["a tiny test image"], ["PATH=/bin"],
                                         {"org.mlpbench.test": "1"})
    print(docker_archive.write([layer], config, ["mlpbench-test:tiny"], work / "image.tar.gz"))
""")


def build(tmp_path, name, umask=0o022, tz="UTC", planted=""):
    work = tmp_path / name
    work.mkdir(parents=True)
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", f"import os; os.umask({umask}); "
                           f"exec({BUILD!r})", str(work), planted],
                          env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip(), work / "image.tar.gz"


def test_the_same_inputs_give_the_same_archive_and_id_elsewhere(tmp_path):
    first, a = build(tmp_path, "one")
    second, b = build(tmp_path, "two/deeper", umask=0o077, tz="Pacific/Kiritimati")
    assert first == second and a.read_bytes() == b.read_bytes()
    raw = a.read_bytes()
    assert raw[4:8] == b"\0\0\0\0" and not raw[3] & 0x08  # gzip: no date, no name


def test_the_id_is_the_configs_digest_and_each_layer_its_diff_id(tmp_path):
    ident, path = build(tmp_path, "one")
    with tarfile.open(path) as tar:
        [manifest] = json.load(tar.extractfile("manifest.json"))
        config = tar.extractfile(manifest["Config"]).read()
        layer = tar.extractfile(manifest["Layers"][0]).read()
    assert ident == "sha256:" + hashlib.sha256(config).hexdigest()
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    assert diff_ids == ["sha256:" + hashlib.sha256(layer).hexdigest()]
    assert json.loads(config)["created"] == "2024-01-01T00:00:00Z"
    assert docker_archive.read(path) == (ident, json.loads(config)["rootfs"]["diff_ids"],
                                         ["mlpbench-test:tiny"])


def test_a_planted_difference_gives_another_id(tmp_path):
    assert build(tmp_path, "one")[0] != build(tmp_path, "two", planted="1")[0]


def test_read_refuses_a_layer_that_is_not_its_diff_id(tmp_path):
    _, path = build(tmp_path, "one")
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None)
                   for m in tar.getmembers()]
    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w") as tar:
        for member, data in members:
            if member.name.endswith("layer.tar"):
                data = data[:-1] + b"\1"
            tar.addfile(member, None if data is None else io.BytesIO(data))
    with pytest.raises(ValueError, match="is not sha256:"):
        docker_archive.read(altered)


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker command")
def test_docker_load_keeps_the_id(tmp_path):
    if subprocess.run(["docker", "version"], capture_output=True).returncode != 0:
        pytest.skip("no Docker daemon answers")
    ident, path = build(tmp_path, "one")
    subprocess.run(["docker", "image", "rm", "--force", ident], capture_output=True)
    done = subprocess.run(["docker", "load", "--input", str(path)], capture_output=True,
                          text=True, check=True)
    loaded = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}",
                             "mlpbench-test:tiny"], capture_output=True, text=True, check=True)
    subprocess.run(["docker", "image", "rm", "--force", ident], capture_output=True)
    assert loaded.stdout.strip() == ident, done.stdout
    assert gzip.decompress(path.read_bytes())[:512]  # a gzipped tar, as loaded
