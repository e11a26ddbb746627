"""analysis.warmup: the first timed epoch against the rest of its run."""

import numpy as np
import pandas as pd

from mlpbench.analysis import warmup
from mlpbench.analysis.gather import RUN_KEYS


def epochs_of(first_factor, runs=12, epochs=5, impl="numpy-fast", seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for repeat in range(runs):
        for epoch in range(epochs):
            wall = 0.2 * rng.normal(1, 0.01) * (first_factor if epoch == 0 else 1)
            rows.append({"impl": impl, "device": "cpu", "workload": "matched",
                         "dtype": "float32", "batch": 500, "threads": 1, "repeat": repeat,
                         "epoch": epoch, "wall_s": wall})
    return pd.DataFrame(rows)


def test_a_first_epoch_as_fast_as_the_rest_passes():
    table = warmup.first_epoch(epochs_of(1.0))
    assert list(table["verdict"]) == ["not slower"]
    assert abs(table["first_ratio_median"].iloc[0] - 1) < 0.02


def test_a_slow_first_epoch_is_found():
    table = warmup.first_epoch(epochs_of(1.5))
    assert list(table["verdict"]) == ["slower"]
    assert table["share_slower"].iloc[0] == 1.0


def test_the_epoch_order_not_the_row_order_decides():
    shuffled = epochs_of(1.5).sample(frac=1, random_state=1)
    assert list(warmup.first_epoch(shuffled)["verdict"]) == ["slower"]


def test_runs_of_too_few_epochs_are_left_out():
    assert warmup.first_epoch(epochs_of(1.5, epochs=2)).empty
    assert list(warmup.first_ratios(epochs_of(1.0, runs=3)).columns) == [*RUN_KEYS, "first_ratio"]


def test_the_warm_up_each_had_is_joined():
    runs = pd.DataFrame({"impl": ["numpy-fast"], "warmup_steps": [2], "warmup_epochs": [0]})
    table = warmup.first_epoch(epochs_of(1.0), runs)
    assert table[["warmup_steps", "warmup_epochs"]].iloc[0].tolist() == ["2", "0"]
