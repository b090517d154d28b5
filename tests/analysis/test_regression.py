"""Linear and proportional-odds models against R's documented examples (lm, MASS::polr) and recovery of
known data-generating parameters."""

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
    # summary(lm.D9): Multiple R-squared: 0.07308, Adjusted R-squared: 0.02158,
    # F-statistic: 1.419 on 1 and 18 DF, p-value: 0.249.
    model = table.iloc[0]
    assert model["r_squared"] == pytest.approx(0.07308, abs=5e-6)
    assert model["adj_r_squared"] == pytest.approx(0.02158, abs=5e-6)
    assert (model["f"], model["df_model"], model["df_resid"]) == (pytest.approx(1.419, abs=5e-4), 1, 18)
    assert model["f_p"] == pytest.approx(0.249, abs=1e-3)


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


PLANT_CTL = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]
PLANT_TRT = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]


def test_hc3_standard_errors_on_request():
    # With one group dummy every leverage is 1/n_g, so HC3 gives var(mean_g) = sum e^2 / (n_g - 1)^2
    # = s_g^2 / (n_g - 1) (MacKinnon & White, 1985), and the SE of the difference is
    # sqrt(s_ctl^2 / 9 + s_trt^2 / 9), with s^2 the sample variances (statistics.variance, n - 1).
    import statistics

    frame = pd.DataFrame({"weight": PLANT_CTL + PLANT_TRT, "group": ["Ctl"] * 10 + ["Trt"] * 10})
    table = regression.linear_regression(frame, "weight", ["group"], robust=True).set_index("term")
    expected = math.sqrt(statistics.variance(PLANT_CTL) / 9 + statistics.variance(PLANT_TRT) / 9)
    assert table.loc["group_Trt", "se"] == pytest.approx(expected, rel=1e-9)
    assert table.loc["group_Trt", "se_type"] == "HC3"


# MASS::housing (Madsen, 1976; Venables & Ripley, 2002, sec. 7.3): Freq for Sat (Low, Medium, High)
# within Infl (Low, Medium, High) within Type (Tower, Apartment, Atrium, Terrace) within Cont
# (Low, High), R's row order.
HOUSING_FREQ = [
    21, 21, 28, 34, 22, 36, 10, 11, 36, 61, 23, 17, 43, 35, 40, 26, 18, 54,
    13, 9, 10, 8, 8, 12, 6, 7, 9, 18, 6, 7, 15, 13, 13, 7, 5, 11,
    14, 19, 37, 17, 23, 40, 3, 5, 23, 78, 46, 43, 48, 45, 86, 15, 25, 62,
    20, 23, 20, 10, 22, 24, 7, 10, 21, 57, 23, 13, 31, 21, 13, 5, 6, 13,
]


def housing() -> pd.DataFrame:
    """One row per household (weights = Freq expand to 1,681 rows); codes 1, 2, … in R's level order."""
    import itertools

    cells = [{"Sat": sat, "Infl": infl, "Type": kind, "Cont": cont}
             for cont, kind, infl, sat in itertools.product((1, 2), (1, 2, 3, 4), (1, 2, 3), (1, 2, 3))]
    return pd.DataFrame(cells).loc[np.repeat(np.arange(len(cells)), HOUSING_FREQ)].reset_index(drop=True)


def test_ordinal_model_gives_mass_polr_thresholds_and_coefficients_on_housing():
    # R ?polr: house.plr <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing);
    # summary(house.plr): coefficients InflMedium 0.5664 (SE 0.1047), InflHigh 1.2888 (0.1272),
    # TypeApartment -0.5724 (0.1192), TypeAtrium -0.3662 (0.1552), TypeTerrace -1.0910 (0.1515),
    # ContHigh 0.3603 (0.0955); intercepts Low|Medium -0.4961 (0.1248), Medium|High 0.6907 (0.1255);
    # residual deviance 3479.149.
    predictors = ["Infl", "Type", "Cont"]
    table = regression.ordinal_regression(housing(), "Sat", predictors, predictors).set_index("term")
    expected = {"Infl_2": (0.5664, 0.1047), "Infl_3": (1.2888, 0.1272), "Type_2": (-0.5724, 0.1192),
                "Type_3": (-0.3662, 0.1552), "Type_4": (-1.0910, 0.1515), "Cont_2": (0.3603, 0.0955),
                "1|2": (-0.4961, 0.1248), "2|3": (0.6907, 0.1255)}
    for term, (coef, se) in expected.items():
        assert table.loc[term, "coef"] == pytest.approx(coef, abs=5e-4), term
        assert table.loc[term, "se"] == pytest.approx(se, abs=5e-4), term
    assert list(table["kind"]) == ["coefficient"] * 6 + ["threshold"] * 2
    model = table.iloc[0]
    assert model["n"] == 1681
    # Deviance -2 l = 3479.149, so l = -1739.5745. The null model (thresholds only) has the
    # observed shares 567, 444, 670 of 1681: l0 = 567 ln(567/1681) + 444 ln(444/1681) + 670 ln(670/1681)
    # = -1824.4388 (by hand), LR chi2 = 2 (l - l0) = 169.728 on 6 df, McFadden R2 = 1 - l / l0 = 0.04652.
    assert model["lr_chi2"] == pytest.approx(169.728, abs=5e-3)
    assert model["lr_df"] == 6
    assert model["mcfadden_r2"] == pytest.approx(0.04652, abs=5e-5)


def test_ordinal_model_gradient_equals_the_numerical_derivative_of_its_likelihood():
    # The closed-form score steers the fit; statsmodels' central differences of the same likelihood are the
    # independent check, at parameters away from the optimum (every threshold and slope matters there).
    from statsmodels.tools.numdiff import approx_fprime

    predictors = ["Infl", "Type", "Cont"]
    frame = housing()
    x = regression.design_matrix(frame, predictors, predictors).astype(float)
    y = pd.Series(pd.Categorical(frame["Sat"], categories=[1, 2, 3], ordered=True))
    model = regression._ordered_logit(y, x)
    rng = np.random.default_rng(5)
    for _ in range(5):
        params = rng.normal(scale=0.7, size=x.shape[1] + 2)
        numerical = approx_fprime(params, model.loglike, centered=True)
        assert model.score(params) == pytest.approx(numerical, rel=1e-6, abs=1e-4)


def test_brant_test_keeps_proportional_odds_data_and_flags_non_parallel_slopes():
    # Brant (1990): equal slopes over the cumulative splits are not rejected for data generated
    # with one slope; a predictor that only moves the upper split is flagged.
    rng = np.random.default_rng(11)
    x = rng.standard_normal(3000)
    parallel = np.digitize(x + rng.logistic(size=3000), [-1.0, 1.0])
    upper_only = np.where(rng.logistic(size=3000) < -1.0, 0, np.where(2.0 * x + rng.logistic(size=3000) > 1.0, 2, 1))
    kept = regression.brant_test(pd.Series(parallel), pd.DataFrame({"x": x}))
    flagged = regression.brant_test(pd.Series(upper_only), pd.DataFrame({"x": x}))
    assert kept.iloc[-1]["brant_p"] > 0.05 and kept.iloc[-1]["brant_df"] == 1
    assert flagged.iloc[-1]["brant_p"] < 0.001
