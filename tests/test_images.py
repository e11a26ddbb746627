"""What each image holds (mlpbench.study.images.IMAGES) agrees with the locks, the registry and
the bases; which image a run goes to; the test stage runs as a timed run does."""

import os
import subprocess
from pathlib import Path

import pytest

from mlpbench.measure.implementations import REGISTRY
from mlpbench.study import images

ROOT = Path(__file__).resolve().parents[1]


def test_each_image_names_locks_that_exist_and_test_implementations_it_can_run():
    for name, spec in images.IMAGES.items():
        for lock in spec.locks:
            assert (ROOT / "envs" / f"{lock}.lock").exists(), (name, lock)
            assert (ROOT / "envs" / f"{lock}.in").exists(), (name, lock)
        for impl in spec.test_impls:
            if "torch" in REGISTRY[impl].requires:
                assert "torch" in spec.locks, (name, impl)


@pytest.mark.parametrize(("impl", "device", "image"), [
    ("numpy-fast", "cpu", "cpu"), ("keras-fit", "cpu", "cpu"), ("jax-jit", "cpu", "cpu"),
    ("torch-eager", "cpu", "torch"), ("torch-compile", "cpu", "torch"),
    ("keras-fit-torch", "cpu", "torch"), ("tf-loop", "gpu", "cuda"), ("torch-eager", "gpu", "cuda"),
])
def test_runs_go_to_the_image_that_has_their_framework(impl, device, image):
    assert images.image_for(impl, device) == image


def test_each_image_has_a_base_with_a_committed_package_list():
    from mlpbench.study import rootfs

    for name, spec in images.IMAGES.items():
        assert spec.base in rootfs.BASES, name
        listed = rootfs.read_listing((ROOT / "envs" / f"{spec.base}.packages.txt").read_text())
        assert set(rootfs.BASES[spec.base]) <= set(listed), name
    assert {"g++", "python3-dev"} <= set(rootfs.BASES[images.IMAGES["torch"].base])


def test_the_test_stage_runs_without_network_as_the_calling_user(monkeypatch, tmp_path):
    said = []
    monkeypatch.setattr(images, "run", said.append)
    images.test_stage("sha256:" + "a" * 64, ("numpy-step2", "tf-loop"), tmp_path / "mnist.npz",
                      ROOT)
    [argv] = said
    assert argv[argv.index("--network") + 1] == "none"
    assert argv[argv.index("--user") + 1] == f"{os.getuid()}:{os.getgid()}"
    assert "TEST_IMPLS=numpy-step2 tf-loop" in argv
    assert f"{tmp_path / 'mnist.npz'}:/tmp/source/mnist.npz:ro" in argv
    assert f"{ROOT / 'docker' / 'test-stage.sh'}:/tmp/test-stage.sh:ro" in argv
    assert argv[-2:] == ["sha256:" + "a" * 64, "/tmp/test-stage.sh"]
    script = (ROOT / "docker" / "test-stage.sh").read_text()
    assert "Requirement(" in script and 'for impl in $TEST_IMPLS' in script


def test_the_torch_lock_pins_the_cpu_build_with_hashes():
    lock = (ROOT / "envs" / "torch.lock").read_text()
    assert "torch==2.13.0+cpu" in lock
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lock
    assert "nvidia" not in lock  # no second CUDA stack beside TensorFlow's
    pins = [line for line in lock.splitlines() if "==" in line and not line.startswith("#")]
    assert pins and all("\\" in line for line in pins)  # each followed by its hashes


def test_local_wheel_folders_are_kept_only_where_they_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("PIP_FIND_LINKS", f"{tmp_path} /no/such/folder")
    assert str(tmp_path) in images.local_find_links()
    assert "/no/such/folder" not in images.local_find_links()


def test_a_record_names_the_revision_of_the_tree_it_is_told(tmp_path, monkeypatch):
    from mlpbench.measure import provenance

    repo = tmp_path / "repo"
    repo.mkdir()
    for args in (["init", "-q"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                                   "--allow-empty", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    monkeypatch.setenv("MLPBENCH_REPO", str(repo))
    monkeypatch.chdir(tmp_path)
    assert provenance.git_revision() == (head, False)
