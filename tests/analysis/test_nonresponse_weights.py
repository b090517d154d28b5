"""Nonresponse diagnostics and weights, checked by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import nonresponse


def test_standardized_mean_difference_by_hand():
    # Respondents 2,4,6 (mean 4, var 4); population 1,2,3 (mean 2, var 1):
    # SMD = (4 - 2) / sqrt((4 + 1) / 2) = 2 / 1.581139 = 1.264911 (Austin, 2009).
    table = nonresponse.standardized_differences(pd.DataFrame({"days": [2, 4, 6]}),
                                                 pd.DataFrame({"days": [1, 2, 3]}), ["days"])
    assert table.loc[0, "smd"] == pytest.approx(1.264911, abs=1e-6)
    assert table.loc[0, "imbalanced"]


def test_post_stratification_weights_by_hand():
    # Sample: 3 nurses, 1 physician (75% / 25%); population 50% / 50%.
    # Raw weights .5/.75 = 2/3 and .5/.25 = 2; mean over 4 people (3 x 2/3 + 2) / 4 = 1 -> unchanged.
    frame = pd.DataFrame({"role": [1, 1, 1, 2]})
    weights = nonresponse.poststratification_weights(frame, "role", {1: 0.5, 2: 0.5})
    assert weights.tolist() == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])


def test_raking_reproduces_both_population_margins():
    frame = pd.DataFrame({"role": [1, 1, 1, 2, 2, 1, 2, 1], "site": ["a", "b", "a", "a", "b", "b", "a", "a"]})
    margins = {"role": {1: 0.4, 2: 0.6}, "site": {"a": 0.3, "b": 0.7}}
    weights, message = nonresponse.rake(frame, margins)
    assert message == ""
    share = weights.groupby(frame["role"]).sum() / weights.sum()
    assert share.tolist() == pytest.approx([0.4, 0.6], abs=1e-6)
    share = weights.groupby(frame["site"]).sum() / weights.sum()
    assert share.tolist() == pytest.approx([0.3, 0.7], abs=1e-6)


def test_raking_with_an_empty_population_cell_says_which():
    frame = pd.DataFrame({"role": [1, 1], "site": ["a", "b"]})
    _, message = nonresponse.rake(frame, {"role": {1: 0.5, 2: 0.5}})
    assert "role level(s) [2.0] have no respondents" in message


def test_weighted_estimates_sit_beside_unweighted_with_kish_effective_n():
    # x = 1, 2, 3 with weights 1, 1, 2: weighted mean (1 + 2 + 6) / 4 = 2.25;
    # Kish (1965) n_eff = (sum w)^2 / sum w^2 = 16 / 6 = 2.6667.
    table = nonresponse.weighted_estimates(pd.DataFrame({"x": [1, 2, 3]}), ["x"], pd.Series([1.0, 1.0, 2.0]))
    row = table.iloc[0]
    assert row["mean_unweighted"] == 2.0
    assert row["mean_weighted"] == pytest.approx(2.25)
    assert row["effective_n"] == pytest.approx(16 / 6)


def test_smd_of_a_constant_feature_gives_a_message():
    table = nonresponse.standardized_differences(pd.DataFrame({"x": [1, 1]}), pd.DataFrame({"x": [1, 1]}), ["x"])
    assert math.isnan(table.loc[0, "smd"]) and "not computable" in table.loc[0, "message"]


def test_a_population_with_responded_compares_respondents_within_it():
    # By hand: users' active days 0, 10 (non-respondents) and 20, 30 (respondents).
    # Respondents: mean 25, var 50; everyone: mean 15, var 166.67; SMD = 10 / sqrt(108.33) = 0.9608.
    from analysis import dataset_from_frames, run_plan
    from tests.analysis.builders import codebook_for

    table = pd.DataFrame({"status": ["completed"] * 2, "usage_active_days": [20.0, np.nan]})
    codebook = codebook_for(table, usage_active_days={"source": "usage", "type": "number"})
    population = pd.DataFrame({"usage_active_days": [0.0, 10.0, 20.0, 30.0], "responded": [0, 0, 1, 1]})
    ctx = run_plan({"nonresponse": {"features": "usage"}}, dataset_from_frames(table, codebook), population)
    result = next(r for r in ctx.results if r.id == "nonresponse/smd")
    assert result.values["respondents"] == 2 and result.values["users"] == 4
    assert result.table.loc[0, "smd"] == pytest.approx(0.9608, abs=1e-4)
