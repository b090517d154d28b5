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
    # Roles 1, 1, 2 with targets 50/50: post-stratification weights 0.75, 0.75, 1.5 (mean 1).
    # x = 1, 2, 3: weighted mean (0.75 + 1.5 + 4.5) / 3 = 2.25;
    # Kish (1965) n_eff = (sum w)^2 / sum w^2 = 9 / 3.375 = 2.6667.
    frame = pd.DataFrame({"x": [1, 2, 3], "role": [1, 1, 2]})
    row = nonresponse.weighted_estimates(frame, ["x"], {"role": {1: 0.5, 2: 0.5}}).iloc[0]
    assert row["mean_unweighted"] == 2.0
    assert row["mean_weighted"] == pytest.approx(2.25)
    assert row["effective_n"] == pytest.approx(16 / 6)


def test_weights_are_calibrated_on_the_respondents_with_the_outcome():
    # Targets 50/50. Role 2's second respondent has no score: calibrated on the three scored
    # respondents (roles 1, 1, 2) the weights are 0.75, 0.75, 1.5, so the weighted share of
    # role 2 is 1.5 / 3 = 0.5 as targeted, and the weighted mean (0.75*10 + 0.75*20 + 1.5*60) / 3 = 37.5.
    # Weights from all four respondents (1, 1, 1, 1) would give the unweighted 30 and miss the target.
    frame = pd.DataFrame({"role": [1, 1, 2, 2], "score": [10.0, 20.0, 60.0, np.nan]})
    row = nonresponse.weighted_estimates(frame, ["score"], {"role": {1: 0.5, 2: 0.5}}).iloc[0]
    assert row["n"] == 3
    assert row["mean_weighted"] == pytest.approx(37.5)


def test_weighted_mean_has_the_linearisation_standard_error_of_svymean():
    # Lumley (2010) sec. 2.2 / Lohr (2019) sec. 9.1, design svydesign(ids = ~1, weights = ~w), by hand:
    # y = 2, 4, 6, 8; w = 1, 1, 2, 4; sum w = 8; mean = (2 + 4 + 12 + 32) / 8 = 6.25.
    # z_i = w_i (y_i - 6.25) / 8 = -4.25/8, -2.25/8, -0.5/8, 7/8; sum z^2 = 72.375 / 64 = 1.130859.
    # v = n / (n - 1) * sum z^2 = 4/3 * 1.130859 = 1.507813; SE = sqrt(v) = 1.227930.
    # 95% CI = 6.25 -/+ 1.959964 * 1.227930 = 6.25 -/+ 2.406699 = [3.843301, 8.656699].
    row = nonresponse.weighted_mean([2, 4, 6, 8], [1, 1, 2, 4]).iloc[0]
    assert row["mean_weighted"] == pytest.approx(6.25)
    assert row["se"] == pytest.approx(1.227930, abs=1e-6)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((3.843301, 8.656699), abs=1e-5)


def test_smd_of_a_constant_feature_gives_a_message():
    table = nonresponse.standardized_differences(pd.DataFrame({"x": [1, 1]}), pd.DataFrame({"x": [1, 1]}), ["x"])
    assert math.isnan(table.loc[0, "smd"]) and "not computable" in table.loc[0, "message"]


