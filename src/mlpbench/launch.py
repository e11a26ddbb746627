"""Launch one timed run of the grid in its own process, and keep its failure as a record.

Called by the workflow's bench rule as `python -m mlpbench.launch ...` (a `shell:` job: no
Snakemake process is spawned per run). `command()` is the one place that decides how a cell is
executed: `runner: local` runs `mlpbench run` on this host, `runner: docker` runs it in the
image that results/images/{cpu,cuda}.json describe (mlpbench.containers). `run()` holds an
exclusive lock around the timed process, so no two timed runs overlap even when the scheduler
is told otherwise, and turns a crash or a timeout into a record with status "error" and the
tail of stderr as the reason (a container still running after a timeout is removed). A cell
the workflow already knows cannot run here (a GPU cell without a GPU) is recorded as skipped
with its reason, without starting anything.
"""

import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mlpbench import containers
from mlpbench.grid import Cell, Settings
from mlpbench.runner import write_atomic

ERROR_TAIL_CHARS = 2000


def command(cell, settings, data_path, out_path, image=None, name=None,
            python=sys.executable):
    """The argv that runs `cell` under settings.runner and writes its record to out_path.

    image: the image record (results/images/NAME.json as a dict) for runner docker; name: the
    container's name (so that it can be removed after a timeout).
    """
    if settings.runner == "local":
        return [python, "-m", "mlpbench", "run", "--impl", cell.impl, "--dtype", cell.dtype,
                "--batch", str(cell.batch), "--threads", str(cell.threads),
                "--epochs", str(settings.epochs), "--warmup-epochs", str(settings.warmup_epochs),
                "--subset", str(settings.subset), "--seed", str(settings.seed),
                "--device", cell.device, "--data", str(data_path), "--out", str(out_path)]
    if settings.runner == "docker":
        if image is None:
            raise ValueError("runner docker needs the image record (--image)")
        return containers.cell_argv(cell, settings, data_path, out_path, image, name=name)
    raise ValueError(f"runner {settings.runner!r} is not supported")


def environment(settings):
    return {**os.environ, "MLPBENCH_RUNNER": settings.runner}


def error_record(cell, settings, reason, status="error", image=None):
    """A record for a run that produced none (schema_version 1 fields, status "error" or
    "skipped")."""
    return {
        "schema_version": 1, "status": status, "reason": reason,
        "impl": cell.impl, "workload": None, "dtype": cell.dtype, "batch": cell.batch,
        "threads": cell.threads, "device": cell.device, "epochs": settings.epochs,
        "warmup_epochs": settings.warmup_epochs, "subset": settings.subset,
        "seed": settings.seed, "epoch_wall_s": [], "epoch_cpu_s": [], "cpu_per_wall": [],
        "phase_s": None, "runner": settings.runner,
        "image_digest": image["image_id"] if image else None, "provenance": None,
    }


def _tail(path, chars=ERROR_TAIL_CHARS):
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    return text[-chars:].strip()


def run(cell, settings, data_path, out_path, log_path, lock_path, image=None,
        skip_reason=None):
    """Run the cell once; always leave a record at out_path. Returns its status."""
    if skip_reason:
        record = error_record(cell, settings, skip_reason, status="skipped", image=image)
        record.update(repeat=cell.repeat, command=[], process_wall_s=0.0)
        write_atomic(record, out_path)
        return record["status"]
    name = containers.container_name(Path(out_path).stem) if settings.runner == "docker" else None
    argv = command(cell, settings, data_path, out_path, image=image, name=name)
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock, open(log_path, "a") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)  # one timed run at a time on this host
        if name:  # nothing of an earlier, killed run may compete with this one
            for leftover in containers.remove_leftovers():
                log.write(f"removed a leftover container {leftover}\n")
        started = time.perf_counter()
        finished = False
        try:
            proc = subprocess.run(argv, stdout=log, stderr=log, env=environment(settings),
                                  timeout=settings.timeout_s, check=False)
            finished = True
            reason = None if proc.returncode == 0 else f"exit status {proc.returncode}"
        except subprocess.TimeoutExpired:
            reason = f"killed after timeout_s={settings.timeout_s} s"
        finally:
            if name and not finished:  # killing the docker client leaves its container
                subprocess.run(containers.kill_argv(name), capture_output=True, check=False)
            process_wall_s = time.perf_counter() - started
            fcntl.flock(lock, fcntl.LOCK_UN)
    if reason is None and not Path(out_path).exists():
        reason = "exit status 0 but no record written"
    if reason is None:
        record = json.loads(Path(out_path).read_text())
    else:
        record = error_record(cell, settings, f"{reason}: {_tail(log_path)}", image=image)
    record["repeat"] = cell.repeat
    record["device"] = cell.device
    record["command"] = argv
    record["process_wall_s"] = process_wall_s  # the whole process: start-up, data, evaluation
    write_atomic(record, out_path)
    return record["status"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.launch", description=__doc__)
    for name in ("impl", "dtype", "runner", "data", "out", "log", "lock"):
        p.add_argument(f"--{name}", required=True)
    for name in ("batch", "threads", "repeat", "epochs", "warmup-epochs", "subset", "seed",
                 "timeout-s"):
        p.add_argument(f"--{name}", required=True, type=int)
    p.add_argument("--device", default="cpu", choices=("cpu", "gpu"))
    p.add_argument("--image", default=None, help="results/images/NAME.json (runner docker)")
    p.add_argument("--skip-reason", default="", help="record the cell as skipped, run nothing")
    return p.parse_args(argv)


def main(argv=None):
    # Snakemake stops jobs with SIGTERM (a closed terminal: SIGHUP): exit through `finally`,
    # which removes the container
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    a = parse_args(argv)
    cell = Cell(a.impl, a.dtype, a.batch, a.threads, a.repeat, a.device)
    settings = Settings(a.epochs, a.warmup_epochs, a.subset, a.seed, a.runner, a.timeout_s)
    image = json.loads(Path(a.image).read_text()) if a.image else None
    status = run(cell, settings, a.data, a.out, a.log, a.lock, image=image,
                 skip_reason=a.skip_reason or None)
    print(f"{cell}: {status}", file=sys.stderr)


if __name__ == "__main__":
    main()
