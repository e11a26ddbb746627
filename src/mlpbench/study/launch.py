"""Launch one timed process of the study, redo its disturbed runs, keep failures as records.

Called by the workflow's bench, pilot and adapt rules. mlpbench.study.runner writes the
command line under the study's runner: `local` on this host, `docker` in the image that
results/images/{cpu,cuda}.json describe (loaded from its archive first where this node's daemon
lacks it: mlpbench.study.image_archive). `run()` holds
the node's timing lock (mlpbench.study.node) around the timed process, so no two timed
processes overlap even when the scheduler is told otherwise. A run with an epoch whose
interference (mlpbench.measure.interference) exceeds `disturbed_above` (plus the tick
resolution) is redone in a new process, up to `attempts` attempts in all; the final record
keeps the earlier attempts. A crash or a timeout becomes a record with status "error" and the
tail of stderr as the reason. A failure of the machinery (mlpbench.study.faults: the container
runtime, a kill from outside) is no result: the attempt leaves no record and is retried once
the runtime answers, or the process exits with one line naming the cause. A process the
workflow knows cannot run here (a GPU process without a GPU) is recorded as skipped. Every
record names the node, its SLURM job and GPUs.

Each attempt runs on the quietest of the CPUs this launcher may use (mlpbench.study.placement),
chosen under the lock just before it starts, and its record names them (`cpus`). When they stay
busy beyond the study's wait budget, the attempt is the last: it is measured once, over the
study's `busy_epochs` timed epochs per cell, and flagged, since its times are not used.
"""

import argparse
import dataclasses
import json
import os
import resource
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from mlpbench import paths
from mlpbench.measure import DEVICES, records, timing
from mlpbench.study import docker, faults, harness, image_archive, node, placement, runner
from mlpbench.study.grid import Process, Settings, process_cells

ERROR_TAIL_CHARS = 2000
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def disturbed(record, threshold):
    """Whether a timed epoch, or the timed epochs together (interference_run, from t_start to
    t_end), lost more than `threshold` of the run's CPUs to other work, beyond the two ticks
    per CPU that /proc/stat's counts can be off by over an interval."""
    walls = record.get("epoch_wall_s") or []
    if any(share > threshold + 2 * TICK_S / wall
           for share, wall in zip(record.get("interference") or [], walls, strict=True)):
        return True
    span = (record.get("t_end") or 0) - (record.get("t_start") or 0)
    whole = record.get("interference_run")
    return whole is not None and span > 0 and whole > threshold + 2 * TICK_S / span


def _tail(path, chars=ERROR_TAIL_CHARS):
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    return text[-chars:].strip()


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _argv(process, cells, epochs, settings, data_path, out, where, image=None, name=None,
          order_seed=None):
    """The attempt's argv once it is placed: on CPUs that stayed busy it is flagged whatever it
    measures, so it times only the study's busy_epochs per cell."""
    timed = epochs if where.quiet else min(epochs, settings.busy_epochs)
    return runner.command(runner.run_options(process, cells, timed, settings, order_seed),
                          process, settings, data_path, out, image=image, name=name,
                          cpus=where.cpus)


def _execute(build, tag, threads, settings, log_path, lock_path, name):
    """Place the attempt, then run build(where) under the node's timing lock; (argv, placement,
    failure reason or None, returncode (None: killed on timeout), process wall s, harness
    CPU s)."""
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    with node.timing_lock(lock_path), open(log_path, "a") as log:
        if name:  # nothing of an earlier, killed run may compete with this one
            for leftover in docker.remove_leftovers(settings.runner):
                log.write(f"removed a leftover container {leftover}\n")
        where = placement.for_attempt(tag, threads, settings, log)
        argv = build(where=where)
        log.write(f"$ {' '.join(argv)}\n")
        log.flush()
        harness_pids = harness.study_pids()
        harness_cpu0, children0 = harness.cpu_seconds(harness_pids), _children_cpu()
        started, finished, returncode = time.perf_counter(), False, None
        # runner local: the process inherits the chosen CPUs and pins within them; the
        # docker client (name set) is not pinned: --cpuset-cpus pins its container
        pin = None if name else (lambda: os.sched_setaffinity(0, where.cpus))
        try:
            proc = subprocess.run(argv, stdout=log, stderr=log, env=environment(settings),
                                  timeout=settings.timeout_s, check=False, preexec_fn=pin)
            finished, returncode = True, proc.returncode
            reason = None if returncode == 0 else f"exit status {returncode}"
        except subprocess.TimeoutExpired:
            reason = f"killed after timeout_s={settings.timeout_s} s"
        finally:
            if name and not finished:  # killing the docker client leaves its container
                subprocess.run(docker.kill_argv(name, settings.runner), capture_output=True,
                               check=False)
            wall = time.perf_counter() - started
            harness_cpu = harness.cpu_seconds(harness_pids) - harness_cpu0
            if name:  # the docker client is the study's, not the run's
                harness_cpu += _children_cpu() - children0
    return argv, where, reason, returncode, wall, harness_cpu


