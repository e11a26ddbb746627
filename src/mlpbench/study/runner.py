"""Where the study's timed processes run: `runner: auto | local | docker | podman`, decided once
by the workflow's runner checkpoint (results/runner.json), with whether GPU cells can run.
`auto` picks docker when a daemon answers, else local, and keeps its first choice for later
runs; it never picks podman, which runs the same image without a daemon when asked for.
`run_options()` is the one place that writes `mlpbench run`'s command line, `command()` the
argv that runs it under the decided runner.
"""

import sys
from pathlib import Path

from mlpbench.study.docker import (
    RUNTIMES,
    docker_available,
    gpu_available,
    run_argv,
    runtime_available,
)

RUNNERS = ("auto", "local", *RUNTIMES)


def resolve(setting, docker="docker", podman="podman"):
    """`runner: auto|local|docker|podman` -> (the runner, one line saying why).

    auto picks docker when a daemon answers, else local; docker without a daemon, or podman
    where it cannot work (podman_problems), is an error.
    """
    if setting not in RUNNERS:
        raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, got {setting!r}")
    if setting == "local":
        return "local", "runner: local (as configured)"
    if setting == "podman":
        ok, why = runtime_available(podman)
        if not ok:
            raise RuntimeError(f"runner: podman, but {why}")
        return "podman", f"runner: podman ({why})"
    ok, why = docker_available(docker)
    if setting == "docker":
        if not ok:
            raise RuntimeError(f"runner: docker, but {why}")
        return "docker", f"runner: docker ({why})"
    if ok:
        return "docker", f"runner: auto -> docker ({why})"
    return "local", f"runner: auto -> local ({why})"


def resolve_kept(setting, record_path, docker="docker"):
    """resolve(), but `auto` keeps the choice recorded in record_path by an earlier
    invocation, so that a daemon that is down (or answers slowly) once does not switch the
    runner and redo every run; the resolved runner is recorded there.
    """
    record = Path(record_path)
    if setting == "auto" and record.exists():
        previous = record.read_text().strip()
        try:
            runner, _ = resolve(previous, docker)
        except RuntimeError as e:
            raise RuntimeError(f"{e}; this study's earlier runs used runner {previous} "
                               f"(start the daemon, set runner explicitly, or delete "
                               f"{record})") from None
        record.write_text(runner + "\n")  # the job's output, written again
        return runner, f"runner: auto -> {runner} (as the earlier runs: {record})"
    runner, why = resolve(setting, docker)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(runner + "\n")
    return runner, why


def decide(setting, devices, record_path, docker="docker"):
    """The runner checkpoint's decision: {runner, gpu_skip, said} (gpu_skip: why GPU cells are
    recorded as skipped, or None; said: the lines to print). Raises RuntimeError when
    runner docker cannot work here."""
    runner, why = resolve_kept(setting, record_path, docker)
    said, gpu_skip = [why], None
    if "gpu" in devices:
        if runner != "docker":
            gpu_skip = "GPU cells run in the CUDA image with --gpus: they need runner docker"
        else:
            ok, what = gpu_available(docker)
            gpu_skip = None if ok else what
        said.append(f"GPU cells {'skipped: ' + gpu_skip if gpu_skip else 'run on ' + what}")
    return {"runner": runner, "gpu_skip": gpu_skip, "said": said}


def run_options(process, cells, epochs, settings, order_seed=None):
    """`mlpbench run`'s options, without --data and --out, for `cells` [(dtype, batch)]."""
    options = ["--impl", process.impl, "--cells", ",".join(f"{d}:{b}" for d, b in cells),
               "--threads", str(process.threads),
               "--epochs", str(epochs), "--warmup-epochs", str(settings.warmup_epochs),
               "--subset", str(settings.subset), "--seed", str(settings.seed),
               "--device", process.device]
    return options + (["--order-seed", str(order_seed)] if order_seed is not None else [])


def command(options, process, settings, data_path, out, image=None, name=None,
            python=sys.executable, cpus=None):
    """The argv that runs `mlpbench run OPTIONS` under settings.runner, records at `out`;
    runner docker pins the container to `cpus` (default: the first CPUs of this process's);
    runner local inherits the affinity that the launcher gives its process."""
    if settings.runner == "local":
        return [python, "-m", "mlpbench", "run", *options, "--data", str(data_path),
                "--out", str(out)]
    if settings.runner in RUNTIMES:
        if image is None:
            raise ValueError(f"runner {settings.runner} needs the image record (--image)")
        return run_argv(options, threads=process.threads, data=data_path, out=out,
                        image=image["image_id"], image_digest=image["image_id"],
                        device=process.device, name=name, allowed=cpus,
                        docker=settings.runner, git_revision=image.get("git_revision"))
    raise ValueError(f"runner {settings.runner!r} is not supported")
