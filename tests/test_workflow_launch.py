"""One timed process: the command seam, the lock, redoing disturbed runs, failures as records."""

import dataclasses
import json
import os
import sys
import threading
import time

import pytest

from mlpbench.study import faults, grid, launch, placement, runner

PROCESS = grid.Process("numpy-step2", 1, 2)
CELLS = [("float32", 100)]
SETTINGS = grid.Settings(warmup_epochs=1, subset=1000, seed=0, runner="local", timeout_s=30,
                         attempts=3, disturbed_above=0.1)


@pytest.fixture(autouse=True)
def quiet_cpus(monkeypatch):
    """Every CPU looks quiet, at once: these tests are about the launcher, not this machine's
    load (tests/test_placement.py covers busy CPUs)."""
    monkeypatch.setattr(placement, "busy_shares", lambda cpus: dict.fromkeys(cpus, 0.0))
    monkeypatch.setattr(placement, "BACKOFF_S", 0.0)


def options(cells=CELLS, **kw):
    return runner.run_options(PROCESS, cells, 2, SETTINGS, **kw)


def test_local_command_is_mlpbench_run_with_every_parameter():
    argv = runner.command(options(), PROCESS, SETTINGS, "data/mnist.npz", "out.json")
    assert argv[1:4] == ["-m", "mlpbench", "run"]
    opts = dict(zip(argv[4::2], argv[5::2], strict=True))
    assert opts == {"--impl": "numpy-step2", "--cells": "float32:100", "--threads": "1",
                    "--epochs": "2", "--warmup-epochs": "1", "--subset": "1000",
                    "--seed": "0", "--device": "cpu", "--data": "data/mnist.npz",
                    "--out": "out.json"}


def test_several_cells_and_their_order_seed_are_passed_on():
    opts = options([("float32", 100), ("float64", 500)], order_seed=7)
    assert opts[opts.index("--cells") + 1] == "float32:100,float64:500"
    assert opts[-2:] == ["--order-seed", "7"]


def test_docker_command_runs_the_process_in_the_recorded_image(tmp_path):
    image = {"image": "mlpbench:cpu", "image_id": "sha256:" + "ab" * 32}
    settings = grid.Settings(1, 1000, 0, "docker", 30, 3, 0.1)
    out = tmp_path / "r" / "{dtype}" / "b{batch}.json"
    argv = runner.command(options(), PROCESS, settings, tmp_path / "mnist.npz", out,
                          image=image, name="c1")
    assert argv[:2] == ["docker", "run"] and "--network" in argv and image["image_id"] in argv
    assert argv[argv.index("--name") + 1] == "c1"
    assert f"MLPBENCH_IMAGE_DIGEST={image['image_id']}" in argv
    assert f"{tmp_path / 'r'}:/out" in argv and argv[-1] == "/out/{dtype}/b{batch}.json"
    with pytest.raises(ValueError, match="image"):
        runner.command(options(), PROCESS, settings, "d", "o")


def test_an_unknown_runner_is_refused():
    with pytest.raises(ValueError, match="slurm"):
        runner.command(options(), PROCESS, grid.Settings(0, 10, 0, "slurm", 5, 1, 0.1), "d", "o")


def test_a_process_known_not_to_run_is_recorded_as_skipped_without_a_process(tmp_path):
    gpu = grid.Process("keras-fit", 1, 1, "gpu")
    out = tmp_path / "{dtype}_{batch}.json"
    statuses = launch.run(gpu, CELLS, 2, SETTINGS, "d", out, tmp_path / "r.log",
                          tmp_path / "lock", skip_reason="no NVIDIA GPU")
    rec = json.loads((tmp_path / "float32_100.json").read_text())
    assert statuses == {("float32", 100): "skipped"} and rec["reason"] == "no NVIDIA GPU"
    assert rec["device"] == "gpu" and rec["command"] == [] and not (tmp_path / "r.log").exists()


