"""Cronbach's alpha, its CI, item statistics and McDonald's omega against hand
calculations, F-table values and population values of a known factor model."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis import reliability

# Four respondents x three items. By hand (sample variances, ddof = 1):
#   a = 1,2,3,4 -> var 5/3;  b = 2,3,3,5 -> var 4.75/3;  c = 2,3,4,4 -> var 2.75/3;  sum of item vars 12.5/3
#   totals 5,8,10,13 -> var 34/3
#   alpha = 3/2 x (1 - 12.5/34) = 0.948529
SMALL = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 3, 5], "c": [2, 3, 4, 4]})


def test_alpha_matches_hand_calculation():
    assert reliability.cronbach_alpha(SMALL).loc[0, "alpha"] == pytest.approx(0.948529, abs=1e-6)


def test_alpha_ci_is_feldts_interval_checked_with_printed_f_tables():
    # Feldt (1965): df1 = n - 1 = 3, df2 = (n - 1)(k - 1) = 6.
    # Printed F tables: F_.025(3, 6) = 6.60 (upper 2.5% point); F_.025(6, 3) = 14.73, so the lower
    # 2.5% point of F(3, 6) is 1 / 14.73 = 0.0679.
    # lower = 1 - (1 - .948529) x 6.60 = .660; upper = 1 - .051471 x .0679 = .9965.
    row = reliability.cronbach_alpha(SMALL).iloc[0]
    assert row["ci_low"] == pytest.approx(0.660, abs=0.002)
    assert row["ci_high"] == pytest.approx(0.9965, abs=0.0005)


def test_corrected_item_total_correlation_and_alpha_if_deleted_by_hand():
    # Item a vs rest (b + c = 4,6,7,9): deviations -1.5,-.5,.5,1.5 and -2.5,-.5,.5,2.5;
    # cross products 8, SS 5 and 13 -> r = 8 / sqrt(65) = 0.992278.
    # Without a: var(b) + var(c) = 7.5/3 = 2.5, var(b + c) = 13/3 -> alpha = 2 x (1 - 2.5 / 4.3333) = 0.846154.
    table = reliability.item_statistics(SMALL).set_index("item")
    assert table.loc["a", "item_rest_r"] == pytest.approx(0.992278, abs=1e-6)
    assert table.loc["a", "alpha_if_deleted"] == pytest.approx(0.846154, abs=1e-6)


def test_alpha_uses_complete_responses_only():
    with_gap = pd.concat([SMALL, pd.DataFrame({"a": [5], "b": [np.nan], "c": [1]})], ignore_index=True)
    row = reliability.cronbach_alpha(with_gap).iloc[0]
    assert row["n"] == 4 and row["alpha"] == pytest.approx(0.948529, abs=1e-6)


def _one_factor_sample(loadings, n, seed):
    """Standard-normal items x_j = l_j F + e_j with var(e_j) = 1 - l_j^2."""
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal(n)
    return pd.DataFrame({f"x{j}": l * factor + math.sqrt(1 - l**2) * rng.standard_normal(n)
                         for j, l in enumerate(loadings)})


def test_omega_recovers_the_population_value_of_a_one_factor_model():
    # Population: loadings .8,.7,.6,.5 -> (sum l)^2 = 6.76, sum(1 - l^2) = 2.26,
    # omega = 6.76 / 9.02 = 0.7494 (McDonald, 1999). Population alpha from the same covariance
    # matrix: 4/3 x (1 - 4 / 9.02) = 0.7421. n = 20,000 keeps sampling error below .01.
    data = _one_factor_sample([0.8, 0.7, 0.6, 0.5], 20_000, seed=7)
    row = reliability.reliability(data).iloc[0]
    assert row["omega"] == pytest.approx(0.7494, abs=0.01)
    assert row["alpha"] == pytest.approx(0.7421, abs=0.01)


def test_one_item_scale_gives_a_message_not_a_crash():
    row = reliability.reliability(SMALL[["a"]]).iloc[0]
    assert math.isnan(row["alpha"]) and "one-item scale" in row["message"]


def test_all_items_constant_gives_a_message():
    row = reliability.cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [2, 2, 2]})).iloc[0]
    assert math.isnan(row["alpha"]) and "constant" in row["message"]


def test_one_constant_item_is_named_and_omega_not_computed():
    data = SMALL.assign(d=3)
    alpha = reliability.cronbach_alpha(data).iloc[0]
    omega = reliability.mcdonald_omega(data).iloc[0]
    assert "['d']" in alpha["message"] and not math.isnan(alpha["alpha"])
    assert math.isnan(omega["omega"]) and "['d']" in omega["message"]
    items = reliability.item_statistics(data).set_index("item")
    assert math.isnan(items.loc["d", "item_rest_r"]) and "constant" in items.loc["d", "message"]


def test_a_single_complete_response_gives_a_message():
    row = reliability.cronbach_alpha(SMALL.iloc[:1]).iloc[0]
    assert math.isnan(row["alpha"]) and "at least two" in row["message"]


@settings(max_examples=40, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(4, 12), st.integers(2, 5)), elements=st.integers(1, 5)))
def test_alpha_equals_hoyts_anova_reliability(values):
    # Hoyt (1941): alpha = 1 - MS_residual / MS_persons from the persons x items two-way ANOVA,
    # an independent route to the same coefficient (computed here from sums of squares).
    n, k = values.shape
    grand = values.mean()
    ss_persons = k * ((values.mean(axis=1) - grand) ** 2).sum()
    ss_items = n * ((values.mean(axis=0) - grand) ** 2).sum()
    ss_residual = ((values - grand) ** 2).sum() - ss_persons - ss_items
    ms_persons, ms_residual = ss_persons / (n - 1), ss_residual / ((n - 1) * (k - 1))
    alpha = reliability.cronbach_alpha(pd.DataFrame(values)).loc[0, "alpha"]
    if np.ptp(values.sum(axis=1)) == 0:  # equal sum scores for everyone: nothing to be consistent about
        assert math.isnan(alpha)
        return
    assert alpha == pytest.approx(1 - ms_residual / ms_persons, abs=1e-9)


def test_two_item_scale_reports_spearman_brown():
    # Eisinga, Te Grotenhuis & Pelzer (2013): rho_SB = 2r / (1 + r). By hand for a = 1..5,
    # b = 2, 1, 4, 3, 5: deviations products 2 + 2 + 0 + 0 + 4 = 8, Sxx = Syy = 10, r = .8,
    # rho_SB = 1.6 / 1.8 = 0.888889.
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5]})
    row = reliability.reliability(items).iloc[0]
    assert row["coefficient"] == "spearman_brown"
    assert row["spearman_brown"] == pytest.approx(0.888889, abs=1e-6)
    assert reliability.spearman_brown(items).loc[0, "r"] == pytest.approx(0.8)


def test_three_item_scale_reports_alpha():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    row = reliability.reliability(items).iloc[0]
    assert row["coefficient"] == "alpha" and math.isnan(row["spearman_brown"])
