"""The design: Kalibera and Jones's repetition counts from a pilot's variances and costs."""

import math

import numpy as np
import pytest

from mlpbench.study import design

CONFIG = {"implementations": ["numpy-step2", "keras-fit"], "dtypes": ["float32", "float64"],
          "batches": [50, 500, 10000], "warmup_epochs": 1, "repeats": 3, "epochs": 10,
          "pilot": {"processes": 3, "epochs": 10, "budget_s": 600, "min_epochs": 3,
                    "max_epochs": 50, "min_processes": 2, "max_processes": 6}}


def pilot_runs(c1, start, within, between, n=3, epochs=10, seed=0):
    """Pilot records: epoch times lognormal around c1, each process shifted by `between`."""
    rng = np.random.default_rng(seed)
    runs = []
    for _ in range(n):
        shift = rng.normal(0, between)
        times = list(c1 * np.exp(shift + rng.normal(0, within, epochs)))
        wall = start + (1 + epochs) * c1 + design.CELL_FIXED_S
        runs.append({"status": "ok", "epoch_wall_s": times, "process_wall_s": wall})
    return runs


def test_components_recover_costs_and_spread():
    comp = design.components(pilot_runs(0.2, 5.0, 0.05, 0.0, n=20, epochs=30), 1)
    assert comp["c1"] == pytest.approx(0.2, rel=0.05)
    assert comp["start_s"] == pytest.approx(5.0, abs=0.3)
    assert comp["s1"] == pytest.approx(0.05, rel=0.15)
    assert comp["s2"] < 0.02  # no between-process variance beyond what epochs explain
    assert design.components(pilot_runs(0.2, 5.0, 0.05, 0.0, n=1), 1) is None


def test_kalibera_jones_epochs_follow_costs_and_variances():
    base = {"c1": 0.2, "start_s": 6.0, "s1": 0.05, "s2": 0.01}
    n = design.epochs_per_process(base, 1, 1, 1, 1000)
    c2 = 6.0 + 0.2 + design.CELL_FIXED_S
    assert n == round(math.sqrt(c2 / 0.2 * 0.05 ** 2 / 0.01 ** 2))
    # a dearer process or a noisier epoch -> more epochs; more between-process spread -> fewer
    assert design.epochs_per_process({**base, "start_s": 60.0}, 1, 1, 1, 1000) > n
    assert design.epochs_per_process({**base, "s1": 0.1}, 1, 1, 1, 1000) > n
    assert design.epochs_per_process({**base, "s2": 0.05}, 1, 1, 1, 1000) < n
    assert design.epochs_per_process(base, 1, 1, 3, 8) == 8  # within the bounds


def test_plan_spends_the_budget_on_processes_within_bounds():
    pilot = {"numpy-step2": pilot_runs(0.05, 1.0, 0.03, 0.01),
             "keras-fit": pilot_runs(0.1, 6.0, 0.05, 0.01, seed=1)}
    chosen = design.plan(pilot, CONFIG, {"numpy-step2": 2, "keras-fit": 2})
    p = CONFIG["pilot"]
    assert p["min_processes"] <= chosen["repeats"] <= p["max_processes"]
    assert all(p["min_epochs"] <= e <= p["max_epochs"] for e in chosen["epochs"].values())
    assert chosen["estimated_s"] <= p["budget_s"] or chosen["repeats"] == p["min_processes"]
    tight = design.plan(pilot, {**CONFIG, "pilot": {**p, "budget_s": 1}},
                        {"numpy-step2": 2, "keras-fit": 2})
    assert tight["repeats"] == p["min_processes"] and tight["notes"]


def test_an_implementation_without_a_usable_pilot_gets_the_most_epochs():
    chosen = design.plan({"numpy-step2": pilot_runs(0.05, 1.0, 0.03, 0.01)}, CONFIG,
                         {"numpy-step2": 1, "keras-fit": 1})
    assert chosen["epochs"]["keras-fit"] == CONFIG["pilot"]["max_epochs"]
    assert any("keras-fit" in note for note in chosen["notes"])


def test_a_fixed_design_is_the_configs():
    chosen = design.fixed(CONFIG)
    assert chosen["repeats"] == 3 and set(chosen["epochs"].values()) == {10}


def test_the_pilot_cell_is_float32_the_middle_batch_and_the_fewest_threads():
    assert design.pilot_cell(CONFIG, [2, 1]) == ("float32", 500, 1)


def test_variances_are_pooled_over_implementations_weighted_by_their_freedom():
    a = {"s1": 0.1, "s2": 0.0, "n_epochs": 30, "n_processes": 3}
    b = {"s1": 0.0, "s2": 0.2, "n_epochs": 10, "n_processes": 5}
    spread = design.pooled([a, b, None])
    assert spread["s1"] == pytest.approx(math.sqrt(27 * 0.01 / 32))
    assert spread["s2"] == pytest.approx(math.sqrt(4 * 0.04 / 6))
    # one implementation's lucky pilot (no spread between its processes) no longer asks for
    # the most epochs
    pilot = {"numpy-step2": pilot_runs(0.05, 1.0, 0.03, 0.05),
             "keras-fit": pilot_runs(0.1, 6.0, 0.05, 0.0, seed=1)}
    chosen = design.plan(pilot, CONFIG, {"numpy-step2": 2, "keras-fit": 2})
    assert chosen["epochs"]["keras-fit"] < CONFIG["pilot"]["max_epochs"]
    assert chosen["pooled"]["s2"] > 0.01


def test_keras_warm_up_epoch_counts_in_each_cells_cost():
    assert design.warmup_epochs("numpy-step2", {"warmup_epochs": 0}) == 0
    assert design.warmup_epochs("keras-fit", {"warmup_epochs": 0}) == 1  # its fit's first epoch
    assert design.warmup_epochs("keras-fit", {"warmup_epochs": 2}) == 3
    # a Keras pilot process's one warm-up epoch is a cell's cost, not the process's start-up
    comp = design.components(pilot_runs(0.2, 5.0, 0.05, 0.0, n=20, epochs=30), 1)
    assert comp["start_s"] == pytest.approx(5.0, abs=0.2)
