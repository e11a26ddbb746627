"""The study config: schema validation with one message naming the bad key; grid and order."""

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from mlpbench.study import grid

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())

TORCH = {"torch-eager", "torch-compile", "keras-fit-torch"}


def merged(name):
    """config/config.yaml updated by another config file, as Snakemake's --configfile does
    (recursively: a nested key the file leaves out keeps its default)."""
    cfg = copy.deepcopy(DEFAULT)
    update_config(cfg, yaml.safe_load((ROOT / "config" / name).read_text()))
    return cfg


def with_(**changes):
    cfg = copy.deepcopy(DEFAULT)
    cfg.update(changes)
    return cfg


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "config").glob("*.yaml")))
def test_shipped_configs_are_valid(name):
    grid.validate(merged(name), SCHEMA)


@pytest.mark.parametrize("change, key, words", [
    ({"implementations": ["numpy-naive", "numpy-fsat"]}, "implementations[1]",
     "unknown implementation 'numpy-fsat' (available: numpy-naive"),
    ({"batches": [50, 0]}, "batches[1]", "less than the minimum of 1"),
    ({"threads": [1, "four"]}, "threads[1]", "'four' is not valid"),
    ({"threads": [0]}, "threads[0]", "less than the minimum of 1"),
    ({"batchs": [50]}, "'batchs'", "unknown config key"),
    ({"dtypes": ["float16"]}, "dtypes[0]", "'float16' is not one of ['float32', 'float64']"),
    ({"batches": [50, 30000], "subset": 20000}, "batches[1]", "larger than subset"),
    ({"interference": {"threshold": 2, "attempts": 3, "wait_budget_s": 0, "busy_epochs": 1}},
     "interference.threshold", "2"),
    ({"interference": {"threshold": 0.1, "attempts": 3, "wait_budget_s": -1, "busy_epochs": 1}},
     "interference.wait_budget_s", "-1"),
    ({"interference": {"threshold": 0.1, "attempts": 3, "wait_budget_s": 0, "busy_epochs": 0}},
     "interference.busy_epochs", "0"),
    ({"design": "guess"}, "design", "guess"),
    ({"runner": "slurm"}, "runner", "slurm"),
    ({"data": {"dir": "data", "source": None, "url": "x"}}, "'url'", "unknown config key"),
    ({"repeats": 2.5}, "repeats", "not of type 'integer'"),
    ({"devices": ["cpu", "tpu"]}, "devices[1]", "'tpu' is not one of ['cpu', 'gpu']"),
    ({"images": {"mmdebstrap_mode": "quay"}}, "images.mmdebstrap_mode", "quay"),
    ({"runner": "dokcer"}, "runner", "dokcer"),
])
def test_a_bad_config_gives_one_message_naming_the_key(change, key, words):
    with pytest.raises(grid.ConfigError) as info:
        grid.validate(with_(**change), SCHEMA)
    message = str(info.value)
    assert key in message and words in message
    assert "\n" not in message


def test_a_missing_key_is_named():
    cfg = copy.deepcopy(DEFAULT)
    del cfg["repeats"]
    with pytest.raises(grid.ConfigError, match="'repeats' is a required property"):
        grid.validate(cfg, SCHEMA)


def test_default_study_covers_the_grid_the_issue_asks_for():
    cfg = merged("config.yaml")
    matched = {"numpy-naive", "numpy-step1", "numpy-step2", "numpy-fast", "keras-fit", "tf-loop",
               "jax-jit", "keras-fit-jax"}
    assert set(cfg["implementations"]) == matched
    assert set(cfg["when_installed"]) == TORCH  # PyTorch joins where its extra is installed
    assert set(cfg["dtypes"]) == {"float32", "float64"} and cfg["devices"] == ["cpu"]
    assert min(cfg["batches"]) == 50 and max(cfg["batches"]) == 20000
    assert {1, 2, 4} <= set(cfg["threads"]) and cfg["design"] == "pilot"
    assert cfg["subset"] == 60000  # the article's workload


def test_quick_profile_is_small_but_complete():
    cfg = merged("quick.yaml")
    from mlpbench.measure.implementations import names

    # everything but the opt-in PyTorch ones, which need an image of their own
    assert set(cfg["implementations"]) == set(names()) - TORCH and len(cfg["dtypes"]) == 2
    assert cfg["when_installed"] == []  # CI's host has torch: no torch image for this study
    assert len(cfg["batches"]) >= 3 and len(cfg["threads"]) >= 2


def test_frameworks_study_has_every_framework_beside_numpy_fast_and_keras_fit():
    from mlpbench.measure.implementations import REGISTRY

    cfg = merged("frameworks.yaml")
    frameworks = {n for n, c in REGISTRY.items()
                  if c.workload == "matched" and not n.startswith("numpy-")}
    assert set(cfg["implementations"]) == frameworks | {"numpy-fast"}
    assert cfg["dtypes"] == ["float32"] and cfg["threads"] == [1, 2]


def test_when_installed_implementations_join_only_where_their_framework_is(monkeypatch):
    from mlpbench.measure.implementations import REGISTRY

    cfg = {"implementations": ["numpy-fast"], "when_installed": ["torch-eager", "jax-jit"]}
    monkeypatch.setattr(REGISTRY["torch-eager"], "not_installed", lambda self: "no torch")
    monkeypatch.setattr(REGISTRY["jax-jit"], "not_installed", lambda self: None)
    assert grid.add_installed(cfg) == {"torch-eager": "no torch"}
    assert cfg["implementations"] == ["numpy-fast", "jax-jit"]
    with pytest.raises(grid.ConfigError, match=r"when_installed\[0\]"):
        grid.validate(with_(when_installed=["torch-nope"]), SCHEMA)