def test_nonrespondents_are_the_population_without_a_response_and_weighting_moves_the_smd():
    """The nonresponse table's numbers by hand (Python's statistics module, not the analysis code).

    Population active days: responded 2, 4, 12, 30 (the four linked respondents), nonrespondents 1, 3, 5,
    6, 11, 14, 25, 40. Tertiles of all twelve users (linear quantiles, as R type 7): 4.667 and 12.667, so
    four users per band and a population share of 1/3 each. The respondents fall in bands 1, 1, 2, 3
    (sample shares .5, .25, .25): post-stratification weights 2/3, 2/3, 4/3, 4/3 (mean 1).
    Unweighted: means 12 and 13.125, variances 162.667 and 176.411, pooled SD 13.020702, SMD -0.086401,
    SE² = 12/32 + d²/24, 95% CI [-1.287126, 1.114325]. Weighted mean (2/3·2 + 2/3·4 + 4/3·12 + 4/3·30) / 4
    = 15, SMD 1.875 / 13.020702 = 0.144001; Kish's n = 16 / (40/9) = 3.6, CI [-1.101265, 1.389268].
    A respondent who refused linkage (no usage) is counted as at most one hidden among the nonrespondents.
    """
    from analysis import dataset_from_frames, run_plan
    from tests.analysis.builders import codebook_for

    table = pd.DataFrame({"status": "completed", "linkage_consent": [1, 1, 1, 1, 0],
                          "usage_active_days": [2.0, 4.0, 12.0, 30.0, np.nan]})
    codebook = codebook_for(table, usage_active_days={"source": "usage", "type": "number"})
    population = pd.DataFrame({"usage_active_days": [2.0, 4.0, 12.0, 30.0, 1.0, 3.0, 5.0, 6.0, 11.0, 14.0, 25.0, 40.0],
                               "responded": [1] * 4 + [0] * 8})
    plan = {"nonresponse": {"features": "usage"}, "disclosure": {"min_cell": 2}}
    ctx = run_plan(plan, dataset_from_frames(table, codebook), population)
    result = next(r for r in ctx.results if r.id == "nonresponse/smd")
    assert (result.values["respondents"], result.values["nonrespondents"]) == (4, 8)
    assert result.values["refused_linkage_at_most"] == 1 and result.values["weighted_on"] == ["usage_band"]
    row = result.table.iloc[0]
    assert (row["mean_respondents"], row["mean_nonrespondents"]) == pytest.approx((12, 13.125))
    assert row["smd"] == pytest.approx(-0.086401, abs=1e-6)
    assert (row["smd_ci_low"], row["smd_ci_high"]) == pytest.approx((-1.287126, 1.114325), abs=1e-5)
    assert row["mean_respondents_weighted"] == pytest.approx(15.0)
    assert row["smd_weighted"] == pytest.approx(0.144001, abs=1e-6)
    assert row["effective_n"] == pytest.approx(3.6)
    assert (row["smd_weighted_ci_low"], row["smd_weighted_ci_high"]) == pytest.approx((-1.101265, 1.389268), abs=1e-5)


def test_usage_bands_cut_at_the_population_tertiles():
    band, shares = nonresponse.usage_bands(pd.Series([1, 2, 3, 4, 5, 6, 11, 12, 14, 25, 30, 40.0]),
                                           pd.Series([2, 4, 12, 30.0]))
    assert band.tolist() == [1.0, 1.0, 2.0, 3.0]
    assert shares == pytest.approx({1.0: 1 / 3, 2.0: 1 / 3, 3.0: 1 / 3})


def test_features_constant_among_all_users_or_repeating_another_are_left_out_with_a_message():
    # Issue 22: logins counted as active days and a feature nobody used filled the table with a repeated row
    # and a row of dashes.
    from analysis import dataset_from_frames, run_plan
    from tests.analysis.builders import codebook_for

    days = [2.0, 4.0, 12.0, 30.0]
    table = pd.DataFrame({"status": "completed", "linkage_consent": 1, "usage_active_days": days,
                          "usage_logins": days, "usage_api_requests": 0.0})
    codebook = codebook_for(table, **{c: {"source": "usage", "type": "number"}
                                      for c in ("usage_active_days", "usage_logins", "usage_api_requests")})
    users = [2.0, 4.0, 12.0, 30.0, 1.0, 3.0, 5.0, 6.0]
    population = pd.DataFrame({"usage_active_days": users, "usage_logins": users, "usage_api_requests": 0.0,
                               "responded": [1] * 4 + [0] * 4})
    ctx = run_plan({"nonresponse": {"features": "usage"}, "disclosure": {"min_cell": 2}},
                   dataset_from_frames(table, codebook), population)
    result = next(r for r in ctx.results if r.id == "nonresponse/smd")
    assert result.table["feature"].tolist() == ["usage_active_days"]
    assert result.values["left_out"] == {"usage_logins": "repeats usage_active_days", "usage_api_requests": "constant"}
    assert "usage_logins left out: repeats usage_active_days among all users" in result.messages
