"""Launch one timed run of the grid in its own process, and keep its failure as a record.

Called by the workflow's bench rule as `python -m mlpbench.launch ...` (a `shell:` job: no
Snakemake process is spawned per run). `command()` is the one place that decides how a cell is
executed (`runner: local` today; a container runner adds its branch there). `run()` holds an
exclusive lock around the timed process, so no two timed runs overlap even when the scheduler
is told otherwise, and turns a crash or a timeout into a record with status "error" and the
tail of stderr as the reason.
"""

import argparse
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from mlpbench.grid import Cell, Settings

ERROR_TAIL_CHARS = 2000


def command(cell, settings, data_path, out_path, python=sys.executable):
    """The argv that runs `cell` under settings.runner and writes its record to out_path."""
    if settings.runner == "local":
        return [python, "-m", "mlpbench", "run", "--impl", cell.impl, "--dtype", cell.dtype,
                "--batch", str(cell.batch), "--threads", str(cell.threads),
                "--epochs", str(settings.epochs), "--warmup-epochs", str(settings.warmup_epochs),
                "--subset", str(settings.subset), "--seed", str(settings.seed),
                "--data", str(data_path), "--out", str(out_path)]
    raise ValueError(f"runner {settings.runner!r} is not supported")


def environment(settings):
    return {**os.environ, "MLPBENCH_RUNNER": settings.runner}


def error_record(cell, settings, reason):
    """A record for a run that produced none (schema_version 1 fields, status "error")."""
    return {
        "schema_version": 1, "status": "error", "reason": reason,
        "impl": cell.impl, "workload": None, "dtype": cell.dtype, "batch": cell.batch,
        "threads": cell.threads, "epochs": settings.epochs,
        "warmup_epochs": settings.warmup_epochs, "subset": settings.subset,
        "seed": settings.seed, "epoch_wall_s": [], "epoch_cpu_s": [], "cpu_per_wall": [],
        "phase_s": None, "runner": settings.runner, "image_digest": None, "provenance": None,
    }


def _tail(path, chars=ERROR_TAIL_CHARS):
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    return text[-chars:].strip()


def write_json(record, out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, out)


def run(cell, settings, data_path, out_path, log_path, lock_path):
    """Run the cell once; always leave a record at out_path. Returns its status."""
    argv = command(cell, settings, data_path, out_path)
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    Path(lock_path).parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock, open(log_path, "a") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        fcntl.flock(lock, fcntl.LOCK_EX)  # one timed run at a time on this host
        started = time.perf_counter()
        try:
            proc = subprocess.run(argv, stdout=log, stderr=log, env=environment(settings),
                                  timeout=settings.timeout_s, check=False)
            reason = None if proc.returncode == 0 else f"exit status {proc.returncode}"
        except subprocess.TimeoutExpired:
            reason = f"killed after timeout_s={settings.timeout_s} s"
        finally:
            process_wall_s = time.perf_counter() - started
            fcntl.flock(lock, fcntl.LOCK_UN)
    if reason is None and not Path(out_path).exists():
        reason = "exit status 0 but no record written"
    if reason is None:
        record = json.loads(Path(out_path).read_text())
    else:
        record = error_record(cell, settings, f"{reason}: {_tail(log_path)}")
    record["repeat"] = cell.repeat
    record["command"] = argv
    record["process_wall_s"] = process_wall_s  # the whole process: start-up, data, evaluation
    write_json(record, out_path)
    return record["status"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.launch", description=__doc__)
    for name in ("impl", "dtype", "runner", "data", "out", "log", "lock"):
        p.add_argument(f"--{name}", required=True)
    for name in ("batch", "threads", "repeat", "epochs", "warmup-epochs", "subset", "seed",
                 "timeout-s"):
        p.add_argument(f"--{name}", required=True, type=int)
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    cell = Cell(a.impl, a.dtype, a.batch, a.threads, a.repeat)
    settings = Settings(a.epochs, a.warmup_epochs, a.subset, a.seed, a.runner, a.timeout_s)
    status = run(cell, settings, a.data, a.out, a.log, a.lock)
    print(f"{cell}: {status}", file=sys.stderr)


if __name__ == "__main__":
    main()
