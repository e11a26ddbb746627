"""The machine a study starts on, described once: results/machine.json.

What the run records cannot say for themselves: the load when the study began, the memory, the
kernel, Docker's version, and the date. The study's `onstart` writes it (and prints the load);
`mlpbench archive` copies it into the published findings. On a cluster it describes the host
that runs Snakemake; the nodes that timed are in the records (`node`, `provenance`).
"""

import datetime
import os
import platform
import socket
import sys

from mlpbench import paths
from mlpbench.measure import provenance
from mlpbench.measure.records import write_atomic
from mlpbench.study import docker, harness


def memory_gib(meminfo="/proc/meminfo"):
    """MemTotal in GiB, or None where /proc/meminfo cannot be read."""
    try:
        with open(meminfo) as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal:"))
    except (OSError, StopIteration, ValueError):
        return None
    return round(kib / 2**20, 1)


def load_average(loadavg="/proc/loadavg"):
    try:
        with open(loadavg) as f:
            return [float(v) for v in f.read().split()[:3]]
    except OSError:
        return None


def describe(load_lines, busy):
    """The machine now: date (UTC), load, CPU, memory, kernel, Docker; load_lines and busy as
    harness.machine_report gives them."""
    ok, daemon = docker.docker_available()
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "load_average": load_average(),
        "load_report": load_lines,
        "busy_at_start": busy,
        **provenance.cpu_info(),
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib(),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "docker": daemon.removeprefix("Docker daemon ") if ok else None,
        "podman": docker.podman_version(),
    }


def at_start(path):
    """Print the machine's load (harness.main's lines) and write its description."""
    lines, busy = harness.load_now()
    harness.say(lines, busy)
    write_atomic(describe(lines, busy), path)


if __name__ == "__main__":
    at_start(sys.argv[1] if len(sys.argv) > 1 else paths.MACHINE)
