import os

import pytest

from mlpbench.measure.interference import BUSY_FIELDS, InterferenceMeter, read_cpu_ticks
from mlpbench.study import harness
from mlpbench.study.harness import cpu_seconds, machine_report, process_cpu_seconds, study_pids

HZ = 100
FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_line(name, **ticks):
    # guest and guest_nice are already inside user and nice: a large value here must not count
    values = [ticks.get(f, 0) for f in FIELDS] + [ticks.get("guest", 0), 0]
    return f"{name} " + " ".join(map(str, values))


def write_stat(path, cpus):
    """cpus: per CPU id, its tick counts by field name."""
    lines = [cpu_line("cpu", user=sum(t.get("user", 0) for t in cpus.values()))]
    lines += [cpu_line(f"cpu{i}", **t) for i, t in cpus.items()]
    lines += ["intr 12345 0 0", "ctxt 999", "btime 1700000000", ""]
    path.write_text("\n".join(lines))


class Clock:
    """A fake own_cpu: returns the seconds it is set to."""

    def __init__(self):
        self.s = 0.0

    def __call__(self):
        return self.s


def measure(tmp_path, cpus, before, after, own_s):
    stat, clock = tmp_path / "stat", Clock()
    meter = InterferenceMeter(cpus, stat_path=stat, ticks_per_s=HZ, own_cpu=clock)
    write_stat(stat, before)
    meter.begin()
    write_stat(stat, after)
    clock.s = own_s
    return meter.end()


def test_busy_fields_are_user_nice_system_irq_softirq_steal():
    assert tuple(FIELDS[i] for i in BUSY_FIELDS) == (
        "user", "nice", "system", "irq", "softirq", "steal")


def test_read_cpu_ticks(tmp_path):
    write_stat(tmp_path / "stat", {0: dict(user=5, idle=7, iowait=3, steal=2, guest=50),
                                   3: dict(system=1, irq=2, softirq=4, nice=8)})
    assert read_cpu_ticks(tmp_path / "stat") == {0: (7, 17), 3: (15, 15)}


def test_quiet_run_is_zero(tmp_path):
    result = measure(tmp_path, [0], {0: {}}, {0: dict(user=80, system=20)}, own_s=1.0)
    assert result == {"interference": 0.0, "machine_busy": 0.0}


def test_other_process_took_half_the_cpu(tmp_path):
    result = measure(tmp_path, [0], {0: dict(user=10, idle=10)},
                     {0: dict(user=110, idle=10)}, own_s=0.5)
    assert result == {"interference": 0.5, "machine_busy": 0.5}


def test_steal_counts_as_busy(tmp_path):
    result = measure(tmp_path, [0], {0: {}}, {0: dict(user=75, steal=25)}, own_s=0.75)
    assert result["interference"] == 0.25


def test_idle_and_iowait_do_not_count(tmp_path):
    result = measure(tmp_path, [0], {0: {}}, {0: dict(user=50, idle=30, iowait=20)}, own_s=0.5)
    assert result == {"interference": 0.0, "machine_busy": 0.0}


def test_other_cpus_busy_count_for_machine_only(tmp_path):
    before = {i: {} for i in range(4)}
    after = {0: dict(user=100), 1: dict(idle=100), 2: dict(user=100), 3: dict(system=100)}
    result = measure(tmp_path, [0, 1], before, after, own_s=1.0)
    assert result == {"interference": 0.0, "machine_busy": 0.5}


def test_clamped_to_zero_and_one(tmp_path):
    # own CPU time can exceed the tick count by up to a tick per CPU: never below 0
    low = measure(tmp_path, [0], {0: {}}, {0: dict(user=50, idle=50)}, own_s=0.6)
    assert low == {"interference": 0.0, "machine_busy": 0.0}
    high = measure(tmp_path, [0], {0: {}}, {0: dict(user=100)}, own_s=-0.5)
    assert high == {"interference": 1.0, "machine_busy": 1.0}


def test_interval_shorter_than_a_tick_is_zero(tmp_path):
    same = {0: dict(user=5, idle=5), 1: dict(user=1)}
    assert measure(tmp_path, [0], same, same, own_s=0.001) == {
        "interference": 0.0, "machine_busy": 0.0}


def test_end_before_begin_raises(tmp_path):
    with pytest.raises(RuntimeError):
        InterferenceMeter([0], stat_path=tmp_path / "stat").end()


def test_real_proc_stat_has_the_affinity_cpus():
    ticks = read_cpu_ticks()
    assert set(os.sched_getaffinity(0)) <= set(ticks)
    assert all(0 <= busy <= total for busy, total in ticks.values())
    meter = InterferenceMeter(sorted(os.sched_getaffinity(0)))
    meter.begin()
    result = meter.end()
    assert all(0.0 <= v <= 1.0 for v in result.values())


