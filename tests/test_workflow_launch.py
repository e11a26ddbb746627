"""One timed run: the command seam, the lock, and failures kept as error records."""

import json
import sys
import threading
import time

import pytest

from mlpbench import grid, launch

CELL = grid.Cell("numpy-step2", "float32", 100, 1, 2)
SETTINGS = grid.Settings(epochs=2, warmup_epochs=1, subset=1000, seed=0, runner="local",
                         timeout_s=30)


def test_local_command_is_mlpbench_run_with_every_parameter():
    argv = launch.command(CELL, SETTINGS, "data/mnist.npz", "out.json")
    assert argv[1:4] == ["-m", "mlpbench", "run"]
    opts = dict(zip(argv[4::2], argv[5::2], strict=True))
    assert opts == {"--impl": "numpy-step2", "--dtype": "float32", "--batch": "100",
                    "--threads": "1", "--epochs": "2", "--warmup-epochs": "1",
                    "--subset": "1000", "--seed": "0", "--data": "data/mnist.npz",
                    "--out": "out.json"}


def test_an_unknown_runner_is_refused():
    with pytest.raises(ValueError, match="docker"):
        launch.command(CELL, grid.Settings(1, 0, 10, 0, "docker", 5), "d", "o")


def fake(monkeypatch, code):
    monkeypatch.setattr(launch, "command",
                        lambda cell, settings, data, out: [sys.executable, "-c", code, str(out)])


def test_a_crash_becomes_an_error_record_with_the_stderr_tail(tmp_path, monkeypatch):
    fake(monkeypatch, "import sys; print('boom: out of memory', file=sys.stderr); sys.exit(1)")
    out, log = tmp_path / "r.json", tmp_path / "r.log"
    assert launch.run(CELL, SETTINGS, "d", out, log, tmp_path / "lock") == "error"
    rec = json.loads(out.read_text())
    assert rec["status"] == "error" and rec["repeat"] == 2 and rec["impl"] == "numpy-step2"
    assert rec["reason"].startswith("exit status 1") and "boom: out of memory" in rec["reason"]
    assert rec["epoch_wall_s"] == [] and rec["process_wall_s"] > 0


def test_a_hung_run_is_killed_at_the_timeout(tmp_path, monkeypatch):
    fake(monkeypatch, "import time; time.sleep(60)")
    settings = grid.Settings(2, 1, 1000, 0, "local", timeout_s=1)
    out = tmp_path / "r.json"
    assert launch.run(CELL, settings, "d", out, tmp_path / "r.log", tmp_path / "lock") == "error"
    assert "timeout_s=1" in json.loads(out.read_text())["reason"]


def test_a_good_record_is_kept_and_annotated(tmp_path, monkeypatch):
    fake(monkeypatch, "import json, sys; json.dump({'status': 'ok', 'impl': 'x'}, "
                      "open(sys.argv[1], 'w'))")
    out = tmp_path / "r.json"
    assert launch.run(CELL, SETTINGS, "d", out, tmp_path / "r.log", tmp_path / "lock") == "ok"
    rec = json.loads(out.read_text())
    assert rec["impl"] == "x" and rec["repeat"] == 2 and rec["command"][0] == sys.executable


def test_timed_runs_never_overlap(tmp_path, monkeypatch):
    code = ("import json, sys, time; t0 = time.time(); time.sleep(0.3); "
            "json.dump({'status': 'ok', 't': [t0, time.time()]}, open(sys.argv[1], 'w'))")
    fake(monkeypatch, code)
    outs = [tmp_path / f"r{i}.json" for i in range(3)]
    threads = [threading.Thread(target=launch.run, args=(CELL, SETTINGS, "d", o,
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
