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
                    "--subset": "1000", "--seed": "0", "--device": "cpu",
                    "--data": "data/mnist.npz", "--out": "out.json"}


def test_docker_command_runs_the_cell_in_the_recorded_image(tmp_path):
    image = {"image": "mlpbench:cpu", "image_id": "sha256:" + "ab" * 32}
    settings = grid.Settings(2, 1, 1000, 0, "docker", 30)
    argv = launch.command(CELL, settings, tmp_path / "mnist.npz", tmp_path / "r" / "o.json",
                          image=image, name="c1")
    assert argv[:2] == ["docker", "run"] and "--network" in argv and image["image_id"] in argv
    assert argv[argv.index("--name") + 1] == "c1"
    assert f"MLPBENCH_IMAGE_DIGEST={image['image_id']}" in argv
    with pytest.raises(ValueError, match="image"):
        launch.command(CELL, settings, "d", "o")


def test_an_unknown_runner_is_refused():
    with pytest.raises(ValueError, match="slurm"):
        launch.command(CELL, grid.Settings(1, 0, 10, 0, "slurm", 5), "d", "o")


def test_a_cell_known_not_to_run_is_recorded_as_skipped_without_a_process(tmp_path):
    gpu = grid.Cell("keras-fit", "float32", 100, 1, 1, "gpu")
    out = tmp_path / "r.json"
    status = launch.run(gpu, SETTINGS, "d", out, tmp_path / "r.log", tmp_path / "lock",
                        skip_reason="no NVIDIA GPU")
    rec = json.loads(out.read_text())
    assert status == "skipped" == rec["status"] and rec["reason"] == "no NVIDIA GPU"
    assert rec["device"] == "gpu" and rec["command"] == [] and not (tmp_path / "r.log").exists()


def fake(monkeypatch, code):
    monkeypatch.setattr(launch, "command", lambda cell, settings, data, out, **kw:
                        [sys.executable, "-c", code, str(out)])


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
