"""Placement: the CPUs a timed process runs on, chosen by their idleness in a synthetic /proc/stat,
waiting within the study's budget, and the launcher's use of it."""

import json
import sys

import pytest

from mlpbench.study import grid, launch, placement, runner

# user nice system idle iowait irq softirq steal guest guest_nice
STAT = "cpu  {agg}\ncpu0 {cpu0}\ncpu1 {cpu1}\ncpu2 {cpu2}\nintr 1 2 3\n"


def stat_line(busy, idle):
    return f"{busy} 0 0 {idle} 0 0 0 0 0 0"


def stat_files(tmp_path, before, after):
    """Two /proc/stat snapshots from {cpu: (busy ticks, idle ticks)}; the second is written
    by the fake sleep between the two reads."""
    path = tmp_path / "stat"

    def write(ticks):
        lines = {f"cpu{c}": stat_line(*ticks[c]) for c in (0, 1, 2)}
        path.write_text(STAT.format(agg=stat_line(0, 0), **lines))

    write(before)
    return path, lambda seconds: write(after)


def test_busy_shares_are_each_cpus_busy_ticks_over_its_ticks(tmp_path):
    path, sleep = stat_files(tmp_path, {0: (100, 100), 1: (100, 100), 2: (0, 0)},
                             {0: (200, 100), 1: (105, 195), 2: (0, 100)})
    shares = placement.busy_shares([0, 1, 2, 7], stat_path=path, sleep=sleep)
    assert shares == {0: 1.0, 1: 0.05, 2: 0.0}  # CPU 7 is not in /proc/stat: left out


@pytest.mark.parametrize("threads, shares, cpus", [
    (1, {0: 0.98, 1: 0.02}, (1,)),
    (1, {0: 0.004, 1: 0.0}, (0,)),  # within a tick of each other: the lower id
    (2, {0: 0.9, 1: 0.0, 2: 0.1, 3: 0.5}, (1, 2)),
    (4, {0: 0.9, 1: 0.0}, (0, 1)),  # more threads than CPUs: all of them
])
def test_choose_takes_the_least_busy_cpus(threads, shares, cpus):
    assert placement.choose(threads, shares) == cpus


class Clock:
    """A clock that only the fake sleep and the fake look advance."""

    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds


def looks(clock, *shares_seq):
    """A look that returns the given shares in turn (the last one for ever) and takes
    WINDOW_S of the clock."""
    seq = list(shares_seq)

    def look(cpus):
        clock.now += placement.WINDOW_S
        return seq.pop(0) if len(seq) > 1 else seq[0]
    return look


def test_quiet_cpus_are_taken_without_waiting():
    clock = Clock()
    where = placement.place(1, {0, 1}, 0.1, 120, look=looks(clock, {0: 1.0, 1: 0.01}),
                            sleep=clock.sleep, clock=lambda: clock.now)
    assert where.cpus == (1,) and where.quiet and where.waited_s == 0
    assert where.cpuset() == "1" and where.busy_before() == 0.01


def test_busy_cpus_are_waited_for_until_they_are_quiet():
    clock = Clock()
    busy, quiet = {0: 1.0, 1: 0.5}, {0: 0.0, 1: 0.02}
    where = placement.place(2, {0, 1}, 0.1, 120, look=looks(clock, busy, busy, quiet),
                            sleep=clock.sleep, clock=lambda: clock.now)
    assert where.cpus == (0, 1) and where.quiet
    assert where.waited_s == 2 * (placement.BACKOFF_S + placement.WINDOW_S)


def test_the_wait_stops_when_the_budget_would_be_overspent():
    clock = Clock()
    where = placement.place(2, {0, 1}, 0.1, 10, look=looks(clock, {0: 1.0, 1: 0.0}),
                            sleep=clock.sleep, clock=lambda: clock.now)
    assert not where.quiet and where.cpus == (0, 1)
    assert where.waited_s <= 10 < where.waited_s + placement.BACKOFF_S + placement.WINDOW_S
    spent = placement.place(2, {0, 1}, 0.1, 0, look=looks(clock, {0: 1.0, 1: 0.0}),
                            sleep=clock.sleep, clock=lambda: clock.now)
    assert not spent.quiet and spent.waited_s == 0


def test_the_ledger_sums_the_studys_waits_and_says_each_in_one_line(tmp_path):
    ledger = tmp_path / "results" / "waits.log"
    assert placement.waited_s(ledger) == 0
    wait = placement.Placement((0, 1), {0: 0.9, 1: 0.0}, 30.0, False)
    line = placement.note(ledger, wait, "keras-fit-t2-cpu-r1-a1", 40)
    assert "\n" not in line and "keras-fit-t2-cpu-r1-a1" in line and "CPU 0 90%" in line
    assert "runs once, shortened and flagged" in line and "30 of 40 s" in line
    placement.note(ledger, placement.Placement((1,), {1: 0.0}, 6.0, True), "x", 40)
    assert placement.waited_s(ledger) == 36