def test_processes_are_the_product_and_each_runs_every_dtype_and_batch():
    cfg = merged("quick.yaml")
    procs = grid.processes(cfg, 2, cpus=2)
    assert len(procs) == len(set(procs)) == len(cfg["implementations"]) * 2 * 2
    paths = procs[0].run_paths(cfg)
    assert len(paths) == len(cfg["dtypes"]) * len(cfg["batches"])
    assert paths[0] == "results/runs/cpu/numpy-naive/float32/b500_t1_r1.json"


def test_all_threads_means_this_machines_cpus():
    assert grid.thread_counts({"threads": ["all"]}, cpus=2) == [2]
    assert grid.thread_counts({"threads": [1, 2, "all"]}, cpus=2) == [1, 2]
    grid.validate(merged("seed.yaml"), SCHEMA)


def test_list_items_from_the_command_line_are_coerced_before_validation():
    cfg = grid.validate(with_(batches=["500", "1000"], threads=["1"]), SCHEMA)
    assert cfg["batches"] == [500, 1000] and cfg["threads"] == [1]
    with pytest.raises(grid.ConfigError, match="batches"):
        grid.validate(with_(batches=["many"]), SCHEMA)
    with pytest.raises(grid.ConfigError, match="batches"):
        grid.validate(with_(batches=["0"]), SCHEMA)


def test_run_order_is_a_seeded_shuffle():
    cfg = merged("quick.yaml")
    order = grid.run_order(cfg, 2, cpus=2)
    assert order == grid.run_order(cfg, 2, cpus=2)  # reproducible
    assert sorted(order, key=grid.processes(cfg, 2, cpus=2).index) == grid.processes(
        cfg, 2, cpus=2)  # a permutation
    assert order != grid.processes(cfg, 2, cpus=2)
    assert order != grid.run_order({**cfg, "order_seed": cfg["order_seed"] + 1}, 2, cpus=2)
    seeds = {grid.cell_order_seed(cfg, p) for p in order}
    assert len(seeds) == len(order)  # every process orders its cells its own way


def test_settings_become_launch_options():
    s = grid.settings(merged("quick.yaml"))
    args = grid.settings_args(s).split()
    assert args[:2] == ["--warmup-epochs", str(s.warmup_epochs)] and "--timeout-s" in args
    assert "--attempts" in args and "--disturbed-above" in args


def test_gpu_processes_are_the_frameworks_only_and_listed_after_the_cpu_ones():
    cfg = {**merged("quick.yaml"), "devices": ["cpu", "gpu"]}
    procs = grid.processes(cfg, 1, cpus=2)
    gpu = [p for p in procs if p.device == "gpu"]
    assert {p.impl for p in gpu} == {"keras-fit", "tf-loop", "jax-jit", "keras-fit-jax",
                                     "keras-seed"}
    assert procs.index(gpu[0]) == len(procs) - len(gpu)
    assert gpu[0].run_path("float32", 100).startswith("results/runs/gpu/")
    cfg = {**merged("frameworks.yaml"), "devices": ["cpu", "gpu"]}
    frameworks = {p.impl for p in grid.processes(cfg, 1, cpus=2) if p.device == "gpu"}
    assert frameworks == set(cfg["implementations"]) - {"numpy-fast"}  # every framework


def test_settings_take_the_resolved_runner():
    cfg = {**merged("quick.yaml"), "runner": "auto"}
    assert grid.settings(cfg).runner == "auto"
    assert grid.settings(cfg, runner="docker").runner == "docker"


def test_nested_values_from_the_command_line_are_coerced_too():
    cfg = grid.validate(with_(interference={"threshold": "0.2", "attempts": "2",
                                            "wait_budget_s": "60", "busy_epochs": "2"}), SCHEMA)
    assert cfg["interference"] == {"threshold": 0.2, "attempts": 2, "wait_budget_s": 60,
                                   "busy_epochs": 2}
    assert grid.validate(with_(threads=["all", "1"]), SCHEMA)["threads"] == ["all", 1]
    assert grid.validate(with_(redo_errors="true"), SCHEMA)["redo_errors"] is True
    assert grid.validate(with_(runner_faults={"wait_s": "60", "retries": "1"}), SCHEMA)[
        "runner_faults"] == {"wait_s": 60, "retries": 1}


@pytest.mark.parametrize("name", ["config.yaml", "quick.yaml"])
def test_a_jobs_time_limit_covers_every_attempt_of_its_processes(name):
    cfg = merged(name)
    attempts, timeout = cfg["interference"]["attempts"], cfg["timeout_s"]
    faults = cfg["runner_faults"]
    assert grid.job_runtime_min(cfg) * 60 >= attempts * timeout + cfg["interference"][
        "wait_budget_s"] + faults["retries"] * (timeout + faults["wait_s"])
    processes = grid.adapt_processes(cfg)
    assert processes == cfg["max_extra_runs"] // (len(cfg["dtypes"]) * len(cfg["batches"])) > 0
    assert grid.job_runtime_min(cfg, processes) * 60 >= processes * attempts * timeout
    assert grid.job_runtime_min(cfg, processes) > grid.job_runtime_min(cfg)
