"""Claims: verdicts follow from the data, with the thresholds stated in mlpbench.claims."""

import pandas as pd
from synthetic import study

from mlpbench import claims, gather


def verdicts(records):
    table = claims.evaluate(gather.epochs_table(records))
    assert list(table.columns) == ["claim", "verdict", "evidence"]
    assert len(table) == len(claims.CLAIMS)
    return dict(zip(claims.CLAIMS, table["verdict"], strict=True)), table


ARTICLE = [key for key in claims.CLAIMS if key != "container"]


def test_data_shaped_like_the_article_confirms_every_claim_of_the_article():
    v, table = verdicts(study())
    assert {v[key] for key in ARTICLE} == {claims.CONFIRMED}, table.to_string()
    assert table["evidence"].iloc[:len(ARTICLE)].str.contains(r"\[").all()  # with intervals
    assert v["container"] == claims.NOT_TESTED  # no native runs given


def test_float32_not_halving_refutes():
    scale = {(i, "float64", 500): 0.6 for i in ("numpy-naive", "numpy-step1", "numpy-step2")}
    v, _ = verdicts(study(scale=scale))
    assert v["float32"] == claims.REFUTED


def test_numpy_faster_than_keras_at_500_refutes():
    v, table = verdicts(study(scale={("keras-fit", "float32", 500): 2.0}))
    assert v["keras500"] == claims.REFUTED
    assert "NumPy faster" in table.loc[2, "evidence"]


def test_numpy_gaining_beyond_1000_refutes_the_batch_size_claim():
    v, _ = verdicts(study(scale={("numpy-step1", "float32", 10000): 0.5}))
    assert v["batchsize"] == claims.REFUTED


def test_claims_without_the_cells_they_need_are_not_tested():
    only_numpy = [r for r in study() if r["impl"] == "numpy-step2"]
    v, _ = verdicts(only_numpy)
    assert v["keras500"] == v["batchsize"] == v["backprop"] == v["bias"] == claims.NOT_TESTED
    assert v["float32"] == claims.CONFIRMED


def test_runs_that_are_not_ok_do_not_count():
    recs = study()
    for r in recs:
        if r["impl"] == "keras-fit":
            r["status"] = "invalid"
    v, _ = verdicts(recs)
    assert v["keras500"] == claims.NOT_TESTED


def test_empty_data_gives_not_tested_everywhere():
    v, _ = verdicts([])
    assert set(v.values()) == {claims.NOT_TESTED}
    assert isinstance(claims.evaluate(gather.epochs_table([])), pd.DataFrame)
