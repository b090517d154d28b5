"""Rank tests, contingency tests and multiplicity corrections against R's documented
examples (values typed in from R's help pages) and hand calculations."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import compare

# R ?wilcox.test, Hollander & Wolfe (1973) p. 69: W = 35, one-sided p = 0.1272 (exact),
# so the two-sided exact p is 2 x 0.1272 = 0.2544.
HW_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
HW_Y = [1.15, 0.88, 0.90, 0.74, 1.21]

# R ?kruskal.test, Hollander & Wolfe (1973) p. 116: Kruskal-Wallis chi-squared = 0.77143, df = 2, p = 0.68.
KW_VALUES = [2.9, 3.0, 2.5, 2.6, 3.2] + [3.8, 2.7, 4.0, 2.4] + [2.8, 3.4, 3.7, 2.2, 2.0]
KW_GROUPS = ["normal"] * 5 + ["obstructive"] * 4 + ["asbestosis"] * 5


def test_mann_whitney_matches_r_wilcox_test_example():
    row = compare.mann_whitney(HW_X, HW_Y).iloc[0]
    assert row["U"] == 35
    assert row["p"] == pytest.approx(0.2544, abs=1e-4)


def test_rank_biserial_correlation_by_hand():
    # Kerby (2014): r = 2U / (n1 n2) - 1 = 70 / 50 - 1 = .40 (x tends to be larger).
    assert compare.mann_whitney(HW_X, HW_Y).loc[0, "r_rb"] == pytest.approx(0.40)


def test_mann_whitney_ignores_missing_values():
    row = compare.mann_whitney(HW_X + [np.nan], HW_Y).iloc[0]
    assert (row["n1"], row["U"]) == (10, 35)


def test_mann_whitney_with_an_empty_group_gives_a_message():
    row = compare.mann_whitney(HW_X, []).iloc[0]
    assert math.isnan(row["p"]) and "both groups" in row["message"]


def test_mann_whitney_with_a_group_of_one_runs_and_warns():
    # By hand: y = 1.0 is larger than 0.80, 0.83, 0.73 only -> U of x = 7 pairs where x > y.
    row = compare.mann_whitney(HW_X, [1.0]).iloc[0]
    assert row["U"] == 7 and "group of one" in row["message"]


def test_kruskal_wallis_matches_r_kruskal_test_example():
    row = compare.kruskal(KW_VALUES, KW_GROUPS).iloc[0]
    assert row["H"] == pytest.approx(0.77143, abs=1e-5)
    assert row["df"] == 2
    assert row["p"] == pytest.approx(0.68, abs=0.005)


def test_epsilon_squared_by_hand():
    # Tomczak & Tomczak (2014): H / ((n^2 - 1) / (n + 1)) = 0.771429 / 13 = 0.059341.
    assert compare.kruskal(KW_VALUES, KW_GROUPS).loc[0, "epsilon_squared"] == pytest.approx(0.059341, abs=1e-6)


def test_dunn_post_hoc_by_hand():
    # Ranks (no ties): normal 4,5,8,9,10 -> mean 7.2; obstructive 3,6,13,14 -> 9.0; asbestosis 1,2,7,11,12 -> 6.6.
    # normal vs obstructive: z = (7.2 - 9) / sqrt(14 x 15 / 12 x (1/5 + 1/4)) = -1.8 / 2.806243 = -0.641427.
    # Two-sided p = 2 x Phi(-0.641427) = 0.5212 (normal table).
    table = compare.dunn(KW_VALUES, KW_GROUPS, adjust="holm")
    pair = table[(table["A"] == "normal") & (table["B"] == "obstructive")].iloc[0]
    assert pair["z"] == pytest.approx(-0.641427, abs=1e-6)
    assert pair["p_unc"] == pytest.approx(0.5212, abs=1e-4)


def test_kruskal_with_one_group_gives_a_message():
    row = compare.kruskal([1, 2, 3], ["a", "a", "a"]).iloc[0]
    assert math.isnan(row["H"]) and "at least two groups" in row["message"]


def test_kruskal_with_identical_answers_gives_a_message():
    row = compare.kruskal([3, 3, 3, 3], ["a", "a", "b", "c"]).iloc[0]
    assert math.isnan(row["H"]) and "identical" in row["message"]


def test_kruskal_names_groups_of_one():
    row = compare.kruskal([1, 2, 3, 4, 5], ["a", "a", "b", "b", "c"]).iloc[0]
    assert not math.isnan(row["H"]) and "['c']" in row["message"]


def test_chi_square_matches_r_chisq_test_example():
    # R ?chisq.test, Agresti (2007) p. 39, gender x party: X-squared = 30.07, df = 2, p = 2.954e-07.
    table = pd.DataFrame([[762, 327, 468], [484, 239, 477]], index=["F", "M"],
                         columns=["Democrat", "Independent", "Republican"])
    row = compare.chi_square(table).iloc[0]
    assert row["test"] == "chi-square"
    assert row["chi2"] == pytest.approx(30.07, abs=0.005)
    assert row["df"] == 2
    assert row["p"] == pytest.approx(2.954e-07, rel=1e-3)
    # Cramer's V by hand: sqrt(30.0701 / (2757 x 1)) = 0.10444.
    assert row["cramers_v"] == pytest.approx(0.10444, abs=1e-5)


def test_small_expected_counts_switch_to_fishers_exact_test():
    # R ?fisher.test tea tasting (Agresti, 1990, p. 59): one-sided p = 0.2429.
    # Two-sided by hand from the hypergeometric distribution with margins 4/4 of 8:
    # P(0..4) = 1, 16, 36, 16, 1 over 70; tables as or less likely than P(3) = 16/70:
    # (1 + 16 + 16 + 1) / 70 = 0.485714.
    row = compare.chi_square(pd.DataFrame([[3, 1], [1, 3]])).iloc[0]
    assert row["test"] == "fisher"
    assert row["p"] == pytest.approx(0.485714, abs=1e-6)
    assert "Fisher" in row["message"]


def test_contingency_test_with_one_column_gives_a_message():
    row = compare.chi_square(pd.DataFrame({"only": [4, 5]})).iloc[0]
    assert math.isnan(row["p"]) and "two rows and two columns" in row["message"]


def test_larger_sparse_table_uses_seeded_freeman_halton_and_is_reproducible():
    table = pd.DataFrame([[3, 1, 2], [1, 3, 4]])
    first, second = compare.chi_square(table, seed=1).iloc[0], compare.chi_square(table, seed=1).iloc[0]
    assert first["test"].startswith("fisher-freeman-halton")
    assert first["p"] == second["p"]


def test_holm_adjustment_by_hand():
    # Holm (1979): sorted p x (m - i + 1) = .05, .08, .09, .08, .05, then running maximum.
    adjusted = compare.p_adjust([0.01, 0.02, 0.03, 0.04, 0.05], "holm")
    assert adjusted.tolist() == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])


def test_benjamini_hochberg_adjustment_by_hand():
    # BH (1995): p x m / rank = .05 each for (.01, .02, .03, .04, .05);
    # for (.001, .04, .03): sorted .001, .03, .04 -> .003, .045, .04 -> running min from the top -> .003, .04, .04.
    assert compare.p_adjust([0.01, 0.02, 0.03, 0.04, 0.05], "bh").tolist() == pytest.approx([0.05] * 5)
    assert compare.p_adjust([0.001, 0.04, 0.03], "bh").tolist() == pytest.approx([0.003, 0.04, 0.04])


def test_adjustment_skips_tests_that_could_not_run():
    adjusted = compare.p_adjust([0.01, np.nan, 0.04], "holm")
    assert adjusted[0] == pytest.approx(0.02) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.04)


def test_a_comparison_outcome_pattern_gives_one_test_per_column_in_one_family():
    from analysis import dataset_from_frames, run_plan

    rng = np.random.default_rng(3)
    table = pd.DataFrame({"status": ["completed"] * 60, "role": np.repeat([1.0, 2.0], 30),
                          "kinds__a": rng.integers(0, 2, 60).astype(float),
                          "kinds__b": rng.integers(0, 2, 60).astype(float),
                          "kinds__none": 0.0})
    plan = {"comparisons": {"tests": [{"outcome": "kinds__*", "by": "role", "kind": "categorical", "family": "k"}]}}
    results = {r.id: r for r in run_plan(plan, dataset_from_frames(table)).results}
    assert {"comparisons/kinds__a__by__role", "comparisons/kinds__b__by__role"} <= set(results)
    # The constant column could not be tested: like p_adjust, the family counts the two tests that ran.
    assert results["comparisons/kinds__a__by__role"].values["family_size"] == 2
    constant = results["comparisons/kinds__none__by__role"]
    assert constant.text == "" and "two rows and two columns" in constant.to_dict()["messages"][0]


# R ?fisher.test, TeaTasting (Agresti, 1990, p. 59): rows = guess, columns = truth.
TEA_TASTING = [[3, 1], [1, 3]]


def test_fisher_exact_gives_rs_conditional_mle_odds_ratio_and_one_sided_interval():
    # R: fisher.test(TeaTasting, alternative = "greater"): p-value = 0.2429,
    # 95 percent confidence interval 0.3135693 to Inf, odds ratio 6.408309.
    row = compare.fisher_exact(TEA_TASTING, alternative="greater").iloc[0]
    assert row["p"] == pytest.approx(0.2429, abs=5e-5)
    assert row["odds_ratio"] == pytest.approx(6.408309, abs=5e-4)
    assert row["or_ci_low"] == pytest.approx(0.3135693, abs=5e-4)
    assert math.isinf(row["or_ci_high"])
    assert row["sample_odds_ratio"] == 9.0  # ad / bc, what the test used to report


def test_fisher_exact_two_sided_interval_is_rs_up_to_rs_root_finding_tolerance():
    # R: fisher.test(TeaTasting): p-value = 0.4857, 95 percent CI 0.2117329 621.9337505, odds ratio 6.408309.
    row = compare.fisher_exact(TEA_TASTING).iloc[0]
    assert row["p"] == pytest.approx(0.4857, abs=5e-5)
    assert row["odds_ratio"] == pytest.approx(6.408309, abs=5e-4)
    assert row["or_ci_low"] == pytest.approx(0.2117329, abs=5e-4)
    # R's upper limit comes from uniroot with its default tolerance. The exact limit solves
    # P(X = 4; psi) = psi^4 / (1 + 16 psi + 36 psi^2 + 16 psi^3 + psi^4) = 0.975 (margins 4/4 of 8),
    # which R's 621.93 misses in the third digit; check the defining equation instead.
    psi = row["or_ci_high"]
    assert psi**4 / (1 + 16 * psi + 36 * psi**2 + 16 * psi**3 + psi**4) == pytest.approx(0.975, abs=1e-6)


def test_small_2x2_table_reports_the_conditional_mle_odds_ratio_with_its_interval():
    row = compare.chi_square(pd.DataFrame(TEA_TASTING)).iloc[0]
    assert (row["test"], row["method"]) == ("fisher", "exact")
    assert row["odds_ratio"] == pytest.approx(6.408309, abs=5e-4)
    assert row["or_ci_low"] == pytest.approx(0.2117329, abs=5e-4)


def test_2x2_chi_square_has_yates_correction_like_r_chisq_test():
    # R chisq.test(TeaTasting) (Yates by default): X-squared = 0.5, df = 1, p-value = 0.4795.
    # By hand: E = 2 in every cell, |O - E| = 1, (1 - 0.5)^2 / 2 = 0.125, x 4 cells = 0.5;
    # p = 2 (1 - Phi(sqrt(0.5))) = 2 (1 - Phi(0.7071)) = 0.4795. min_expected = 0 keeps chi-square.
    row = compare.chi_square(pd.DataFrame(TEA_TASTING), min_expected=0).iloc[0]
    assert (row["test"], row["correction"]) == ("chi-square", "Yates")
    assert row["chi2"] == pytest.approx(0.5, abs=5e-4)
    assert row["p"] == pytest.approx(0.4795, abs=5e-4)


def test_yates_correction_by_hand_on_a_larger_2x2_table():
    # [[10, 20], [30, 40]]: N = 100, E = 12, 18, 28, 42, |O - E| = 2 in every cell.
    # chi2 = (2 - 0.5)^2 (1/12 + 1/18 + 1/28 + 1/42) = 2.25 x 0.198413 = 0.446429;
    # p = 2 (1 - Phi(0.668153)) = 0.5040. Without the correction: 4 x 0.198413 = 0.793651.
    table = pd.DataFrame([[10, 20], [30, 40]])
    corrected = compare.chi_square(table).iloc[0]
    plain = compare.chi_square(table, correction=False).iloc[0]
    assert corrected["chi2"] == pytest.approx(0.446429, abs=1e-6)
    assert corrected["p"] == pytest.approx(0.5040, abs=5e-4)
    assert (plain["chi2"], plain["correction"]) == (pytest.approx(0.793651, abs=1e-6), "none")
    # Cramér's V describes the table, from the uncorrected chi2: sqrt(0.793651 / 100) = 0.089087.
    assert corrected["cramers_v"] == pytest.approx(0.089087, abs=1e-6)


def test_freeman_halton_states_its_monte_carlo_resamples_and_seed():
    row = compare.chi_square(pd.DataFrame([[3, 1, 2], [1, 3, 4]]), seed=7, resamples=2000).iloc[0]
    assert (row["test"], row["method"], row["resamples"], row["seed"]) == ("fisher-freeman-halton", "Monte Carlo",
                                                                          2000, 7)


def test_mann_whitney_one_sided_exact_p_is_rs_documented_value():
    # R ?wilcox.test: wilcox.test(x, y, alternative = "g") -> W = 35, p-value = 0.1272 (exact).
    row = compare.mann_whitney(HW_X, HW_Y, alternative="greater").iloc[0]
    assert (row["U"], row["method"]) == (35, "exact")
    assert row["p"] == pytest.approx(0.1272, abs=5e-5)


def test_mann_whitney_is_exact_for_12_vs_10_values_without_ties():
    # R wilcox.test is exact below 50 values per group without ties. Complete separation of
    # 12 vs 10 values: W = 0, and only 1 of the C(22, 10) = 646,646 equally likely rank sets
    # gives W <= 0, so the exact two-sided p = 2 / 646,646 = 3.0929e-06 (by hand). Swapping
    # the two middle values gives W = 1, reached by 2 rank sets: p = 4 / 646,646 = 6.1858e-06.
    x = [float(v) for v in range(1, 13)]
    y = [float(v) for v in range(13, 23)]
    separated = compare.mann_whitney(x, y).iloc[0]
    assert (separated["U"], separated["method"], separated["n"]) == (0, "exact", 22)
    assert separated["p"] == pytest.approx(2 / 646646, rel=1e-9)
    x[-1], y[0] = 13.0, 12.0
    one_swap = compare.mann_whitney(x, y).iloc[0]
    assert one_swap["U"] == 1
    assert one_swap["p"] == pytest.approx(4 / 646646, rel=1e-9)


def test_mann_whitney_with_ties_uses_the_corrected_normal_approximation():
    row = compare.mann_whitney([1, 2, 2, 3], [2, 3, 4, 4]).iloc[0]
    assert row["method"] == "normal approximation, tie and continuity corrected"


def test_eta_squared_h_by_hand():
    # Cohen (2008) / Tomczak & Tomczak (2014): (H - k + 1) / (n - k) = (0.771429 - 2) / 11 = -0.111688.
    row = compare.kruskal(KW_VALUES, KW_GROUPS).iloc[0]
    assert row["eta_squared_h"] == pytest.approx(-0.111688, abs=1e-6)
    assert row["n"] == 14
