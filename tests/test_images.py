"""What each image holds (mlpbench.study.images.IMAGES) agrees with the locks, the registry and
the Dockerfile; which image a run goes to."""

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


def test_the_dockerfile_takes_every_build_argument_the_builder_passes():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    for arg in ("BASE_IMAGE", "IMAGE", "LOCKS", "APT_PACKAGES", "TEST_IMPLS", "GIT_REVISION"):
        assert f"ARG {arg}" in dockerfile, arg


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


def test_the_build_context_comes_from_the_tree_the_workflow_names(tmp_path):
    """A second checkout that uses this one's installed package stages its own sources (the
    package never finds the repository from where it was installed)."""
    clone = tmp_path / "clone"
    for name in ("docker", "envs", "src/mlpbench", "wheels"):
        (clone / name).mkdir(parents=True)
    (clone / "docker" / "Dockerfile").write_text("FROM scratch  # the clone's\n")
    (clone / "envs" / "cpu.lock").write_text("numpy==2.0 --hash=sha256:00\n")
    (clone / "src" / "mlpbench" / "marker.py").write_text("CLONE = True\n")
    (clone / "pyproject.toml").write_text("[project]\nname = 'clone'\n")
    (clone / "wheels" / "numpy.whl").write_bytes(b"wheel")
    data = tmp_path / "mnist.npz"
    data.write_bytes(b"data")
    ctx = images.stage_context("cpu", [clone / "envs" / "cpu.lock"], [clone / "wheels"], data,
                               tmp_path, repo=clone)
    assert (ctx / "docker" / "Dockerfile").read_text() == "FROM scratch  # the clone's\n"
    assert (ctx / "src" / "mlpbench" / "marker.py").exists()
    assert "clone" in (ctx / "pyproject.toml").read_text()
    assert (ctx / "wheelhouse" / "numpy.whl").exists() and (ctx / "envs" / "cpu.lock").exists()


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
