"""The `docker run` (or `podman run`) argv of one timed process, and what the runtime offers here.

`run_argv()` turns `mlpbench run` (one process of the study) into `docker run --rm --network
none ... mlpbench run ...` (runtime "docker"), or the same with `podman run` (runtime "podman":
no daemon, for clusters that forbid Docker's; `runtime_available()` says why it cannot work on
a machine, before any job runs):
- pinned to as many CPUs as the cell's thread count (`--cpuset-cpus`, the first CPUs of this
  process's affinity mask; a cell that asks for more than there are gets them all, and the
  runner inside records it as skipped with the reason);
- the thread variables passed explicitly (`-e OMP_NUM_THREADS=...`, measure.threads.THREAD_ENV),
  with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE passed through when set, so native and container
  runs pick the same BLAS kernel;
- the data folder mounted read-only at /data, the record's folder at /out, run as the calling
  user (`-u UID:GID`): no root-owned files are left behind;
- MLPBENCH_RUNNER=docker, MLPBENCH_IMAGE_DIGEST=<image ID> and MLPBENCH_GIT_REVISION (the
  revision the image was built from: no input of the image, so not in it) set for the record;
- a `--name`, so that a run killed on the host can be removed with `kill_argv(name)` (killing
  the `docker run` client alone leaves the container running), and `--init`, so that signals
  reach `mlpbench`.

`docker_available()` says whether a daemon answers (for `runner: auto`, study.runner),
`runtime_available()` the same of either runtime, and `gpu_available()` whether `--gpus all`
can work.
"""

import json
import os
import resource
import shutil
import subprocess
import uuid
from pathlib import Path

from mlpbench.measure.threads import THREAD_ENV

RUNTIMES = ("docker", "podman")  # the runners that run in an image: each its command's name
PASS_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# podman 4.3 runs its OCI runtime (conmon, runc) with RLIMIT_NPROC 32768, and by default asks
# for 1048576 open files and processes in the container; where root lacks CAP_SYS_RESOURCE
# (this project's VMs) runc cannot raise a limit and the run fails ("error setting rlimit";
# 32768 is what conmon's /proc/PID/limits showed there).
# So a podman run asks for this process's own limits, nproc at most this.
PODMAN_NPROC = 32768
DATA_MOUNT = "/data"
OUT_MOUNT = "/out"


def cpuset(threads, allowed=None):
    """The CPUs a cell with `threads` threads is pinned to, as --cpuset-cpus wants them."""
    allowed = sorted(os.sched_getaffinity(0) if allowed is None else allowed)
    return ",".join(str(c) for c in allowed[: max(1, int(threads))])


def container_name(cell_id=None):
    """A unique, valid container name (letters, digits, '_.-')."""
    stem = "".join(c if c.isalnum() or c in "_.-" else "-" for c in (cell_id or "run"))
    return f"mlpbench-{stem}-{uuid.uuid4().hex[:8]}"


def out_mount(out):
    """(host folder to mount at /out, the record path or pattern inside the container): the
    folder is the deepest one that holds every record a pattern with {dtype}/{batch} names."""
    out = str(Path(out).resolve())
    fixed = out[: out.index("{")] if "{" in out else out
    folder = fixed[: fixed.rindex("/")]
    return Path(folder), OUT_MOUNT + out[len(folder):]


def podman_options(rootless=None, systemd=None):
    """What `podman run` needs beyond `docker run`'s options: (global options, run options)."""
    rootless = os.getuid() != 0 if rootless is None else rootless
    systemd = Path("/run/systemd/system").is_dir() if systemd is None else systemd
    # without systemd, neither its cgroup manager nor the journal is there to use
    general = [] if systemd else ["--cgroup-manager=cgroupfs", "--events-backend=file"]
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
    nproc = [min(n, PODMAN_NPROC) if n != resource.RLIM_INFINITY else PODMAN_NPROC
             for n in resource.getrlimit(resource.RLIMIT_NPROC)]
    run = ["--ulimit", f"nofile={nofile[0]}:{nofile[1]}",
           "--ulimit", f"nproc={nproc[0]}:{nproc[1]}"]
    # rootless: the calling user is root in its namespace; keep-id maps it back to itself
    return general, run + (["--userns=keep-id"] if rootless else [])


