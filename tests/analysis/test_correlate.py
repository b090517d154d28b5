"""Spearman correlations against R's documented cor.test example and hand calculations."""

import math

import pandas as pd
import pytest

from analysis import correlate


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


def test_spearman_p_is_exact_below_ten_pairs_as_r_cor_test():
    # R ?cor.test: cor.test(x, y, method = "spearm", alternative = "g") -> S = 48, p-value = 0.0484;
    # two-sided: S = 48, p-value = 0.0968, rho 0.6 (exact: n = 9, no ties).
    two_sided = correlate.spearman(HW_X, HW_Y).iloc[0]
    greater = correlate.spearman(HW_X, HW_Y, alternative="greater").iloc[0]
    assert two_sided["method"] == "exact"
    assert two_sided["p"] == pytest.approx(0.0968, abs=5e-5)
    assert greater["p"] == pytest.approx(0.0484, abs=5e-5)


def test_spearman_exact_p_by_hand_for_a_perfect_order_of_four():
    # n = 4, ranks identical: S = 0 is reached by 1 of 4! = 24 permutations -> one-sided 1/24,
    # two-sided 2/24 = 0.083333.
    row = correlate.spearman([1, 2, 3, 4], [10, 20, 30, 40]).iloc[0]
    assert row["p"] == pytest.approx(2 / 24)


def test_spearman_with_ties_or_ten_pairs_uses_the_t_approximation():
    assert correlate.spearman([1, 2, 2, 3, 4], [1, 3, 2, 4, 5]).loc[0, "method"] == "t approximation"
    assert correlate.spearman(range(10), [1, 3, 2, 4, 5, 7, 6, 8, 10, 9]).loc[0, "method"] == "t approximation"
