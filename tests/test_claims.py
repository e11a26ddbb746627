"""Claims: four verdicts from an effect, its interval and a threshold stated in
mlpbench.analysis.claims."""

import numpy as np
import pandas as pd
import pytest
from synthetic import study

from mlpbench.analysis import claims, gather, verdicts


def judge(records, **kw):
    table = claims.evaluate(gather.epochs_table(records), **kw)
    assert list(table.columns) == claims.COLUMNS
    assert list(table["key"]) == list(claims.CLAIMS)
    assert set(table["verdict"]) <= set(verdicts.VERDICTS)
    return dict(zip(table["key"], table["verdict"], strict=True)), table.set_index("key")


ARTICLE = [key for key in claims.CLAIMS if key != "container"]


@pytest.mark.parametrize("low, high, side, expected", [
    (1.6, 2.0, "above", "confirmed"), (1.0, 1.4, "above", "refuted"),
    (1.4, 1.6, "above", "inconclusive"), (1.0, 1.4, "below", "confirmed"),
    (1.6, 2.0, "below", "refuted"), (1.4, 1.6, "below", "inconclusive"),
    (1.5, 1.7, "above", "inconclusive"),  # touching the threshold is not "wholly above"
])
def test_the_verdict_rule(low, high, side, expected):
    assert verdicts.decide(low, high, 1.5, side) == expected


def test_data_shaped_like_the_article_confirms_every_claim_with_its_effect():
    v, table = judge(study())
    assert {v[key] for key in ARTICLE} == {verdicts.CONFIRMED}, table.to_string()
    effect = table.loc[ARTICLE, ["ratio", "ci_low", "ci_high", "threshold"]]
    assert effect.notna().all().all() and (effect["ci_low"] <= effect["ratio"]).all()
    assert (effect["ratio"] <= effect["ci_high"]).all()
    assert v["container"] == verdicts.NOT_TESTED  # no native runs given
    assert table.loc["keras500", "cells"] == ("keras-fit/cpu/float32/500/1;"
                                              "numpy-step2/cpu/float32/500/1")


def test_float32_not_halving_refutes():
    scale = {(i, "float64", 500): 0.6 for i in ("numpy-naive", "numpy-step1", "numpy-step2")}
    v, table = judge(study(scale=scale))
    assert v["float32"] == verdicts.REFUTED and table.loc["float32", "ci_high"] < claims.HALVES


def test_numpy_faster_than_keras_at_500_refutes():
    v, table = judge(study(scale={("keras-fit", "float32", 500): 2.0}))
    assert v["keras500"] == verdicts.REFUTED and table.loc["keras500", "ratio"] < 1


def test_numpy_gaining_beyond_1000_refutes_that_it_stops_gaining():
    v, _ = judge(study(scale={("numpy-step1", "float32", 10000): 0.5}))
    assert v["batchsize-numpy"] == verdicts.REFUTED and v["batchsize-keras"] == verdicts.CONFIRMED


def test_an_effect_at_its_threshold_with_noisy_runs_is_inconclusive_not_refuted():
    # keras-fit as fast as numpy-step2 at batch 500, with 20% noise between runs
    records = study(scale={("keras-fit", "float32", 500): 2.0 / 1.5})
    rng = np.random.default_rng(1)
    for r in records:
        if r["batch"] == 500 and r["dtype"] == "float32" and r["impl"] in ("keras-fit",
                                                                           "numpy-step2"):
            r["epoch_wall_s"] = list(np.array(r["epoch_wall_s"]) * rng.uniform(0.8, 1.2))
    v, table = judge(records)
    assert v["keras500"] == verdicts.INCONCLUSIVE, table.loc["keras500"].to_dict()
    assert table.loc["keras500", "ci_low"] < 1 < table.loc["keras500", "ci_high"]


def test_a_cell_with_only_disturbed_runs_makes_its_claim_inconclusive():
    records = study()
    for r in records:
        if r["impl"] == "keras-fit" and r["batch"] == 500:
            r["disturbed"] = True
    v, table = judge(records)
    assert v["keras500"] == verdicts.INCONCLUSIVE
    assert "disturbed" in table.loc["keras500", "evidence"]
    assert v["float32"] == verdicts.CONFIRMED  # claims without that cell are judged as before


def test_disturbed_runs_are_left_out_of_an_effect():
    records = study()
    for r in records:
        if r["impl"] == "keras-fit" and r["batch"] == 500 and r["dtype"] == "float32":
            if r["repeat"] == 1:  # one run of three was slowed down and flagged
                r["disturbed"] = True
                r["epoch_wall_s"] = [t * 3 for t in r["epoch_wall_s"]]
    _, clean = judge(study())
    _, table = judge(records)
    assert table.loc["keras500", "ratio"] == pytest.approx(clean.loc["keras500", "ratio"],
                                                           rel=0.02)


def test_claims_without_the_cells_they_need_are_not_tested():
    only_numpy = [r for r in study() if r["impl"] == "numpy-step2"]
    v, table = judge(only_numpy)
    assert {v[k] for k in ("keras500", "batchsize-keras", "batchsize-numpy", "backprop",
                           "bias")} == {verdicts.NOT_TESTED}
    assert v["float32"] == verdicts.CONFIRMED
    assert table.loc["keras500", ["ratio", "ci_low", "ci_high"]].isna().all()


def test_runs_that_are_not_ok_do_not_count():
    recs = study()
    for r in recs:
        if r["impl"] == "keras-fit":
            r["status"] = "invalid"
    v, _ = judge(recs)
    assert v["keras500"] == verdicts.NOT_TESTED


def test_extra_runs_are_counted_per_claim_and_cells_read_back():
    _, table = judge(study(), extra_runs={"keras500": 4})
    assert table.loc["keras500", "extra_runs"] == 4 and table.loc["float32", "extra_runs"] == 0
    cells = claims.needed_cells(table.loc["keras500"])
    assert cells[0] == {"impl": "keras-fit", "device": "cpu", "dtype": "float32",
                        "batch": 500, "threads": 1}


def test_empty_data_gives_not_tested_everywhere():
    v, _ = judge([])
    assert set(v.values()) == {verdicts.NOT_TESTED}
    assert isinstance(claims.evaluate(gather.epochs_table([])), pd.DataFrame)


def test_an_undecided_variant_alone_asks_for_more_runs():
    records = study()
    rng = np.random.default_rng(2)
    for r in records:  # numpy-step2 at batch 500: a ratio of 1.5 with noise between runs
        if r["impl"] == "numpy-step2" and r["batch"] == 500:
            factor = 0.75 if r["dtype"] == "float64" else 1.0
            r["epoch_wall_s"] = list(np.array(r["epoch_wall_s"]) * factor
                                     * rng.uniform(0.8, 1.2))
    v, table = judge(records)
    assert v["float32"] == verdicts.INCONCLUSIVE
    cells = claims.needed_cells(table.loc["float32"])
    assert {c["impl"] for c in cells} == {"numpy-step2"} and len(cells) == 2