def run_argv(options, *, threads, data, out, image, image_digest, device="cpu", name=None,
             user=None, allowed=None, docker="docker", environ=None, git_revision=None):
    """The `docker run` argv that runs `mlpbench run OPTIONS --data .. --out ..` in the image
    (docker="podman": the `podman run` one).

    Parameters
    ----------
    options : `mlpbench run`'s options other than --data and --out (runner.run_options).
    threads : the run's thread count: the CPUs it is pinned to and the thread variables.
    data : path of the verified mnist.npz on the host (its folder is mounted read-only).
    out : path or pattern ({dtype}, {batch}) of the records on the host (out_mount).
    image : the image to run (tag or ID); image_digest : its ID, "sha256:...".
    device : "cpu", or "gpu": adds `--gpus all` (the CUDA image on a host with the NVIDIA
        runtime).
    name : container name (default: a fresh unique one).
    user : "UID:GID" to run as (default: the calling process's).
    allowed : the CPUs to choose from (default: this process's affinity mask).
    environ : where to read the pass-through variables (default: os.environ).
    git_revision : the revision the image was built from (its record's), for the record.
    """
    environ = os.environ if environ is None else environ
    data = Path(data).resolve()
    out_folder, out_inside = out_mount(out)
    out_folder.mkdir(parents=True, exist_ok=True)
    if not str(image_digest).startswith("sha256:"):
        raise ValueError(f"image_digest must be 'sha256:...', got {image_digest!r}")
    user = user or f"{os.getuid()}:{os.getgid()}"
    env = {key: str(threads) for key in THREAD_ENV}
    env.update({k: environ[k] for k in PASS_THROUGH_ENV if environ.get(k)})
    runtime = Path(docker).name
    env.update(MLPBENCH_RUNNER=runtime, MLPBENCH_IMAGE_DIGEST=str(image_digest), HOME="/tmp")
    if git_revision:
        env["MLPBENCH_GIT_REVISION"] = git_revision
    argv = [*isolated_run(docker),
            "--name", name or container_name(Path(out).stem),
            "--cpuset-cpus", cpuset(threads, allowed),
            "--user", user, "--workdir", "/tmp",
            "--volume", f"{data.parent}:{DATA_MOUNT}:ro",
            "--volume", f"{out_folder}:{OUT_MOUNT}"]
    if device == "gpu":
        argv += ["--gpus", "all"]
    for key, value in env.items():
        argv += ["--env", f"{key}={value}"]
    return argv + ["--entrypoint", "mlpbench", image, "run", *options,
                   "--data", f"{DATA_MOUNT}/{data.name}", "--out", out_inside]


def cli(runtime="docker"):
    """The runtime's command with its global options (podman's, without systemd)."""
    return [runtime, *(podman_options()[0] if Path(runtime).name == "podman" else [])]


def isolated_run(runtime="docker"):
    """`RUNTIME run` as every container of the study starts: removed after, signals through
    --init, no network, and what podman needs beyond docker (podman_options)."""
    extra = podman_options()[1] if Path(runtime).name == "podman" else []
    return [*cli(runtime), "run", "--rm", "--init", "--network", "none", *extra]


def kill_argv(name, docker="docker"):
    """Removes a container left running (e.g. its `docker run` client was killed on timeout)."""
    return [*cli(docker), "rm", "--force", name]


def remove_leftovers(docker="docker"):
    """Remove every mlpbench run container still here (its launcher was killed outright, so
    its clean-up never ran); called under the timing lock, before a timed run starts."""
    names, _ = _answers([*cli(docker), "ps", "--all", "--quiet", "--filter", "name=^mlpbench-"],
                        30)
    if names:
        subprocess.run([*cli(docker), "rm", "--force", *names.split()], capture_output=True,
                       check=False)
    return names.split() if names else []


