"""Spearman correlations and regression models against R's documented examples,
hand calculations, and recovery of known data-generating parameters."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import correlate, regression

# R ?cor.test (Hollander & Wolfe, 1973, p. 187): method = "spearman" gives S = 48, rho = 0.6.
HW_X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
HW_Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]


def test_spearman_rho_matches_r_cor_test_example():
    # By hand: rank differences 1,2,0,0,-1,-5,-2,2,3 -> sum d^2 = 48 -> 1 - 6 x 48 / (9 x 80) = 0.6.
    assert correlate.spearman(HW_X, HW_Y).loc[0, "rho"] == pytest.approx(0.6)


def test_spearman_ci_uses_fisher_z_with_bonett_wright_se():
    # By hand: z = atanh(.6) = 0.693147; SE = sqrt((1 + .36/2) / 6) = 0.443471;
    # z +/- 1.959964 x SE = -0.176040, 1.562334 -> tanh: -0.17424, 0.91580.
    row = correlate.spearman(HW_X, HW_Y).iloc[0]
    assert row["ci_low"] == pytest.approx(-0.17424, abs=1e-4)
    assert row["ci_high"] == pytest.approx(0.91580, abs=1e-4)


def test_spearman_with_too_few_pairs_or_a_constant_gives_a_message():
    few = correlate.spearman([1, 2, 3], [3, 2, 1]).iloc[0]
    constant = correlate.spearman([1, 2, 3, 4, 5], [2, 2, 2, 2, 2]).iloc[0]
    assert math.isnan(few["rho"]) and "at least four" in few["message"]
    assert math.isnan(constant["rho"]) and "constant" in constant["message"]


def test_spearman_table_adjusts_over_the_whole_family():
    frame = pd.DataFrame({"a": HW_X, "b": HW_Y, "c": HW_X[::-1]})
    table = correlate.spearman_table(frame, ["a"], ["b", "c"], adjust="holm")
    assert list(table["y"]) == ["b", "c"]
    assert (table["p_adj"] >= table["p"]).all()


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
