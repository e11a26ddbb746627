"""Bad input: one line on stderr, exit 2, no traceback, no output file. Records are atomic."""

import json
import os
import subprocess
import sys

import pytest
from conftest import run_cli

from mlpbench import cli
from mlpbench.measure import timing
from mlpbench.measure.implementations import REGISTRY

GOOD = dict(impl="numpy-step2", dtype="float32", batch=100, threads=1, epochs=1,
            subset=1000)


def args_for(out, data, **change):
    values = {**GOOD, **change}
    argv = ["run", "--data", str(data), "--out", str(out)]
    for key, value in values.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    return argv


@pytest.mark.parametrize("change, words", [
    (dict(impl="numpy-turbo"), "unknown implementation 'numpy-turbo'; available: numpy-naive"),
    (dict(batch=0), "--batch: '0' is not a positive integer"),
    (dict(batch=1001), "--batch 1001 is larger than the data (1000 training samples)"),
    (dict(subset=70000), "--subset 70000 is larger than the 60000 training samples"),
    (dict(threads=0), "--threads: '0' is not a positive integer"),
    (dict(dtype="float16"), "'float16' is not one of float32, float64"),
    (dict(epochs=-1), "--epochs: '-1' is not a positive integer"),
    (dict(epochs=0), "--epochs: '0' is not a positive integer"),  # an ok record needs epochs
    (dict(warmup_epochs="two"), "--warmup-epochs: 'two' is not a non-negative integer"),
    (dict(batch="5e2"), "--batch: '5e2' is not a positive integer"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, mnist_path, change, words):
    out = tmp_path / "r.json"
    done = run_cli(*args_for(out, mnist_path, **change))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and words in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_missing_data_names_the_data_command(tmp_path):
    done = run_cli(*args_for(tmp_path / "r.json", tmp_path / "none.npz"))
    assert done.returncode == 2 and "mlpbench data" in done.stderr


def test_unknown_subcommand_is_one_line(tmp_path):
    done = run_cli("frobnicate")
    assert done.returncode == 2 and done.stderr.count("\n") == 1


def test_list_shows_every_implementation():
    done = run_cli("list", "--json")
    rows = json.loads(done.stdout)
    assert [r["name"] for r in rows] == list(REGISTRY)
    assert {r["name"]: r["workload"] for r in rows}["keras-seed"] == "article"


def test_missing_framework_is_a_skip_not_a_crash(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorflow" else real(name, *a))
    reason = REGISTRY["keras-fit"]().skip("float32", 100, 1)
    assert "tensorflow" in reason and "not installed" in reason


def test_list_says_how_to_get_torch_when_it_is_absent(tmp_path):
    # a child process where `import torch` finds nothing, as on a host without the extra
    (tmp_path / "sitecustomize.py").write_text(
        "import importlib.util as u\n"
        "_real = u.find_spec\n"
        "u.find_spec = lambda name, *a: None if name == 'torch' else _real(name, *a)\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "mlpbench", "list"], capture_output=True,
                          text=True, env=env, check=True)
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    for name in ("torch-eager", "torch-compile", "keras-fit-torch"):
        assert "skipped here" in lines[name] and "--with torch" in lines[name], lines[name]
    assert "available" in lines["numpy-fast"]


def test_more_threads_than_cpus_is_a_skipped_record(tmp_path, mnist_path):
    out = tmp_path / "r.json"
    done = run_cli(*args_for(out, mnist_path, threads=4096))
    assert done.returncode == 0, done.stderr
    record = json.loads(out.read_text())
    assert record["status"] == "skipped" and "needs 4096 CPUs" in record["reason"]


def test_a_failing_run_leaves_no_file(tmp_path, mnist_path, monkeypatch, restore_affinity):
    def broken_train(self, epochs, clock):
        raise RuntimeError("boom")

    monkeypatch.setattr(REGISTRY["numpy-step2"], "train", broken_train)
    out = tmp_path / "r.json"
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(args_for(out, mnist_path))
    assert not out.exists() and not list(tmp_path.iterdir())


def test_record_has_the_documented_fields(tmp_path, mnist_path):
    out = tmp_path / "r.json"
    done = run_cli(*args_for(out, mnist_path, epochs=2))
    assert done.returncode == 0, done.stderr
    r = json.loads(out.read_text())
    for key in ("impl", "dtype", "batch", "threads", "epochs", "epoch_wall_s", "epoch_cpu_s",
                "train_accuracy", "test_accuracy", "t_start", "t_end",
                "provenance", "runner", "os_threads", "cpu_per_wall", "phase_s"):
        assert key in r, key
    assert r["status"] == "ok" and len(r["epoch_wall_s"]) == 2 and r["t_start"] < r["t_end"]
    assert set(r["phase_s"]) == {"forward", "backward", "update", "shuffle"}
    assert sum(sum(v) for v in r["phase_s"].values()) <= sum(r["epoch_wall_s"])
    prov = r["provenance"]
    assert prov["blas"] and prov["blas"][0]["num_threads"] == 1 and prov["cpu_affinity"]
    assert prov["numpy"] and prov["python"].startswith("3.")


def test_non_finite_training_is_marked_invalid(mnist, monkeypatch, restore_affinity):
    import numpy as np

    cls = REGISTRY["numpy-step2"]
    real = cls.get_params
    monkeypatch.setattr(cls, "get_params",
                        lambda self: [(w * np.nan, b) for w, b in real(self)])
    cell = timing.Run("numpy-step2", "float32", 100, 1, 1, 0, 500, 0)
    record = timing.time_run(cell, mnist)
    assert record["status"] == "invalid" and "non-finite" in record["reason"]
    json.dumps(record, allow_nan=False)  # still valid JSON


def test_one_process_runs_several_cells_each_with_its_record(tmp_path, mnist_path):
    out = tmp_path / "{dtype}" / "b{batch}.json"
    done = run_cli("run", "--impl", "numpy-step2", "--cells", "float64:250,float32:100",
                   "--threads", "1", "--epochs", "2", "--warmup-epochs", "0", "--subset",
                   "1000", "--data", mnist_path, "--out", out, "--order-seed", "3")
    assert done.returncode == 0, done.stderr
    a = json.loads((tmp_path / "float64" / "b250.json").read_text())
    b = json.loads((tmp_path / "float32" / "b100.json").read_text())
    assert (a["dtype"], a["batch"], b["dtype"], b["batch"]) == ("float64", 250, "float32", 100)
    for rec in (a, b):
        assert rec["status"] == "ok" and len(rec["epoch_wall_s"]) == 2
        assert len(rec["interference"]) == len(rec["machine_busy"]) == 2
        assert all(0 <= v <= 1 for v in rec["interference"] + rec["machine_busy"])


def test_several_cells_need_a_pattern_and_data_must_be_an_npz(tmp_path, mnist_path):
    done = run_cli("run", "--impl", "numpy-step2", "--dtype", "float32", "--batch", "100,200",
                   "--threads", "1", "--subset", "1000", "--data", mnist_path,
                   "--out", tmp_path / "r.json")
    assert done.returncode == 2 and "{dtype} and {batch}" in done.stderr
    junk = tmp_path / "junk.npz"
    junk.write_bytes(os.urandom(2000))
    done = run_cli("run", "--impl", "numpy-step2", "--dtype", "float32", "--batch", "100",
                   "--threads", "1", "--subset", "1000", "--data", junk,
                   "--out", tmp_path / "r.json")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert str(junk) in done.stderr and "Traceback" not in done.stderr


def test_mlpbench_run_imports_only_the_command_line_and_the_measure_stage(tmp_path, mnist_path):
    """The image is rebuilt when the command line or the measure stage changes (common.smk's
    PACKAGE_SOURCES): a run must import nothing else of the package."""
    code = ("import sys, runpy; sys.argv = sys.argv[1:]\n"
            "try:\n    runpy.run_module('mlpbench', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('mlpbench')), "
            "file=sys.stderr)\n")
    done = subprocess.run(
        [sys.executable, "-c", code, "mlpbench", "run", "--impl", "numpy-step2", "--dtype",
         "float32", "--batch", "100", "--threads", "1", "--epochs", "1", "--subset", "500",
         "--data", str(mnist_path), "--out", str(tmp_path / "r.json")],
        capture_output=True, text=True, timeout=300, check=True)
    imported = eval(done.stderr.strip().splitlines()[-1])
    assert "mlpbench.measure.timing" in imported
    outside = [m for m in imported if m not in ("mlpbench", "mlpbench.__main__", "mlpbench.cli")
               and not m.startswith("mlpbench.measure")]
    assert outside == []


def test_parsing_a_run_loads_no_numpy_before_the_thread_limits_are_set(mnist_path):
    code = ("import sys\nfrom mlpbench import cli\n"
            "cli.build_parser().parse_args(['run', '--impl', 'numpy-step2', '--dtype', "
            "'float32', '--batch', '100', '--threads', '1', '--out', 'x.json'])\n"
            "print('numpy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