def _answers(argv, timeout):
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, str(exc)
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return proc.stdout.strip(), None


def runtime_available(runtime="docker", timeout=15):
    """(True, what) when the runtime can start a container here, else (False, why not)."""
    if Path(runtime).name == "podman":
        if shutil.which(runtime) is None:
            return False, f"no `{runtime}` command on PATH"
        info, why = _podman_info(runtime, timeout)
        problem = podman_problems(info=info) if info else f"`podman info` failed: {why}"
        return (False, problem) if problem else (True, f"podman {info['version']['Version']}")
    return docker_available(runtime, timeout)


def _podman_info(podman="podman", timeout=30):
    out, why = _answers([*cli(podman), "info", "--format", "json"], timeout)
    return (json.loads(out), None) if out else (None, why)


def podman_problems(info, hybrid=None):
    """Why runner podman cannot work on this machine (one line), or None; info: `podman info
    --format json`, hybrid: whether cgroups are v1 with a v2 mount (default: look)."""
    host = info["host"]
    if "cpuset" not in host.get("cgroupControllers", []):
        return ("podman cannot pin a run to its CPUs: the cgroup cpuset controller is not "
                f"delegated to uid {os.getuid()} (systemd: Delegate=cpu cpuset)")
    if host["security"].get("rootless") and host.get("cgroupVersion") == "v1":
        return "rootless podman cannot pin a run to its CPUs on cgroup v1"
    hybrid = Path("/sys/fs/cgroup/unified").is_dir() if hybrid is None else hybrid
    if host["ociRuntime"]["name"] == "crun" and hybrid:
        return ("podman's OCI runtime crun does not run on hybrid cgroups (v1 with a v2 "
                "mount); install runc and remove crun")
    if info["store"].get("graphDriverName") == "vfs":
        return "podman's storage driver is vfs: every run would copy the whole image"
    return None


def podman_version(podman="podman"):
    """podman's version here ("4.3.1"), or None where there is none."""
    if shutil.which(podman) is None:
        return None
    out, _ = _answers([podman, "--version"], 15)
    return out.split()[-1] if out else None


def docker_available(docker="docker", timeout=15):
    """(True, server version) when a Docker daemon answers, else (False, why not)."""
    if shutil.which(docker) is None:
        return False, f"no `{docker}` command on PATH"
    version, why = _answers([docker, "version", "--format", "{{.Server.Version}}"], timeout)
    if version is None:
        return False, f"no Docker daemon answers: {why}"
    return True, f"Docker daemon {version}"


def gpu_available(docker="docker", timeout=15):
    """(True, what) when `docker run --gpus all` can work here, else (False, why not)."""
    runtimes, why = _answers([docker, "info", "--format", "{{json .Runtimes}}"], timeout)
    if runtimes is None:
        return False, f"no Docker daemon answers: {why}"
    if "nvidia" not in runtimes and shutil.which("nvidia-container-cli") is None:
        return False, "no NVIDIA container runtime (nvidia-container-toolkit) in Docker"
    gpus, why = _answers(["nvidia-smi", "-L"], timeout)
    if not gpus:
        return False, f"no NVIDIA GPU: {why or 'nvidia-smi lists none'}"
    return True, gpus.splitlines()[0]


def image_inspect(image, fmt="{{.Id}}", docker="docker"):
    """`docker image inspect --format FMT` of a tag (by default its ID, "sha256:..."), or None
    when there is no such image. podman gives an ID without its "sha256:", added here."""
    out, _ = _answers([*cli(docker), "image", "inspect", "--format", fmt, image], 30)
    if out and fmt == "{{.Id}}" and ":" not in out:
        out = f"sha256:{out}"
    return out or None
