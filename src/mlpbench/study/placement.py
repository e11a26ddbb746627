"""Where a timed process runs: the quietest of the CPUs it may use, looked at just before it starts.

`busy_shares()` reads /proc/stat's per-CPU ticks over about a second, `choose()` takes the
`threads` least busy CPUs, and `place()` waits, within what is left of the study's wait budget,
until the chosen ones are quiet. The budget is the study's, not the process's: every wait is a
line of the study's wait ledger (results/waits.log), which the launcher reads and appends to
while it holds the node's timing lock. A process that finds its CPUs busy once the budget is
spent runs once, on the quietest CPUs there are, and is flagged: redoing it on a CPU known to
be busy would spend attempts that measure the same disturbance again. It times the study's
`busy_epochs` per cell (mlpbench.study.launch): enough to record what the cell took under that
load, no more, since a flagged run's times are never used.
"""

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mlpbench.measure.interference import busy_share, read_cpu_ticks, tick_deltas

WINDOW_S = 1.0  # how long busy_shares looks: 100 ticks of 10 ms, so 1% resolution
BACKOFF_S = 2.0  # between two looks while waiting, and before a disturbed run is redone


@dataclass(frozen=True)
class Placement:
    """The CPUs chosen, every allowed CPU's busy share at the last look, the seconds waited
    for them, and whether each chosen CPU was quiet (busy at most the threshold)."""

    cpus: tuple
    shares: dict
    waited_s: float
    quiet: bool

    def cpuset(self):
        """The chosen CPUs as --cpuset-cpus and taskset write them: "0,1"."""
        return ",".join(map(str, self.cpus))

    def busy_before(self):
        """The busiest chosen CPU's share at the last look."""
        return max(self.shares[c] for c in self.cpus)

    def fields(self):
        """A record's placement fields: the CPUs it ran on ("0,1"), the busiest one's share
        just before, the seconds waited for them, and whether they were quiet."""
        return {"cpus": self.cpuset(), "cpus_busy_before": round(self.busy_before(), 3),
                "placement_wait_s": round(self.waited_s, 1), "placed_quiet": self.quiet}


NOT_PLACED = dict.fromkeys(("cpus", "cpus_busy_before", "placement_wait_s", "placed_quiet"))


def busy_shares(cpus, window_s=WINDOW_S, stat_path="/proc/stat", sleep=time.sleep):
    """{cpu: share of the window it was busy} for those of `cpus` that /proc/stat lists."""
    before = read_cpu_ticks(stat_path)
    sleep(window_s)
    after = read_cpu_ticks(stat_path)
    return {cpu: busy_share(*tick_deltas(before, after, [cpu]), 0)
            for cpu in cpus if cpu in before and cpu in after}


def choose(threads, shares):
    """The `threads` least busy CPUs, in id order; among CPUs within 1% of each other (the
    resolution of a one-second look) the lower id."""
    ranked = sorted(shares, key=lambda cpu: (round(shares[cpu], 2), cpu))
    return tuple(sorted(ranked[: max(1, threads)]))


def place(threads, allowed, busy_above, budget_left_s, *, look=None, sleep=time.sleep,
          clock=time.monotonic):
    """Choose `threads` of the `allowed` CPUs; while the chosen ones are busier than
    `busy_above`, wait and look again, as long as `budget_left_s` allows another look.
    look(cpus) -> {cpu: busy share}: busy_shares by default."""
    look = look or busy_shares
    started = None
    while True:
        shares = look(sorted(allowed))
        now = clock()
        started = now if started is None else started  # the first look is no wait
        cpus = choose(threads, shares)
        quiet = all(shares[cpu] <= busy_above for cpu in cpus)
        waited = now - started
        if quiet or waited + BACKOFF_S + WINDOW_S > budget_left_s:
            return Placement(cpus, shares, waited, quiet)
        sleep(BACKOFF_S)


def for_attempt(tag, threads, settings, log):
    """The quietest CPUs for an attempt of a timed process, waiting within the study's budget
    (settings: grid.Settings); a wait, or CPUs that stayed busy, is one line in the study's
    ledger, the run's log and stderr."""
    budget_left = settings.wait_budget_s - (waited_s(settings.waits) if settings.waits else 0.0)
    where = place(threads, os.sched_getaffinity(0), settings.disturbed_above, budget_left)
    if where.waited_s > 0 or not where.quiet:
        line = (note(settings.waits, where, tag, settings.wait_budget_s)
                if settings.waits else f"{tag}: CPUs {where.cpuset()} busy")
        log.write(line + "\n")
        print(line, file=sys.stderr)
    return where


def waited_s(ledger):
    """Seconds the study has waited so far: the sum of its ledger's first fields."""
    path = Path(ledger)
    if not path.exists():
        return 0.0
    return sum(float(line.split()[0]) for line in path.read_text().splitlines() if line.strip())


def note(ledger, placement, process, budget_s):
    """Append a wait to the ledger and return the one line that says it."""
    spent = waited_s(ledger) + placement.waited_s
    shares = ", ".join(f"CPU {c} {placement.shares[c]:.0%}" for c in placement.cpus)
    outcome = ("they were quiet" if placement.quiet else
               "they stayed busy; the study's wait budget is spent, so it runs once, "
               "shortened and flagged")
    line = (f"{placement.waited_s:.1f} s waited by {process} for {shares}: {outcome} "
            f"({spent:.0f} of {budget_s:.0f} s of the study's wait budget spent)")
    Path(ledger).parent.mkdir(parents=True, exist_ok=True)
    with open(ledger, "a") as f:
        f.write(line + "\n")
    return line