def environment(settings):
    """A local run's environment: its runner, and the tree whose revision its record names."""
    env = {**os.environ, "MLPBENCH_RUNNER": settings.runner}
    return {**env, "MLPBENCH_REPO": settings.repo} if settings.repo else env


def run(process, cells, epochs, settings, data_path, out, log_path, lock_path, image=None,
        skip_reason=None, order_seed=None):
    """Run `cells` [(dtype, batch)] of `process`; leave a record for each at
    out.format(dtype=, batch=). Returns {(dtype, batch): status}."""
    cell = {"impl": process.impl, "threads": process.threads, "device": process.device,
            "epochs": epochs, "warmup_epochs": settings.warmup_epochs,
            "subset": settings.subset, "seed": settings.seed}
    digest = image["image_id"] if image else None
    here = node.identity()
    # more threads than CPUs: its runs are skipped, with nothing to start and no CPUs to wait for
    skip_reason = skip_reason or timing.too_few_cpus(process.threads,
                                                     len(os.sched_getaffinity(0)))
    if settings.runner in docker.RUNTIMES and not skip_reason:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "a") as log:
            faults.runtime_or_stop(f"{process}: no container runtime", settings, log)
        if image:  # a node without it loads it from the study's archive, not while others time
            with node.timing_lock(lock_path), open(log_path, "a") as log:
                image_archive.ensure_loaded(image, log, docker=settings.runner)
    pending, earlier, statuses = list(cells), {c: [] for c in cells}, {}
    attempt, retried = 1, 0
    while pending and attempt <= settings.attempts:
        name = f"{process.impl}-t{process.threads}-{process.device}-r{process.repeat}"
        tag = f"{name}-a{attempt}"
        paths = {c: Path(str(out).format(dtype=c[0], batch=c[1])) for c in pending}
        if skip_reason:
            argv, where, reason, wall, harness_cpu = [], None, None, 0.0, 0.0
        else:
            for path in paths.values():  # a record found afterwards is this attempt's
                path.unlink(missing_ok=True)
            if attempt > 1:  # let a passing disturbance pass before looking for quiet CPUs
                time.sleep(placement.BACKOFF_S)
            cname = docker.container_name(tag) if settings.runner in docker.RUNTIMES else None
            argv, where, reason, returncode, wall, harness_cpu = _execute(
                partial(_argv, process, list(pending), epochs, settings, data_path, out,
                        image=image, name=cname, order_seed=order_seed),
                tag, process.threads, settings, log_path, lock_path, cname)
            fault = faults.machinery(settings.runner, returncode, _tail(log_path, 300))
            if fault:  # not a result: no record; the same attempt again, or the study stops
                faults.after(f"{tag}: {fault}", paths.values(), retried, settings, log_path)
                retried += 1
                continue
        # CPUs that stayed busy would disturb another attempt just the same
        busy = where is not None and not where.quiet
        last = attempt == settings.attempts or busy
        still = []
        for dtype, batch in pending:
            path = paths[(dtype, batch)]
            fields = {**cell, "dtype": dtype, "batch": batch}
            if skip_reason:
                record = records.error_record(fields, skip_reason, "skipped", settings.runner,
                                              digest)
            elif path.exists():  # written before the process ended, even if it then failed
                record = records.read(path)
            else:
                why = reason or "exit status 0 but no record written"
                record = records.error_record(fields, f"{why}: {_tail(log_path)}",
                                              runner=settings.runner, image_digest=digest)
            record.update(repeat=process.repeat, process=tag, attempt=attempt,
                          disturbed=busy or disturbed(record, settings.disturbed_above),
                          command=argv, process_wall_s=wall,
                          harness_cpu_per_wall=harness_cpu / wall if wall else None,
                          **(where.fields() if where else placement.NOT_PLACED), **here)
            if record["disturbed"] and not last:
                earlier[(dtype, batch)].append(record)
                still.append((dtype, batch))
                continue
            record["earlier_attempts"] = earlier[(dtype, batch)]
            records.write_atomic(record, path)
            statuses[(dtype, batch)] = record["status"]
        pending, attempt = still, attempt + 1
    return statuses


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m mlpbench.study.launch", description=__doc__)
    for name in ("impl", "runner", "data", "out", "log", "lock", "dtypes", "batches"):
        p.add_argument(f"--{name}", required=True)
    for name in ("threads", "repeat", "warmup-epochs", "subset", "seed", "timeout-s",
                 "attempts"):
        p.add_argument(f"--{name}", required=True, type=int)
    p.add_argument("--disturbed-above", required=True, type=float)
    p.add_argument("--wait-budget-s", type=float, default=Settings.wait_budget_s,
                   help="the study's budget for waiting for quiet CPUs")
    p.add_argument("--waits", default=Settings.waits,
                   help=f"the study's wait ledger ({paths.WAITS})")
    p.add_argument("--busy-epochs", type=int, default=Settings.busy_epochs,
                   help="timed epochs per cell when the CPUs stayed busy (the run is flagged)")
    epochs = p.add_mutually_exclusive_group(required=True)
    epochs.add_argument("--epochs", type=int, help="timed epochs per cell")
    epochs.add_argument("--design", help=f"{paths.DESIGN}: its epochs for this impl")
    p.add_argument("--device", default="cpu", choices=DEVICES)
    p.add_argument("--order-seed", type=int, default=None, help="shuffles the cells' order")
    p.add_argument("--image", default=None, help=f"{paths.IMAGE} (runner docker)")
    p.add_argument("--skip-reason", default="", help="record the runs as skipped, run nothing")
    p.add_argument("--repo", default=Settings.repo, help="the tree the study runs in")
    p.add_argument("--fault-wait-s", type=float, default=Settings.fault_wait_s,
                   help="how long a run the machinery failed waits for the runtime to answer")
    p.add_argument("--fault-retries", type=int, default=Settings.fault_retries,
                   help="how often a process the machinery failed is retried")
    p.add_argument("--runtime-down", default=Settings.runtime_down,
                   help=f"{paths.RUNTIME_DOWN}: the runtime did not answer an earlier run")
    return p.parse_args(argv)


def main(argv=None):
    # Snakemake stops jobs with SIGTERM (a closed terminal: SIGHUP): exit through `finally`,
    # which removes the container
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    a = parse_args(argv)
    process = Process(a.impl, a.threads, a.repeat, a.device)
    settings = Settings(**{f.name: getattr(a, f.name) for f in dataclasses.fields(Settings)})
    epochs = a.epochs or json.loads(Path(a.design).read_text())["epochs"][a.impl]
    cells = process_cells({"dtypes": a.dtypes.split(","),
                           "batches": [int(b) for b in a.batches.split(",")]})
    image = json.loads(Path(a.image).read_text()) if a.image else None
    try:
        statuses = run(process, cells, epochs, settings, a.data, a.out, a.log, a.lock,
                       image=image, skip_reason=a.skip_reason or None, order_seed=a.order_seed)
    except faults.MachineryFault as e:
        sys.exit(f"mlpbench: {e}. No record written: a re-run redoes {process}.")
    print(f"{process}: {statuses}", file=sys.stderr)


if __name__ == "__main__":
    main()
