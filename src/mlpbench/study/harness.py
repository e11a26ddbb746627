"""The study's own processes and the machine's load, read from Linux's /proc.

study_pids() and cpu_seconds() measure the harness (Snakemake, the launcher, Docker's daemons)
beside a timed run; machine_report() is the load the study starts on, with its busiest other
processes. `python -m mlpbench.study.harness` prints that report.
"""

import os
import sys
import time

from mlpbench.measure.interference import busy_share, read_cpu_ticks, tick_deltas

DOCKER_COMMS = ("dockerd", "containerd")  # plus containerd-shim*: they relay container output
_sleep = time.sleep  # machine_report's pause; tests replace it to change the files meanwhile


def _read_stat(pid, proc):
    """(comm, parent, utime + stime ticks) from /proc/PID/stat, or None if the process is gone."""
    try:
        with open(f"{proc}/{pid}/stat") as f:
            head, _, tail = f.read().rpartition(")")  # comm may hold ')': split after the last
    except OSError:
        return None
    fields = tail.split()  # fields 3 onwards: the parent is field 4, utime and stime 14 and 15
    return (head.partition("(")[2], int(fields[1]), int(fields[11]) + int(fields[12]))


def process_cpu_seconds(pid, proc="/proc", ticks_per_s=None):
    """utime + stime of one process in seconds, from /proc/PID/stat; None if it is gone."""
    stat = _read_stat(pid, proc)
    return None if stat is None else stat[2] / (ticks_per_s or os.sysconf("SC_CLK_TCK"))


def _pids(proc):
    return sorted(int(name) for name in os.listdir(proc) if name.isdigit())


def _ancestors(me, proc):
    chain, pid = [], me
    while (stat := _read_stat(pid, proc)) is not None:
        pid = stat[1]
        if pid <= 1 or pid == me or pid in chain:  # stop at init; a cycle would mean a reused pid
            break
        chain.append(pid)
    return chain


def study_pids(proc="/proc", me=None):
    """The study's own processes that compete with a timed run.

    This process's ancestors up to (not including) PID 1: Snakemake, the launcher's shell; and
    Docker's daemons (comm dockerd, containerd or containerd-shim*). `me` defaults to this process.
    """
    pids = _ancestors(os.getpid() if me is None else me, proc)
    for pid in _pids(proc):
        stat = _read_stat(pid, proc)
        docker = stat and (stat[0] in DOCKER_COMMS or stat[0].startswith("containerd-shim"))
        if docker and pid not in pids:
            pids.append(pid)
    return pids


def cpu_seconds(pids, proc="/proc", ticks_per_s=None):
    """Sum of process_cpu_seconds over the pids that still exist."""
    seconds = (process_cpu_seconds(pid, proc, ticks_per_s) for pid in pids)
    return sum(s for s in seconds if s is not None)


def _snapshot(proc, stat_path):
    """Per-CPU ticks, and per process its comm and CPU ticks."""
    stats = ((pid, _read_stat(pid, proc)) for pid in _pids(proc))
    return read_cpu_ticks(stat_path), {pid: (s[0], s[2]) for pid, s in stats if s}


def machine_report(sample_s=1.0, top=5, proc="/proc", stat_path="/proc/stat",
                   loadavg_path="/proc/loadavg", busy_fraction=0.25):
    """Lines describing the machine's load now, and whether it is busy: (lines, busy).

    The lines give the load average (1, 5, 15 min) against the CPU count, the share of the
    machine's CPUs that other work used during a sample of sample_s seconds, and the `top`
    busiest other processes in it (not this process or its ancestors), each as
    'NAME (pid N): P% of a CPU'. busy is True when that share (machine-wide busy ticks from
    /proc/stat, minus this process's own) exceeds busy_fraction. sample_s may be 0.
    """
    with open(loadavg_path) as f:
        loads = f.read().split()[:3]
    cpus0, procs0 = _snapshot(proc, stat_path)
    _sleep(sample_s)
    cpus1, procs1 = _snapshot(proc, stat_path)
    lines = [f"load average: {' '.join(loads)} (1, 5, 15 min) on {len(cpus1)} CPUs"]
    # A process that started during the sample used all of its CPU time in it.
    used = {p: (c, t - procs0.get(p, (c, 0))[1]) for p, (c, t) in procs1.items()}
    me = os.getpid()
    busy, total = tick_deltas(cpus0, cpus1, cpus1)
    if total <= 0:
        lines.append(f"no clock tick passed in the {sample_s:g} s sample: no CPU use measured")
        return lines, False
    share = busy_share(busy, total, used.get(me, ("", 0))[1])
    lines.append(f"other work used {share:.0%} of the CPUs during a {sample_s:g} s sample")
    skip = {me, *_ancestors(me, proc)}
    others = sorted(((t, p, c) for p, (c, t) in used.items() if p not in skip and t > 0),
                    reverse=True)
    per_cpu = total / len(cpus1)  # ticks that one CPU had in the sample
    lines += [f"{c} (pid {p}): {100 * t / per_cpu:.0f}% of a CPU" for t, p, c in others[:top]]
    return lines, share > busy_fraction


def load_now():
    """machine_report(), or one line saying why the load cannot be read (no /proc: not Linux);
    this check must never stop a run."""
    try:
        return machine_report()
    except OSError as err:
        return [f"cannot read the machine's load: {err}"], False


def say(lines, busy):
    """Print machine_report's lines, and a warning when the machine is busy."""
    print("\n".join(f"mlpbench: {line}" for line in lines), file=sys.stderr)
    if busy:
        print("mlpbench: warning: the machine is busy; other work will slow the timings "
              "(disturbed runs are redone)", file=sys.stderr)


def main():
    say(*load_now())
    return 0


if __name__ == "__main__":
    sys.exit(main())
