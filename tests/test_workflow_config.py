"""The study config: schema validation with one message naming the bad key; grid and order."""

import copy
from pathlib import Path

import pytest
import yaml

from mlpbench import grid

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def merged(name):
    """config/config.yaml updated by another config file, as Snakemake's --configfile does."""
    cfg = copy.deepcopy(DEFAULT)
    cfg.update(yaml.safe_load((ROOT / "config" / name).read_text()))
    return cfg


def with_(**changes):
    cfg = copy.deepcopy(DEFAULT)
    cfg.update(changes)
    return cfg


@pytest.mark.parametrize("name", ["config.yaml", "quick.yaml", "seed.yaml"])
def test_shipped_configs_are_valid(name):
    grid.validate(merged(name), SCHEMA)


@pytest.mark.parametrize("change, key, words", [
    ({"implementations": ["numpy-naive", "numpy-fsat"]}, "implementations[1]",
     "unknown implementation 'numpy-fsat' (available: numpy-naive"),
    ({"batches": [50, 0]}, "batches[1]", "less than the minimum of 1"),
    ({"threads": [1, "four"]}, "threads[1]", "'four' is not of type 'integer'"),
    ({"batchs": [50]}, "'batchs'", "unknown config key"),
    ({"dtypes": ["float16"]}, "dtypes[0]", "float16"),
    ({"batches": [50, 30000]}, "batches[1]", "larger than subset"),
    ({"runner": "slurm"}, "runner", "slurm"),
    ({"data": {"dir": "data", "source": None, "url": "x"}}, "'url'", "unknown config key"),
    ({"repeats": 2.5}, "repeats", "not of type 'integer'"),
    ({"devices": ["cpu", "tpu"]}, "devices[1]", "tpu"),
    ({"images": {"base": "quay"}}, "images.base", "quay"),
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
    matched = {"numpy-naive", "numpy-step1", "numpy-step2", "numpy-fast", "keras-fit", "tf-loop"}
    assert set(cfg["implementations"]) == matched
    assert set(cfg["dtypes"]) == {"float32", "float64"} and cfg["devices"] == ["cpu"]
    assert min(cfg["batches"]) == 50 and max(cfg["batches"]) == 20000
    assert {1, 2, 4} <= set(cfg["threads"]) and cfg["repeats"] >= 3


def test_quick_profile_is_small_but_complete():
    cfg = merged("quick.yaml")
    from mlpbench.implementations import names

    assert set(cfg["implementations"]) == set(names()) and len(cfg["dtypes"]) == 2
    assert len(cfg["batches"]) >= 3 and len(cfg["threads"]) >= 2


def test_cells_are_the_full_product_with_repeats():
    cfg = merged("quick.yaml")
    cells = grid.cells(cfg)
    n = (len(cfg["implementations"]) * len(cfg["dtypes"]) * len(cfg["batches"])
         * len(cfg["threads"]) * cfg["repeats"])
    assert len(cells) == len(set(cells)) == n
    assert cells[0].path == "results/runs/cpu/numpy-naive/float32/b100_t1_r1.json"


def test_run_order_is_a_seeded_shuffle():
    cfg = merged("quick.yaml")
    order = grid.run_order(cfg)
    assert order == grid.run_order(cfg)  # reproducible
    assert sorted(order, key=grid.cells(cfg).index) == grid.cells(cfg)  # a permutation
    assert order != grid.cells(cfg)
    assert order != grid.run_order({**cfg, "order_seed": cfg["order_seed"] + 1})
    prio = grid.priorities(cfg)
    assert prio[order[0]] > prio[order[1]] > prio[order[-1]] == 1


def test_settings_become_launch_options():
    s = grid.settings(merged("quick.yaml"))
    args = grid.settings_args(s).split()
    assert args[:2] == ["--epochs", str(s.epochs)] and "--timeout-s" in args


def test_gpu_cells_are_tensorflow_only_and_listed_after_the_cpu_cells():
    cfg = {**merged("quick.yaml"), "devices": ["cpu", "gpu"]}
    cells = grid.cells(cfg)
    gpu = [c for c in cells if c.device == "gpu"]
    assert {c.impl for c in gpu} == {"keras-fit", "tf-loop", "keras-seed"}
    assert cells.index(gpu[0]) == len(cells) - len(gpu)
    assert gpu[0].path.startswith("results/runs/gpu/")


def test_settings_take_the_resolved_runner():
    cfg = {**merged("quick.yaml"), "runner": "auto"}
    assert grid.settings(cfg).runner == "auto"
    assert grid.settings(cfg, runner="docker").runner == "docker"
