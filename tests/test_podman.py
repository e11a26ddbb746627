"""runner: podman runs the same image as docker without a daemon: the same guarantees in its
argv (pinned, no network, data read-only, the calling user, thread variables), the options a
machine without systemd or CAP_SYS_RESOURCE needs, one line where podman cannot work, never
chosen by `auto`, and the image loaded from the study's archive."""

import gzip
import json
import stat

import pytest

from mlpbench.measure.threads import THREAD_ENV
from mlpbench.study import docker, image_archive, runner

DIGEST = "sha256:" + "ab" * 32
INFO = {"host": {"cgroupControllers": ["cpuset", "cpu", "memory"], "cgroupVersion": "v1",
                 "security": {"rootless": False}, "ociRuntime": {"name": "runc"}},
        "store": {"graphDriverName": "overlay"}, "version": {"Version": "4.3.1"}}


def fake(tmp_path, name, script):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


PODMAN_OPTIONS = docker.podman_options


def argv_for(tmp_path, monkeypatch, rootless=False, systemd=False):
    monkeypatch.setattr(docker, "podman_options", lambda: PODMAN_OPTIONS(rootless, systemd))
    return docker.run_argv(["--impl", "numpy-fast"], threads=2,
                           data=tmp_path / "data" / "mnist.npz", out=tmp_path / "out" / "r.json",
                           image=DIGEST, image_digest=DIGEST, allowed={0, 1, 2, 3},
                           user="1234:5678", environ={}, docker="podman")


def option(argv, name):
    return [argv[i + 1] for i, a in enumerate(argv) if a == name]


def test_a_podman_run_keeps_every_guarantee_of_a_docker_run(tmp_path, monkeypatch):
    argv = argv_for(tmp_path, monkeypatch)
    assert argv[0] == "podman" and "run" in argv
    assert option(argv, "--network") == ["none"] and "--init" in argv and "--rm" in argv
    assert option(argv, "--cpuset-cpus") == ["0,1"]
    assert option(argv, "--user") == ["1234:5678"]
    assert f"{(tmp_path / 'data').resolve()}:/data:ro" in option(argv, "--volume")
    env = dict(e.split("=", 1) for e in option(argv, "--env"))
    assert {k: env[k] for k in THREAD_ENV} == {k: "2" for k in THREAD_ENV}
    assert env["MLPBENCH_RUNNER"] == "podman" and env["MLPBENCH_IMAGE_DIGEST"] == DIGEST
    assert docker.kill_argv("mlpbench-x", "podman")[-3:] == ["rm", "--force", "mlpbench-x"]


def test_without_systemd_podman_uses_cgroupfs_and_a_file_for_its_events(tmp_path, monkeypatch):
    argv = argv_for(tmp_path, monkeypatch, systemd=False)
    assert argv[1:3] == ["--cgroup-manager=cgroupfs", "--events-backend=file"]
    assert argv[3] == "run"
    assert argv_for(tmp_path, monkeypatch, systemd=True)[1] == "run"


def test_podman_asks_for_this_process_limits_at_most_what_its_runtime_has(monkeypatch):
    limits = {docker.resource.RLIMIT_NOFILE: (20000, 20000),
              docker.resource.RLIMIT_NPROC: (96365, docker.resource.RLIM_INFINITY)}
    monkeypatch.setattr(docker.resource, "getrlimit", limits.__getitem__)
    _, run = docker.podman_options(rootless=False, systemd=False)
    assert option(run, "--ulimit") == ["nofile=20000:20000", "nproc=32768:32768"]


def test_only_rootless_podman_maps_the_user_back_to_itself():
    assert "--userns=keep-id" in docker.podman_options(rootless=True, systemd=False)[1]
    assert "--userns=keep-id" not in docker.podman_options(rootless=False, systemd=False)[1]


@pytest.mark.parametrize(("change", "said"), [
    (lambda i: i["host"].update(cgroupControllers=["cpu", "memory"]), "cannot pin a run"),
    (lambda i: i["host"]["security"].update(rootless=True), "rootless podman cannot pin"),
    (lambda i: i["host"]["ociRuntime"].update(name="crun"), "crun does not run on hybrid"),
    (lambda i: i["store"].update(graphDriverName="vfs"), "storage driver is vfs"),
])
def test_podman_that_cannot_work_says_why_in_one_line(change, said):
    info = json.loads(json.dumps(INFO))
    assert docker.podman_problems(info=info, hybrid=True) is None
    change(info)
    problem = docker.podman_problems(info=info, hybrid=True)
    assert said in problem and "\n" not in problem


def test_runner_podman_is_chosen_only_when_asked_for_and_refused_where_it_cannot_work(tmp_path):
    no_daemon = fake(tmp_path, "docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1")
    good = fake(tmp_path, "podman", f"echo '{json.dumps(INFO)}'")
    assert runner.resolve("auto", docker=no_daemon, podman=good)[0] == "local"
    assert runner.resolve("podman", docker=no_daemon, podman=good) == (
        "podman", "runner: podman (podman 4.3.1)")
    (tmp_path / "bad").mkdir()
    bad_info = {**INFO, "store": {"graphDriverName": "vfs"}}
    bad = fake(tmp_path / "bad", "podman", f"echo '{json.dumps(bad_info)}'")
    with pytest.raises(RuntimeError, match="^runner: podman, but podman's storage driver is vfs"):
        runner.resolve("podman", podman=bad)
    with pytest.raises(RuntimeError, match="^runner: podman, but no `.*podman` command on PATH"):
        runner.resolve("podman", podman=str(tmp_path / "none" / "podman"))


def test_podman_ids_read_as_docker_ids(tmp_path):
    cli = fake(tmp_path, "podman", "echo " + "ab" * 32)
    assert docker.image_inspect("mlpbench:cpu", docker=cli) == DIGEST


def test_podman_loads_the_archive_unpacked_on_its_input(tmp_path):
    archive = tmp_path / "cpu.tar.gz"
    with gzip.GzipFile(archive, "wb", mtime=0) as f:
        f.write(b"the docker-archive" * 1000)
    got = tmp_path / "got"
    cli = fake(tmp_path, "podman", f'cat > {got}; echo "Loaded image: mlpbench:cpu ($*)"')
    returncode, said = image_archive.load(archive, cli)
    assert returncode == 0 and said.strip().endswith("load)")
    assert got.read_bytes() == b"the docker-archive" * 1000
