"""results/machine.json: the study's start-up description of its machine."""

import json

from mlpbench.study import harness, machine


def test_memory_and_load_read_from_proc_files(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24641536 kB\nMemFree:  1 kB\n")
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("0.50 1.25 2.00 1/234 5678\n")
    assert machine.memory_gib(meminfo) == 23.5
    assert machine.load_average(loadavg) == [0.5, 1.25, 2.0]
    assert machine.memory_gib(tmp_path / "missing") is None


def test_at_start_prints_the_load_and_writes_the_description(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(harness, "machine_report",
                        lambda: (["load average: 1.9 1.0 0.5 (1, 5, 15 min) on 2 CPUs"], True))
    out = tmp_path / "results" / "machine.json"
    machine.at_start(out)
    said = capsys.readouterr().err
    assert "mlpbench: load average: 1.9" in said and "warning: the machine is busy" in said
    described = json.loads(out.read_text())
    assert described["busy_at_start"] is True
    assert described["load_report"] == ["load average: 1.9 1.0 0.5 (1, 5, 15 min) on 2 CPUs"]
    assert described["cpus"] >= 1 and described["kernel"] and described["date"].endswith("+00:00")
    assert {"cpu_model", "cpu_flags", "memory_gib", "docker"} <= set(described)
