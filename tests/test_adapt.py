"""The adaptive pass: which cells undecided claims need, and the runs counted per claim."""

import json
from pathlib import Path

import pandas as pd
from synthetic import study

from mlpbench.analysis import claims, gather, verdicts
from mlpbench.study import adapt, grid


def test_only_inconclusive_claims_ask_for_cells_each_cell_once():
    table = claims.evaluate(gather.epochs_table(study()))
    assert adapt.undecided_cells(table) == {}  # every claim decided
    table.loc[table["key"] == "keras500", "verdict"] = verdicts.INCONCLUSIVE
    table.loc[table["key"] == "float32", "verdict"] = verdicts.INCONCLUSIVE
    cells = adapt.undecided_cells(table)
    assert cells[("keras-fit", "cpu", "float32", 500, 1)] == ["keras500"]
    assert set(cells[("numpy-step2", "cpu", "float32", 500, 1)]) == {"float32", "keras500"}
    assert all(len(keys) == len(set(keys)) for keys in cells.values())  # a claim once a cell
    assert set().union(*cells.values()) == {"keras500", "float32"}


def test_runs_are_counted_for_every_claim_they_served():
    extra = pd.DataFrame({"claims": ["keras500", "float32;keras500", None]})
    assert adapt.runs_per_claim(extra) == {"keras500": 2, "float32": 1}
    assert adapt.runs_per_claim(pd.DataFrame(columns=adapt.COLUMNS)) == {}


# adapt.run with the claims always undecided and a launcher that writes what it is told to.

CONFIG = {"dtypes": ["float32", "float64"], "batches": [500, 1000], "order_seed": 7}
UNDECIDED = {("numpy-fast", "cpu", "float32", 500, 1): ["keras500"],
             ("keras-fit", "cpu", "float32", 500, 1): ["keras500"]}


def adapted(tmp_path, monkeypatch, max_extra_runs, disturbed):
    launched = []

    def fake_run(process, cells, epochs, settings, data, out, log, lock, image=None,
                 order_seed=None):
        launched.append((process, list(cells), order_seed))
        for dtype, batch in cells:
            path = Path(out.format(dtype=dtype, batch=batch))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"status": "ok", "disturbed": disturbed}))
        return {cell: "ok" for cell in cells}

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(adapt.launch, "run", fake_run)
    monkeypatch.setattr(adapt.gather, "load", lambda paths, origin="planned": [])
    monkeypatch.setattr(adapt.gather, "epochs_table", lambda records: None)
    monkeypatch.setattr(adapt.claims, "evaluate", lambda table, study_var: None)
    monkeypatch.setattr(adapt, "undecided_cells", lambda table: UNDECIDED)
    design = {"repeats": 3, "epochs": {"numpy-fast": 5, "keras-fit": 5}}
    extra = adapt.run([], design, None, "data", "lock", "logs", max_extra_runs, CONFIG)
    return extra, launched


def test_an_extra_process_runs_every_cell_of_the_grid_in_an_order_of_its_own(tmp_path,
                                                                              monkeypatch):
    extra, launched = adapted(tmp_path, monkeypatch, 8, disturbed=False)
    assert [(p.impl, p.repeat) for p, _, _ in launched] == [("numpy-fast", 4), ("keras-fit", 4)]
    for process, cells, order_seed in launched:
        assert cells == [(d, b) for d in CONFIG["dtypes"] for b in CONFIG["batches"]]
        assert order_seed == grid.cell_order_seed(CONFIG, process)
    assert len(extra) == 8  # whole processes only: 8 runs are two processes of 4 cells
    assert adapt.runs_per_claim(extra) == {"keras500": 2}  # the cells the claim needed


def test_a_round_without_an_undisturbed_run_ends_the_pass(tmp_path, monkeypatch):
    extra, launched = adapted(tmp_path, monkeypatch, 40, disturbed=True)
    assert len(launched) == 2 and set(extra["round"]) == {1}


def test_too_few_runs_left_for_a_whole_process_add_none(tmp_path, monkeypatch):
    extra, launched = adapted(tmp_path, monkeypatch, 3, disturbed=False)
    assert launched == [] and extra.empty