def test_a_process_with_more_threads_than_cpus_is_skipped_without_waiting(tmp_path):
    """Its runs could not run, so it starts nothing and spends none of the wait budget."""
    cpus = len(os.sched_getaffinity(0))
    wide = grid.Process("numpy-step2", cpus + 1, 1)
    waits = tmp_path / "waits.log"
    settings = dataclasses.replace(SETTINGS, wait_budget_s=60, waits=str(waits))
    statuses = launch.run(wide, CELLS, 2, settings, "d", tmp_path / "{dtype}_{batch}.json",
                          tmp_path / "r.log", tmp_path / "lock")
    rec = json.loads((tmp_path / "float32_100.json").read_text())
    assert statuses == {("float32", 100): "skipped"}
    assert rec["reason"] == f"needs {cpus + 1} CPUs, this process may use {cpus}"
    assert rec["command"] == [] and not waits.exists()


def fake(monkeypatch, code):
    """The process becomes `python -c code OUT_PATTERN`."""
    monkeypatch.setattr(runner, "command", lambda options, process, settings, data, out, **kw:
                        [sys.executable, "-c", code, str(out)])


WRITE = ("import json, sys\n"
         "for d, b in [('float32', 100), ('float64', 500)]:\n"
         "    json.dump({'status': 'ok', 'impl': 'x', 'dtype': d, 'batch': b,\n"
         "               'epoch_wall_s': [1.0, 1.0], 'interference': INTERFERENCE},\n"
         "              open(sys.argv[1].format(dtype=d, batch=b), 'w'))\n")


def test_a_crash_becomes_an_error_record_with_the_stderr_tail(tmp_path, monkeypatch):
    fake(monkeypatch, "import sys; print('boom: out of memory', file=sys.stderr); sys.exit(1)")
    out, log = tmp_path / "r.json", tmp_path / "r.log"
    assert launch.run(PROCESS, CELLS, 2, SETTINGS, "d", out, log, tmp_path / "lock") == {
        ("float32", 100): "error"}
    rec = json.loads(out.read_text())
    assert rec["status"] == "error" and rec["repeat"] == 2 and rec["impl"] == "numpy-step2"
    assert rec["reason"].startswith("exit status 1") and "boom: out of memory" in rec["reason"]
    assert rec["epoch_wall_s"] == [] and rec["process_wall_s"] > 0 and rec["attempt"] == 1


def test_a_hung_run_is_killed_at_the_timeout(tmp_path, monkeypatch):
    fake(monkeypatch, "import time; time.sleep(60)")
    settings = grid.Settings(1, 1000, 0, "local", timeout_s=1, attempts=1, disturbed_above=0.1)
    out = tmp_path / "r.json"
    launch.run(PROCESS, CELLS, 2, settings, "d", out, tmp_path / "r.log", tmp_path / "lock")
    assert "timeout_s=1" in json.loads(out.read_text())["reason"]


def test_good_records_are_kept_and_annotated(tmp_path, monkeypatch):
    fake(monkeypatch, WRITE.replace("INTERFERENCE", "[0.0, 0.02]"))
    out = tmp_path / "{dtype}_{batch}.json"
    cells = [("float32", 100), ("float64", 500)]
    statuses = launch.run(PROCESS, cells, 2, SETTINGS, "d", out, tmp_path / "r.log",
                          tmp_path / "lock")
    assert statuses == {c: "ok" for c in cells}
    rec = json.loads((tmp_path / "float64_500.json").read_text())
    assert rec["impl"] == "x" and rec["repeat"] == 2 and rec["command"][0] == sys.executable
    assert rec["attempt"] == 1 and rec["disturbed"] is False and rec["earlier_attempts"] == []
    assert rec["process"] == "numpy-step2-t1-cpu-r2-a1" and rec["harness_cpu_per_wall"] >= 0


def test_a_disturbed_run_is_redone_until_it_is_quiet(tmp_path, monkeypatch):
    # the first attempt lost half its CPU to other work, the second was quiet
    code = WRITE.replace("INTERFERENCE", "([0.5, 0.0] if not os.path.exists(sys.argv[1] + "
                         "'.seen') else [0.0, 0.0])")
    code = "import os\n" + code + "open(sys.argv[1] + '.seen', 'w')\n"
    fake(monkeypatch, code)
    out = tmp_path / "{dtype}_{batch}.json"
    launch.run(PROCESS, [("float32", 100)], 2, SETTINGS, "d", out, tmp_path / "r.log",
               tmp_path / "lock")
    rec = json.loads((tmp_path / "float32_100.json").read_text())
    assert rec["attempt"] == 2 and rec["disturbed"] is False
    [first] = rec["earlier_attempts"]
    assert first["attempt"] == 1 and first["disturbed"] is True
    assert first["interference"] == [0.5, 0.0]


