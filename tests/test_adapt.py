"""The adaptive pass: which cells undecided claims need, and the runs counted per claim."""

import pandas as pd
from synthetic import study

from mlpbench.analysis import claims, gather, verdicts
from mlpbench.study import adapt


def test_only_inconclusive_claims_ask_for_cells_each_cell_once():
    table = claims.evaluate(gather.epochs_table(study()))
    assert adapt.undecided_cells(table) == {}  # every claim decided
    table.loc[table["key"] == "keras500", "verdict"] = verdicts.INCONCLUSIVE
    table.loc[table["key"] == "float32", "verdict"] = verdicts.INCONCLUSIVE
    cells = adapt.undecided_cells(table)
    assert cells[("keras-fit", "cpu", "float32", 500, 1)] == ["keras500"]
    assert set(cells[("numpy-step2", "cpu", "float32", 500, 1)]) == {"float32", "keras500"}
    assert len(cells) == len(set(cells))


def test_runs_are_counted_for_every_claim_they_served():
    extra = pd.DataFrame({"claims": ["keras500", "float32;keras500", None]})
    assert adapt.runs_per_claim(extra) == {"keras500": 2, "float32": 1}
    assert adapt.runs_per_claim(pd.DataFrame(columns=adapt.COLUMNS)) == {}
