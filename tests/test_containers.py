"""The `docker run` argv of one timed process, runner auto-detection, and (where Docker and the
images are there) real runs inside the CPU and CUDA images."""

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from mlpbench.measure.threads import THREAD_ENV
from mlpbench.study import docker, runner

ROOT = Path(__file__).resolve().parents[1]
DIGEST = "sha256:" + "ab" * 32

def run_options(impl="numpy-step2", threads=2):
    return ["--impl", impl, "--dtype", "float32", "--batch", "500", "--threads", str(threads),
            "--epochs", "1", "--warmup-epochs", "0", "--subset", "2000"]


def argv_for(tmp_path, **kw):
    args = {"threads": 2, "data": tmp_path / "data" / "mnist.npz",
            "out": tmp_path / "out" / "r.json", "image": "mlpbench:cpu", "image_digest": DIGEST,
            "allowed": {0, 1, 2, 3}, "user": "1234:5678", "environ": {}, **kw}
    return docker.run_argv(run_options(), **args)


def env_of(argv):
    return dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "--env")


def option(argv, name):
    return [argv[i + 1] for i, a in enumerate(argv) if a == name]


def test_argv_isolates_pins_and_labels_the_run(tmp_path):
    argv = argv_for(tmp_path)
    assert argv[:3] == ["docker", "run", "--rm"]
    assert option(argv, "--network") == ["none"]
    assert option(argv, "--cpuset-cpus") == ["0,1"]  # as many CPUs as threads
    assert option(argv, "--user") == ["1234:5678"]
    env = env_of(argv)
    assert {k: env[k] for k in THREAD_ENV} == {k: "2" for k in THREAD_ENV}
    assert env["MLPBENCH_RUNNER"] == "docker" and env["MLPBENCH_IMAGE_DIGEST"] == DIGEST
    assert "OPENBLAS_CORETYPE" not in env
    assert "MLPBENCH_GIT_REVISION" not in env


def test_argv_names_the_revision_the_image_was_built_from(tmp_path):
    """The revision is no input of the image (so not in it): the run is told it."""
    env = env_of(argv_for(tmp_path, git_revision="0123abc"))
    assert env["MLPBENCH_GIT_REVISION"] == "0123abc"


def test_argv_mounts_data_read_only_and_maps_paths(tmp_path):
    argv = argv_for(tmp_path)
    volumes = option(argv, "--volume")
    assert f"{(tmp_path / 'data').resolve()}:/data:ro" in volumes
    assert f"{(tmp_path / 'out').resolve()}:/out" in volumes
    assert (tmp_path / "out").is_dir()  # created, so Docker does not make it root-owned
    tail = argv[argv.index("mlpbench:cpu"):]
    assert tail[1] == "run"
    assert option(tail, "--data") == ["/data/mnist.npz"]
    assert option(tail, "--out") == ["/out/r.json"]
    assert option(tail, "--threads") == ["2"] and option(tail, "--subset") == ["2000"]


def test_a_pattern_of_records_mounts_the_folder_that_holds_them_all(tmp_path):
    out = tmp_path / "runs" / "numpy-step2" / "{dtype}" / "b{batch}_t1_r1.json"
    argv = argv_for(tmp_path, out=out)
    assert f"{(tmp_path / 'runs' / 'numpy-step2').resolve()}:/out" in option(argv, "--volume")
    assert option(argv, "--out") == ["/out/{dtype}/b{batch}_t1_r1.json"]


def test_argv_options(tmp_path):
    argv = argv_for(tmp_path, device="gpu", name="c1", threads=8,
                    environ={"OPENBLAS_CORETYPE": "Haswell"})
    assert option(argv, "--gpus") == ["all"]
    assert "--gpus" not in argv_for(tmp_path)
    assert option(argv, "--name") == ["c1"]
    assert option(argv, "--cpuset-cpus") == ["0,1,2,3"]  # all there are; the runner skips
    assert env_of(argv)["OPENBLAS_CORETYPE"] == "Haswell"
    assert docker.kill_argv("c1") == ["docker", "rm", "--force", "c1"]


def test_argv_refuses_a_digest_that_is_not_one(tmp_path):
    with pytest.raises(ValueError, match="sha256"):
        argv_for(tmp_path, image_digest="mlpbench:cpu")


def test_container_names_are_unique_and_valid():
    a, b = docker.container_name("b500 t1/r0"), docker.container_name("b500 t1/r0")
    assert a != b
    assert all(c.isalnum() or c in "_.-" for c in a)


def fake_docker(tmp_path, script):
    path = tmp_path / "docker"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_runner_auto_uses_docker_when_a_daemon_answers(tmp_path):
    cli = fake_docker(tmp_path, "echo 28.2.2")
    assert runner.resolve("auto", docker=cli)[0] == "docker"
    assert runner.resolve("docker", docker=cli)[0] == "docker"
    assert runner.resolve("local", docker=cli)[0] == "local"


