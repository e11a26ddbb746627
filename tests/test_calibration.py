"""A/A calibration: the split-and-judge arithmetic, on synthetic processes of known coverage."""

import numpy as np
import pandas as pd
import pytest

from mlpbench.analysis import calibration, stats


def epochs_table(process_s, impl="numpy-fast", threads=1, batches=(500,), epochs=5,
                 within=0.01, seed=0):
    """Timed epochs of identical cells: per batch, one process per entry of process_s (its
    true epoch time), each epoch with lognormal noise `within` about it."""
    rng = np.random.default_rng(seed)
    rows = []
    for batch in batches:
        for repeat, level in enumerate(process_s, start=1):
            for epoch in range(epochs):
                rows.append({"impl": impl, "device": "cpu", "workload": "matched",
                             "dtype": "float32", "batch": batch, "threads": threads,
                             "repeat": repeat, "epoch": epoch,
                             "wall_s": level * np.exp(rng.normal(0, within))})
    return pd.DataFrame(rows)


def test_judge_counts_intervals_that_hold_one_and_those_beyond_the_gain():
    covered, false = calibration.judge([(0.9, 1.1), (1.2, 1.3), (0.5, 0.85), (1.0, 1.0),
                                        (1.05, 1.2)])
    assert covered.tolist() == [True, False, False, True, False]
    assert false.tolist() == [False, True, True, False, False]  # 1.05: not beyond 1 + 10%


def test_a_method_of_known_coverage_is_measured_as_such():
    # two cells of one kind; the method covers 1 in the first and misses by far in the second
    table = pd.concat([epochs_table([1.0] * 4, batches=(500,)),
                       epochs_table([1.0] * 4, batches=(1000,))])

    def half(pairs):
        assert len(pairs) == 2 and all(len(a) == len(b) == 2 for a, b in pairs)
        return [(0.95, 1.05), (1.5, 2.0)]
    out = calibration.calibrate(table, [{"processes": 2, "epochs": 4}], {"half": half}, 10)
    kind, every = out.iloc[0], out.iloc[-1]
    assert kind["kind"] == "numpy-fast, 1 thread(s)" and every["kind"] == "all"
    assert kind["cells"] == 2 and kind["pool"] == 4 and kind["judged"] == 20
    assert kind["coverage"] == every["coverage"] == 0.5
    assert kind["false_verdict_rate"] == 0.5


def test_cells_without_processes_enough_or_epochs_enough_are_left_out():
    table = epochs_table([1.0] * 5, epochs=3)
    designs = [{"processes": 3, "epochs": 3}, {"processes": 2, "epochs": 4},
               {"processes": 2, "epochs": 3}]
    out = calibration.calibrate(table, designs, {"b": calibration.bootstrap}, 5)
    assert set(out["processes"]) == {2} and set(out["epochs"]) == {3}


def test_splits_are_disjoint_and_reproducible():
    runs = [np.array([float(i)]) for i in range(8)]
    a, b = calibration.split(runs, 3, np.random.default_rng(1))
    assert len(a) == len(b) == 3 and not {r[0] for r in a} & {r[0] for r in b}
    again = calibration.split(runs, 3, np.random.default_rng(1))
    assert [r[0] for r in again[0]] == [r[0] for r in a]


@pytest.fixture(scope="module")
def noisy_processes():
    """Many cells whose processes differ by a lognormal process effect (5%) far larger than
    the noise between their epochs (1%): the structure the study's own processes show."""
    rng = np.random.default_rng(7)
    return pd.concat([epochs_table(np.exp(rng.normal(0, 0.05, 40)), batches=(b,), seed=b)
                      for b in (100, 200, 300, 400)])


def test_the_pooled_t_interval_covers_as_it_claims(noisy_processes):
    out = calibration.calibrate(noisy_processes, [{"processes": 3, "epochs": 5}],
                                {"t": calibration.pooled_t}, 300)
    every = out[out["kind"] == "all"].iloc[0]
    assert 0.92 <= every["coverage"] <= 0.98
    assert every["false_verdict_rate"] <= 0.05


def test_the_two_level_bootstrap_of_three_processes_covers_less(noisy_processes):
    out = calibration.calibrate(noisy_processes, [{"processes": 3, "epochs": 5}],
                                calibration.METHODS, 300)
    before, study = out[out["kind"] == "all"]["coverage"]
    assert list(calibration.METHODS)[0].startswith("two-level bootstrap")
    assert before < 0.9 < study


def test_ratio_on_its_own_runs_and_on_a_pooled_spread():
    a = [np.array([1.0, 1.0]), np.array([1.1, 1.1])]
    b = [np.array([2.0]), np.array([2.2])]
    own = stats.ratio(a, b)
    assert own["ratio"] == pytest.approx(0.5) and own["ci_low"] < 0.5 < own["ci_high"]
    narrow = stats.ratio(a, b, (1e-6, 100), (1e-6, 100))
    assert narrow["ci_high"] - narrow["ci_low"] < own["ci_high"] - own["ci_low"]
    assert narrow["significant"] and stats.ratio([], b) is None