def test_a_run_still_disturbed_after_the_last_attempt_is_kept_and_flagged(tmp_path, monkeypatch):
    fake(monkeypatch, WRITE.replace("INTERFERENCE", "[0.0, 0.9]"))
    out = tmp_path / "{dtype}_{batch}.json"
    launch.run(PROCESS, [("float64", 500)], 2, SETTINGS, "d", out, tmp_path / "r.log",
               tmp_path / "lock")
    rec = json.loads((tmp_path / "float64_500.json").read_text())
    assert rec["attempt"] == 3 and rec["disturbed"] is True
    assert [e["attempt"] for e in rec["earlier_attempts"]] == [1, 2]


def test_disturbed_allows_for_the_tick_resolution():
    # 2 ticks of 10 ms on a 0.1 s epoch are 0.2 of it: 0.25 is within what ticks can be off by
    short = {"epoch_wall_s": [0.1], "interference": [0.25]}
    assert launch.disturbed(short, 0.1) is (0.25 > 0.1 + 2 * launch.TICK_S / 0.1)
    assert launch.disturbed({"epoch_wall_s": [10.0], "interference": [0.2]}, 0.1)
    assert not launch.disturbed({"epoch_wall_s": [10.0], "interference": [0.05]}, 0.1)
    assert not launch.disturbed({"status": "error", "epoch_wall_s": []}, 0.1)
    # epochs too short to tell one by one, but together 2 s lost a third of the CPUs
    many = {"epoch_wall_s": [0.02] * 100, "interference": [0.3] * 100, "t_start": 10.0,
            "t_end": 12.0, "interference_run": 0.3}
    assert launch.disturbed(many, 0.1)
    assert not launch.disturbed({**many, "interference_run": 0.05}, 0.1)


def test_timed_processes_never_overlap(tmp_path, monkeypatch):
    code = ("import json, sys, time; t0 = time.time(); time.sleep(0.3); "
            "json.dump({'status': 'ok', 't': [t0, time.time()]}, open(sys.argv[1], 'w'))")
    fake(monkeypatch, code)
    outs = [tmp_path / f"r{i}.json" for i in range(3)]
    threads = [threading.Thread(target=launch.run, args=(PROCESS, CELLS, 2, SETTINGS, "d", o,
                                                         tmp_path / "log", tmp_path / "lock"))
               for o in outs]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans = sorted(json.loads(o.read_text())["t"] for o in outs)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert time.time() - start >= 0.9


def test_cells_done_before_a_crash_keep_their_records_and_the_rest_are_errors(tmp_path,
                                                                            monkeypatch):
    code = WRITE.replace("INTERFERENCE", "[0.0, 0.0]").replace(
        "for d, b in [('float32', 100), ('float64', 500)]:", "for d, b in [('float32', 100)]:")
    fake(monkeypatch, code + "sys.exit(3)\n")
    out = tmp_path / "{dtype}_{batch}.json"
    statuses = launch.run(PROCESS, [("float32", 100), ("float64", 500)], 2, SETTINGS, "d", out,
                          tmp_path / "r.log", tmp_path / "lock")
    assert statuses == {("float32", 100): "ok", ("float64", 500): "error"}
    rec = json.loads((tmp_path / "float64_500.json").read_text())
    assert rec["reason"].startswith("exit status 3")


DOCKER = dataclasses.replace(SETTINGS, runner="docker", fault_wait_s=0.2, fault_retries=2)


def runtime(monkeypatch, answers):
    """The container runtime answers (True) or not (False), one value per question."""
    said = iter(answers)
    monkeypatch.setattr(faults, "runtime_answers",
                        lambda runner: (ok := next(said), "daemon up" if ok else "no daemon"))