def test_runner_auto_falls_back_to_local_and_says_why(tmp_path):
    cli = fake_docker(tmp_path, "echo 'Cannot connect to the Docker daemon' >&2; exit 1")
    chosen, why = runner.resolve("auto", docker=cli)
    assert chosen == "local" and "Cannot connect" in why
    with pytest.raises(RuntimeError, match="Cannot connect"):
        runner.resolve("docker", docker=cli)
    assert runner.resolve("auto", docker=str(tmp_path / "none"))[0] == "local"
    with pytest.raises(ValueError):
        runner.resolve("singularity", docker=cli)


def test_runner_auto_keeps_the_choice_of_the_earlier_runs(tmp_path):
    record = tmp_path / "results" / "runner.txt"
    up = fake_docker(tmp_path, "echo 28.2.2")
    assert runner.resolve_kept("auto", record, docker=up)[0] == "docker"
    assert record.read_text().strip() == "docker"
    (tmp_path / "docker").unlink()
    down = fake_docker(tmp_path, "echo 'Cannot connect' >&2; exit 1")
    with pytest.raises(RuntimeError, match="earlier runs used runner docker"):
        runner.resolve_kept("auto", record, docker=down)  # never a silent switch
    assert runner.resolve_kept("local", record, docker=down)[0] == "local"
    assert runner.resolve_kept("auto", record, docker=down)[0] == "local"


def test_leftover_run_containers_are_removed(tmp_path):
    calls = tmp_path / "calls"
    cli = fake_docker(tmp_path, f'echo "$@" >> {calls}; '
                                   'if [ "$1" = ps ]; then echo mlpbench-a; echo mlpbench-b; fi')
    assert docker.remove_leftovers(docker=cli) == ["mlpbench-a", "mlpbench-b"]
    lines = calls.read_text().splitlines()
    assert "name=^mlpbench-" in lines[0] and lines[1] == "rm --force mlpbench-a mlpbench-b"


def test_gpu_unavailable_without_the_nvidia_runtime(tmp_path):
    cli = fake_docker(tmp_path, 'echo \'{"runc":{"path":"runc"}}\'')
    ok, why = docker.gpu_available(docker=cli)
    if shutil.which("nvidia-container-cli") is None:
        assert not ok and "NVIDIA" in why


# --- real runs in the images (need a Docker daemon and the images built by the workflow) ----

def built_image(name):
    """The image record of a built image, or a skip with the reason; a failure instead where
    MLPBENCH_REQUIRE_IMAGES=1 (a CI job that built the image must not pass by skipping)."""
    missing = pytest.fail if os.environ.get("MLPBENCH_REQUIRE_IMAGES") == "1" else pytest.skip
    ok, why = docker.docker_available()
    if not ok:
        missing(why)
    record = ROOT / "results" / "images" / f"{name}.json"
    if not record.exists():
        missing(f"{record.relative_to(ROOT)} missing: build the {name} image first")
    image = json.loads(record.read_text())
    if docker.image_inspect(image["image"]) != image["image_id"]:
        missing(f"image {image['image']} is not the one {record.name} records")
    return image


def run_in(image, tmp_path, mnist_path, impl):
    out = tmp_path / "out" / f"{impl}.json"
    argv = docker.run_argv(run_options(impl, 1), threads=1, data=mnist_path, out=out,
                               image=image["image_id"], image_digest=image["image_id"])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.stat().st_uid == os.getuid()  # written as the calling user
    return json.loads(out.read_text())


@pytest.mark.slow
def test_a_cell_runs_in_the_cpu_image(tmp_path, mnist_path):
    image = built_image("cpu")
    record = run_in(image, tmp_path, mnist_path, "numpy-step2")
    assert record["status"] == "ok"
    assert record["runner"] == "docker"
    assert record["image_digest"] == image["image_id"]
    assert record["provenance"]["cpu_affinity"] == [0]  # --cpuset-cpus: one CPU


@pytest.mark.slow
def test_the_cuda_image_runs_tensorflow_on_the_cpu_without_a_gpu(tmp_path, mnist_path):
    image = built_image("cuda")
    if docker.gpu_available()[0]:
        pytest.skip("a GPU is here: this test is for hosts without one")
    record = run_in(image, tmp_path, mnist_path, "tf-loop")
    assert record["status"] == "ok" and record["image_digest"] == image["image_id"]
    assert record["provenance"]["tensorflow"] == "2.21.0"
    # one epoch on 2000 samples: above chance (0.1) and the same as the CPU image's NumPy run
    assert record["test_accuracy"] > 0.15


@pytest.mark.slow
def test_the_torch_image_compiles_with_inductor(tmp_path, mnist_path):
    image = built_image("torch")
    record = run_in(image, tmp_path, mnist_path, "torch-compile")
    assert record["status"] == "ok", record.get("reason")
    assert record["provenance"]["torch"].startswith("2.13.0")
    assert record["impl_info"]["torch_intra_op_threads"] == 1
    assert record["impl_info"]["first_step_s"] > record["impl_info"]["later_step_s"]
