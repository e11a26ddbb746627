"""How much CPU other work took from a timed run, read from Linux's /proc.

InterferenceMeter brackets an interval (an epoch) with /proc/stat's per-CPU tick counts:

- interference = (busy seconds on the run's own CPUs - this process's CPU seconds) / (seconds
  elapsed on those CPUs: the sum of their total-tick deltas / ticks_per_s). 0 = quiet,
  1 = other processes had all of the run's CPUs.
- machine_busy = the same over all CPUs: memory bandwidth and caches are shared.

Busy is user, nice, system, irq, softirq and steal, not idle or iowait. Both are clamped to
[0, 1], and 0.0 for an interval shorter than a tick. Standard library only: the timed process
imports this before its thread limits are set. The study's own processes and the machine's load
at its start are the study's (mlpbench.study.harness).
"""

import os
import time

# Fields of a /proc/stat cpuN line: user nice system idle iowait irq softirq steal guest
# guest_nice. guest and guest_nice are already inside user and nice, so totals stop at steal.
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


def read_cpu_ticks(stat_path="/proc/stat"):
    """Per CPU id: (busy ticks, total ticks) from the cpuN lines (not the aggregate 'cpu')."""
    ticks = {}
    with open(stat_path) as f:
        for line in f:
            words = line.split()
            if not words or not words[0].startswith("cpu") or words[0] == "cpu":
                continue
            values = [int(v) for v in words[1:9]]
            ticks[int(words[0][3:])] = (sum(values[i] for i in BUSY_FIELDS), sum(values))
    return ticks


def tick_deltas(before, after, cpus):
    """Busy and total ticks spent between two snapshots on those CPUs present in both."""
    both = [c for c in cpus if c in before and c in after]
    return tuple(sum(after[c][i] - before[c][i] for c in both) for i in (0, 1))


def busy_share(busy, total, own_ticks):
    return min(1.0, max(0.0, (busy - own_ticks) / total)) if total > 0 else 0.0


class InterferenceMeter:
    """Brackets a timed interval: begin(), then end() -> {"interference", "machine_busy"}.

    cpus: the CPU ids this process is pinned to (e.g. sorted(os.sched_getaffinity(0))).
    /proc/stat counts in ticks (usually 10 ms), so 0.3 s on one CPU resolves to about +-3%.
    It works inside a Docker container too: its /proc/stat shows the host's CPUs, and with
    --cpuset-cpus, sched_getaffinity gives the same host CPU ids.
    """

    def __init__(self, cpus, stat_path="/proc/stat", ticks_per_s=None, own_cpu=time.process_time):
        self.cpus, self.stat_path, self.own_cpu = sorted(cpus), stat_path, own_cpu
        self.ticks_per_s = ticks_per_s or os.sysconf("SC_CLK_TCK")
        self._start = None

    def begin(self):
        self._start = read_cpu_ticks(self.stat_path), self.own_cpu()

    def end(self):
        if self._start is None:
            raise RuntimeError("InterferenceMeter.end() called before begin()")
        own_ticks = (self.own_cpu() - self._start[1]) * self.ticks_per_s  # read first: nested
        before, after = self._start[0], read_cpu_ticks(self.stat_path)
        # The denominator is ticks too, not a wall clock: both sides come from one clock.
        busy, total = tick_deltas(before, after, self.cpus)
        if total <= 0:
            return {"interference": 0.0, "machine_busy": 0.0}
        return {"interference": busy_share(busy, total, own_ticks),
                "machine_busy": busy_share(*tick_deltas(before, after, after), own_ticks)}
