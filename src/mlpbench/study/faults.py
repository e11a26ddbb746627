"""Whose fault a failed timed process is: the measured program's, or the machinery's.

A crash of `mlpbench run` itself (a traceback: exit 1; a signal it raised: SIGSEGV, SIGABRT,
...) or a run past `timeout_s` is a finding: it stays an `error` record. A failure of what runs
it is not a result, and must not become one:
- the container runtime failed (`docker run` exits 125; 126 and 127: the command in the image
  could not be invoked or found), for example because its daemon stopped or the image is gone;
- the process was killed by a signal it did not send itself (SIGKILL, SIGTERM, SIGINT, SIGHUP:
  `docker kill`, the OOM killer, a daemon going down, a user).

The launcher (mlpbench.study.launch) leaves no record for such an attempt. It waits, within the
study's `runner_faults.wait_s`, for the runtime to answer again, and retries the attempt, at
most `runner_faults.retries` times per process; otherwise it stops the study with one line
naming the cause (MachineryFault), so that a re-run redoes exactly those runs.

An `error` record counts as done, so a re-run keeps it; with `redo_errors: true` the workflow
removes the study's error records (`error_records()`) and their processes run again.
"""

import json
import signal
import time
from pathlib import Path

from mlpbench.study.docker import runtime_available

RUNTIME_EXITS = {
    125: "the container runtime failed",
    126: "the command in the image could not be invoked",
    127: "the command was not found in the image",
}
OUTSIDE_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGKILL, signal.SIGTERM)
POLL_S = 5.0  # between two questions to a runtime that does not answer


class MachineryFault(RuntimeError):
    """A timed process failed for a reason outside the measured program, and could not be
    retried: the study stops, with no record of it."""


def killed_by(returncode, runner):
    """The signal that ended a process from outside, or None. A local run's returncode is
    -signal; `docker run` (with --init) exits 128 + signal."""
    if returncode is None:
        return None
    number = -returncode if runner == "local" else returncode - 128
    return next((s for s in OUTSIDE_SIGNALS if s == number), None)


def machinery(runner, returncode, said=""):
    """Why a process that ended with `returncode` failed outside the measured program (one
    line), or None when it is the program's own failure or no failure. said: the tail of
    what the process printed, whose last line says what the runtime reported."""
    if returncode is None or returncode == 0:
        return None
    last = (said.strip().splitlines() or [""])[-1].strip()
    if runner != "local" and returncode in RUNTIME_EXITS:
        return f"{RUNTIME_EXITS[returncode]} (exit {returncode}){': ' + last if last else ''}"
    sig = killed_by(returncode, runner)
    if sig is not None:
        return f"killed from outside by {sig.name} (exit {returncode})"
    return None


def runtime_answers(runner):
    """(True, what) when the runner's runtime can start a process, else (False, why not)."""
    if runner == "local":
        return True, "runs on this host"
    return runtime_available(runner)


def await_runtime(runner, wait_s, log, down=None, clock=time.monotonic, sleep=time.sleep):
    """Wait until the runtime answers, at most wait_s seconds; (answered, why not).

    down: a file the study's processes share. The one that waits in vain writes it, and the
    next ones do not wait again (with keep-going, a stopped daemon would otherwise cost every
    remaining process the whole wait); the first to find the runtime answering removes it."""
    deadline, waited = clock() + wait_s, False
    while True:
        ok, why = runtime_answers(runner)
        if ok:
            if down:
                Path(down).unlink(missing_ok=True)
            if waited:
                log.write(f"runtime answers again: {why}\n")
            return True, why
        if clock() >= deadline or (down and Path(down).exists()):
            log.write(f"runtime still not answering: {why}\n")
            log.flush()
            if down:
                Path(down).parent.mkdir(parents=True, exist_ok=True)
                Path(down).write_text(f"{why}\n")
            return False, why
        waited = True
        log.write(f"runtime not answering, waiting up to {wait_s:g} s: {why}\n")
        log.flush()
        sleep(min(POLL_S, max(0.0, deadline - clock())))


def runtime_or_stop(fault, settings, log):
    """Wait for the runtime (await_runtime, the study's wait and file); MachineryFault naming
    `fault` when it does not answer."""
    answered, why = await_runtime(settings.runner, settings.fault_wait_s, log,
                                  settings.runtime_down)
    if not answered:
        raise MachineryFault(f"{fault}; the runtime did not answer within "
                             f"{settings.fault_wait_s:g} s (here or in an earlier run): {why}")


def after(fault, record_paths, retried, settings, log_path):
    """An attempt the machinery failed: remove what it wrote, then wait for the runtime to
    answer again so that it can be retried; MachineryFault when it may not be."""
    remove(record_paths)
    with open(log_path, "a") as log:
        log.write(f"not a result, no record kept: {fault}\n")
        if retried >= settings.fault_retries:
            raise MachineryFault(f"{fault}; already retried {retried} time(s)")
        runtime_or_stop(fault, settings, log)


def error_records(record_paths):
    """The records among record_paths whose status is `error`."""
    found = []
    for path in map(Path, record_paths):
        try:
            status = json.loads(path.read_text()).get("status")
        except (OSError, ValueError):  # not written yet, or cut short: run again anyway
            continue
        if status == "error":
            found.append(path)
    return found


def remove(record_paths):
    """Remove the records (or any files) at record_paths, those that exist."""
    for path in record_paths:
        Path(path).unlink(missing_ok=True)
