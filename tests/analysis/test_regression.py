"""Spearman correlations and regression models against R's documented examples,
hand calculations, and recovery of known data-generating parameters."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import regression


def test_linear_regression_matches_r_lm_plant_weight_example():
    # R ?lm, Dobson (1990) p. 9 plant weights: (Intercept) 5.0320 (SE 0.2202), groupTrt -0.3710
    # (SE 0.3114), t = -1.191, p = 0.249.
    ctl = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]
    trt = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]
    frame = pd.DataFrame({"weight": ctl + trt, "group": ["Ctl"] * 10 + ["Trt"] * 10})
    table = regression.linear_regression(frame, "weight", ["group"]).set_index("term")
    assert table.loc["const", "coef"] == pytest.approx(5.0320, abs=1e-4)
    assert table.loc["const", "se"] == pytest.approx(0.2202, abs=1e-4)
    assert table.loc["group_Trt", "coef"] == pytest.approx(-0.3710, abs=1e-4)
    assert table.loc["group_Trt", "se"] == pytest.approx(0.3114, abs=1e-4)
    assert table.loc["group_Trt", "p"] == pytest.approx(0.249, abs=1e-3)


def test_ordinal_regression_recovers_a_known_log_odds_ratio():
    # Data generated from a proportional-odds model with slope 1.0 on x and a binary group
    # effect of -0.7 (logistic latent variable, cut points -1, 0, 1.5): n = 4,000 keeps the
    # estimates within +/- 0.15 of the truth (SE about .03 and .06).
    rng = np.random.default_rng(0)
    n = 4000
    x = rng.normal(0, 1, n)
    group = rng.choice(["a", "b"], n)
    latent = 1.0 * x - 0.7 * (group == "b") + rng.logistic(0, 1, n)
    y = np.digitize(latent, [-1, 0, 1.5]) + 1
    frame = pd.DataFrame({"y": y, "x": x, "group": group})
    table = regression.ordinal_regression(frame, "y", ["x", "group"]).set_index("term")
    assert table.loc["x", "coef"] == pytest.approx(1.0, abs=0.15)
    assert table.loc["group_b", "coef"] == pytest.approx(-0.7, abs=0.15)
    assert table.loc["x", "odds_ratio"] == pytest.approx(math.exp(table.loc["x", "coef"]))
    assert table.loc["x", "or_ci_low"] < table.loc["x", "odds_ratio"] < table.loc["x", "or_ci_high"]


def test_ordinal_model_with_a_two_level_outcome_gives_a_message():
    frame = pd.DataFrame({"y": [1, 2] * 10, "x": range(20)})
    table = regression.ordinal_regression(frame, "y", ["x"])
    assert math.isnan(table.loc[0, "coef"]) and "three observed levels" in table.loc[0, "message"]


def test_linear_model_with_too_few_cases_gives_a_message():
    frame = pd.DataFrame({"y": [1.0, 2.0], "x": [0.0, 1.0]})
    table = regression.linear_regression(frame, "y", ["x"])
    assert "not estimable" in table.loc[0, "message"]
