"""The variance between studies: identical cells across archived studies, on synthetic times."""

import json

import numpy as np
import pandas as pd
import pytest

from mlpbench.analysis import between_studies, stats

CELLS = [("numpy-fast", "cpu", "matched", "float32", b, t) for b in (500, 1000, 2000, 10000)
         for t in (1, 2)]


def study(effects, within=0.02, runs=3, shift=0.0, seed=0):
    """{cell: (log time, variance)} of one study: each cell's true log time is its index/10
    plus shift plus its effect in this study; runs scatter by `within` about it."""
    rng = np.random.default_rng(seed)
    out = {}
    for i, cell in enumerate(CELLS):
        logs = i / 10 + shift + effects[i] + rng.normal(0, within, runs)
        out[cell] = (float(logs.mean()), within ** 2 / runs)
    return out


def test_a_study_shifted_as_a_whole_adds_no_component():
    quiet = [0.0] * len(CELLS)
    one, two = study(quiet, within=1e-9), study(quiet, within=1e-9, shift=np.log(1.1), seed=1)
    found = between_studies.component([one, two])
    assert found["cells"] == len(CELLS) and found["df"] == len(CELLS) - 1
    assert found["component"] == 0.0 and found["observed_sd"] < 1e-6


def test_studies_within_their_intervals_add_nothing_and_beyond_them_add_the_excess():
    rng = np.random.default_rng(3)
    quiet = [study([0.0] * len(CELLS), seed=s) for s in range(6)]
    assert between_studies.component(quiet)["component"] < 0.02 ** 2
    # each cell moves by 10% from study to study, independently: a component of 0.1**2
    moved = [study(rng.normal(0, 0.1, len(CELLS)), seed=s) for s in range(6)]
    found = between_studies.component(moved)
    assert found["component_sd"] == pytest.approx(0.1, rel=0.3)
    assert found["observed_sd"] > found["expected_sd"]


def test_one_study_or_no_shared_cell_measures_nothing():
    one = study([0.0] * len(CELLS))
    assert between_studies.component([one])["component"] is None
    other = {("jax-jit",) + cell[1:]: v for cell, v in one.items()}
    assert between_studies.component([one, other])["component"] is None


def test_the_component_widens_a_ratio_on_each_side():
    a, b = [np.array([1.0]), np.array([1.02])], [np.array([2.0]), np.array([2.04])]
    alone = stats.ratio(a, b)
    wider = stats.ratio(a, b, study_var=0.05 ** 2)
    assert wider["ratio"] == alone["ratio"]
    assert wider["ci_low"] < alone["ci_low"] and wider["ci_high"] > alone["ci_high"]


def archived(tmp_path, name, subset, scale):
    """A folder as mlpbench archive writes it: machine.json and epochs.csv.gz."""
    folder = tmp_path / "hw" / name
    folder.mkdir(parents=True)
    (folder / "machine.json").write_text(json.dumps({"config": {"subset": subset}}))
    rows = [{"impl": impl, "device": device, "workload": w, "dtype": d, "batch": b,
             "threads": t, "repeat": r, "status": "ok", "used": True, "origin": "planned",
             "hardware_main": True, "disturbed": False, "epoch": e,
             "wall_s": (1 + b / 1e4) * scale * (1 + 0.01 * r)}
            for impl, device, w, d, b, t in CELLS for r in (1, 2, 3) for e in (1, 2)]
    pd.DataFrame(rows).to_csv(folder / "epochs.csv.gz", index=False)
    return folder


def test_the_table_groups_studies_by_hardware_and_workload(tmp_path):
    folders = [archived(tmp_path, "a", 60000, 1.0), archived(tmp_path, "b", 60000, 1.2),
               archived(tmp_path, "c", 20000, 1.0)]
    table = between_studies.table(folders).set_index("subset")
    assert table.loc[60000, "studies"] == 2 and table.loc[60000, "component"] == 0.0
    assert table.loc[20000, "studies"] == 1 and pd.isna(table.loc[20000, "component"])
    assert between_studies.used(table.reset_index(), "hw", 60000) == 0.0
    assert between_studies.used(table.reset_index(), "other-hw", 60000) == 0.0