# The launcher: a fake process that writes the records, and a fake look at the CPUs.

PROCESS = grid.Process("numpy-step2", 1, 1)
WRITE = ("import json, os, sys\n"
         "json.dump({'status': 'ok', 'impl': 'x', 'dtype': 'float32', 'batch': 100,\n"
         "           'epoch_wall_s': [1.0], 'interference': [INTERFERENCE],\n"
         "           'affinity': sorted(os.sched_getaffinity(0))},\n"
         "          open(sys.argv[1].format(dtype='float32', batch=100), 'w'))\n")


def launched(tmp_path, monkeypatch, shares, interference, threads=1, budget=0.0, attempts=3,
             epochs=None):
    """The record of one run; `epochs` collects each attempt's --epochs."""
    epochs = [] if epochs is None else epochs

    def command(options, process, settings, data, out, **kw):
        epochs.append(int(options[options.index("--epochs") + 1]))
        return [sys.executable, "-c", WRITE.replace("INTERFERENCE", interference), str(out)]

    monkeypatch.setattr(runner, "command", command)
    monkeypatch.setattr(placement, "busy_shares", lambda cpus: {c: shares.get(c, 0.0)
                                                                for c in cpus})
    monkeypatch.setattr(placement, "BACKOFF_S", 0.0)
    monkeypatch.setattr(launch.os, "sched_getaffinity", lambda pid: {0, 1})
    settings = grid.Settings(1, 1000, 0, "local", 30, attempts, 0.1, budget,
                             str(tmp_path / "waits.log"))
    out = tmp_path / "{dtype}_{batch}.json"
    launch.run(grid.Process("numpy-step2", threads, 1), [("float32", 100)], 2, settings, "d",
               out, tmp_path / "r.log", tmp_path / "lock")
    return json.loads((tmp_path / "float32_100.json").read_text())


@pytest.fixture
def two_cpus(monkeypatch):
    """The test process may be pinned to CPUs 0 and 1 (sched_setaffinity needs them)."""
    import os
    if not {0, 1} <= os.sched_getaffinity(0):
        pytest.skip("needs CPUs 0 and 1")


def test_a_run_goes_to_the_quiet_cpu_and_its_record_says_which(tmp_path, monkeypatch, two_cpus):
    rec = launched(tmp_path, monkeypatch, {0: 1.0, 1: 0.0}, "0.0")
    assert rec["cpus"] == "1" and rec["affinity"] == [1] and rec["placed_quiet"] is True
    assert rec["attempt"] == 1 and rec["placement_wait_s"] == 0
    assert not (tmp_path / "waits.log").exists()


def test_busy_cpus_past_the_budget_mean_one_flagged_attempt(tmp_path, monkeypatch, two_cpus,
                                                            capsys):
    epochs = []
    rec = launched(tmp_path, monkeypatch, {0: 1.0, 1: 0.0}, "0.9", threads=2, epochs=epochs)
    assert epochs == [1]  # the study's busy_epochs: its times are not used, so it is short
    assert rec["attempt"] == 1 and rec["disturbed"] is True and rec["earlier_attempts"] == []
    assert rec["cpus"] == "0,1" and rec["placed_quiet"] is False
    assert rec["cpus_busy_before"] == 1.0
    [line] = (tmp_path / "waits.log").read_text().splitlines()
    assert "stayed busy" in line and line in capsys.readouterr().err


def test_a_run_on_busy_cpus_is_flagged_even_when_its_epochs_look_quiet(tmp_path, monkeypatch,
                                                                      two_cpus):
    rec = launched(tmp_path, monkeypatch, {0: 1.0, 1: 0.0}, "0.0", threads=2)
    assert rec["disturbed"] is True and rec["placed_quiet"] is False


def test_a_quiet_run_times_every_epoch_of_its_design(tmp_path, monkeypatch, two_cpus):
    epochs = []
    launched(tmp_path, monkeypatch, {0: 0.0, 1: 0.0}, "0.0", threads=2, epochs=epochs)
    assert epochs == [2]


def test_a_disturbed_run_on_quiet_cpus_is_still_redone(tmp_path, monkeypatch, two_cpus):
    rec = launched(tmp_path, monkeypatch, {0: 0.0, 1: 0.0}, "0.9", attempts=2)
    assert rec["attempt"] == 2 and [e["cpus"] for e in rec["earlier_attempts"]] == ["0"]