def write_proc(proc, pid, comm, ppid, utime=0, stime=0):
    # fields 3..15: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    rest = ["S", ppid, pid, pid, 0, -1, 4194304, 10, 0, 0, 0, utime, stime, 0, 0, 20, 0, 1]
    (proc / str(pid)).mkdir(parents=True, exist_ok=True)
    (proc / str(pid) / "stat").write_text(f"{pid} ({comm}) " + " ".join(map(str, rest)) + "\n")


def test_process_cpu_seconds(tmp_path):
    write_proc(tmp_path, 42, "python", 1, utime=250, stime=50)
    write_proc(tmp_path, 43, "a b) (c) 1 2 3", 1, utime=7, stime=3)
    assert process_cpu_seconds(42, tmp_path, ticks_per_s=HZ) == 3.0
    assert process_cpu_seconds(43, tmp_path, ticks_per_s=HZ) == 0.1
    assert process_cpu_seconds(44, tmp_path, ticks_per_s=HZ) is None


def test_study_pids_and_cpu_seconds(tmp_path):
    write_proc(tmp_path, 1, "init", 0)
    write_proc(tmp_path, 10, "bash", 1, utime=100)
    write_proc(tmp_path, 20, "snakemake", 10, utime=200, stime=100)
    write_proc(tmp_path, 30, "python", 20, utime=1000)
    write_proc(tmp_path, 5, "dockerd", 1, utime=30)
    write_proc(tmp_path, 6, "containerd", 1, utime=20)
    write_proc(tmp_path, 7, "containerd-shim", 1, stime=10)
    write_proc(tmp_path, 8, "sshd", 1, utime=999)
    write_proc(tmp_path, 9, "dockerd-helper", 1, utime=999)
    pids = study_pids(tmp_path, me=30)
    assert pids == [20, 10, 5, 6, 7]
    assert cpu_seconds(pids + [77], tmp_path, ticks_per_s=HZ) == pytest.approx(4.6)


def test_machine_report(tmp_path, monkeypatch):
    proc, stat, loadavg = tmp_path / "proc", tmp_path / "stat", tmp_path / "loadavg"
    me = os.getpid()
    loadavg.write_text("3.50 2.00 1.25 4/300 12345\n")

    def snapshot(after):
        write_stat(stat, {0: dict(user=90, idle=10), 1: dict(user=40, idle=60)} if after
                   else {0: {}, 1: {}})
        write_proc(proc, 1, "init", 0)
        write_proc(proc, 2, "launcher", 1, utime=60 if after else 50)
        write_proc(proc, me, "pytest", 2, utime=30 if after else 10)
        write_proc(proc, 100, "stress (ng)", 1, utime=180 if after else 100)
        write_proc(proc, 101, "dockerd", 1, utime=10 if after else 5)
        write_proc(proc, 102, "idle one", 1, utime=3)
        if after:
            write_proc(proc, 103, "new", 1, utime=15)

    def sample(seconds):
        # one second on two CPUs: the machine spends 130 busy ticks, 20 of them this process's
        assert seconds == 0
        snapshot(after=True)

    monkeypatch.setattr(harness, "_sleep", sample)
    snapshot(after=False)
    lines, busy = machine_report(sample_s=0, top=2, proc=proc, stat_path=stat,
                                 loadavg_path=loadavg, busy_fraction=0.5)
    assert lines == [
        "load average: 3.50 2.00 1.25 (1, 5, 15 min) on 2 CPUs",
        "other work used 55% of the CPUs during a 0 s sample",
        "stress (ng) (pid 100): 80% of a CPU",
        "new (pid 103): 15% of a CPU",
    ]
    assert busy is True
    snapshot(after=False)
    (proc / "103" / "stat").unlink()
    lines, busy = machine_report(sample_s=0, proc=proc, stat_path=stat, loadavg_path=loadavg,
                                 busy_fraction=0.6)
    assert len(lines) == 5 and lines[-1] == "dockerd (pid 101): 5% of a CPU"
    assert busy is False


def test_machine_report_without_a_tick(tmp_path):
    (tmp_path / "loadavg").write_text("0.00 0.01 0.05 1/80 7\n")
    write_stat(tmp_path / "stat", {0: dict(user=5)})
    (tmp_path / "proc").mkdir()
    lines, busy = machine_report(sample_s=0, proc=tmp_path / "proc",
                                 stat_path=tmp_path / "stat", loadavg_path=tmp_path / "loadavg")
    assert lines[0] == "load average: 0.00 0.01 0.05 (1, 5, 15 min) on 1 CPUs"
    assert "no clock tick" in lines[1] and busy is False


def test_main_prints_the_report(capsys, monkeypatch):
    monkeypatch.setattr(harness, "machine_report", lambda: (["load average: x"], True))
    assert harness.main() == 0
    _, err = capsys.readouterr()
    first, warning = err.splitlines()
    assert first == "mlpbench: load average: x"
    assert warning.startswith("mlpbench: warning: the machine is busy")