def test_a_run_the_runtime_failed_leaves_no_record_and_is_retried(tmp_path, monkeypatch):
    # the daemon went away during the first try and answers again after one question
    code = ("import os, sys\nif not os.path.exists(sys.argv[1] + '.seen'):\n"
            "    open(sys.argv[1] + '.seen', 'w')\n"
            "    print('docker: Cannot connect to the Docker daemon', file=sys.stderr)\n"
            "    sys.exit(125)\n" + WRITE.replace("INTERFERENCE", "[0.0, 0.0]"))
    fake(monkeypatch, code)
    runtime(monkeypatch, [True, False, True])  # before the process, after its fault
    out, log = tmp_path / "{dtype}_{batch}.json", tmp_path / "r.log"
    assert launch.run(PROCESS, [("float32", 100)], 2, DOCKER, "d", out, log,
                      tmp_path / "lock") == {("float32", 100): "ok"}
    rec = json.loads((tmp_path / "float32_100.json").read_text())
    assert rec["attempt"] == 1 and rec["earlier_attempts"] == []  # the fault is no attempt
    assert "not a result, no record kept: numpy-step2-t1-cpu-r2-a1: the container runtime " \
           "failed (exit 125): docker: Cannot connect" in log.read_text()


def test_a_runtime_that_stays_away_stops_the_process_without_a_record(tmp_path, monkeypatch):
    # the process wrote one record before the daemon stopped: it is not kept
    fake(monkeypatch, WRITE.replace("INTERFERENCE", "[0.0, 0.0]") + "sys.exit(125)\n")
    runtime(monkeypatch, [True] + [False] * 100)
    out = tmp_path / "{dtype}_{batch}.json"
    with pytest.raises(faults.MachineryFault, match="did not answer within 0.2 s"):
        launch.run(PROCESS, [("float32", 100), ("float64", 500)], 2, DOCKER, "d", out,
                   tmp_path / "r.log", tmp_path / "lock")
    assert not list(tmp_path.glob("*.json"))


def test_a_container_killed_from_outside_is_retried_then_stops_the_study(tmp_path, monkeypatch):
    fake(monkeypatch, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    runtime(monkeypatch, [True] * 100)
    local = dataclasses.replace(DOCKER, runner="local")
    out, log = tmp_path / "r.json", tmp_path / "r.log"
    with pytest.raises(faults.MachineryFault, match="SIGKILL .*already retried 2 time"):
        launch.run(PROCESS, CELLS, 2, local, "d", out, log, tmp_path / "lock")
    assert not out.exists() and log.read_text().count("not a result") == 3


def test_main_names_the_cause_in_one_line_and_fails(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise faults.MachineryFault("numpy-step2-t1-cpu-r1-a1: the container runtime failed")
    monkeypatch.setattr(launch, "run", broken)
    monkeypatch.setattr(launch.signal, "signal", lambda *args: None)  # pytest keeps its own
    argv = ["--impl", "numpy-step2", "--runner", "docker", "--data", "d", "--out", "o",
            "--log", "l", "--lock", "k", "--dtypes", "float32", "--batches", "100",
            "--threads", "1", "--repeat", "1", "--warmup-epochs", "1", "--subset", "100",
            "--seed", "0", "--timeout-s", "5", "--attempts", "1", "--disturbed-above", "0.1",
            "--epochs", "1"]
    with pytest.raises(SystemExit) as stopped:
        launch.main(argv)
    assert str(stopped.value.code).startswith("mlpbench: numpy-step2-t1-cpu-r1-a1: the contai")
    assert "a re-run redoes" in str(stopped.value.code) and "\n" not in str(stopped.value.code)


def test_a_process_finds_no_runtime_before_it_starts(tmp_path, monkeypatch):
    fake(monkeypatch, "raise SystemExit('never started')")
    runtime(monkeypatch, [False] * 100)
    out, log = tmp_path / "r.json", tmp_path / "r.log"
    with pytest.raises(faults.MachineryFault, match="no container runtime; the runtime did not"):
        launch.run(PROCESS, CELLS, 2, DOCKER, "d", out, log, tmp_path / "lock")
    assert not out.exists() and "$ " not in log.read_text()
