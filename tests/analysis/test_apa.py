"""APA 7 formatting (Publication Manual of the APA, 7th ed., sec. 6.36 and Table 6.5):
no leading zero for statistics bounded by 1, exact p to three decimals, p < .001."""

import math

from analysis import apa


def test_p_values_have_no_leading_zero_and_three_decimals():
    assert apa.pvalue(0.0123) == "p = .012"
    assert apa.pvalue(0.05) == "p = .050"


def test_very_small_p_is_reported_as_below_001():
    assert apa.pvalue(0.0004) == "p < .001"
    assert apa.pvalue(2.954e-07) == "p < .001"


def test_p_close_to_one_is_reported_as_above_999():
    assert apa.pvalue(0.99995) == "p > .999"


def test_mann_whitney_sentence_names_n_and_the_effect_size():
    assert apa.mann_whitney(1234.5, 0.012, 0.31, 139) == "U = 1234.5, N = 139, p = .012, rank-biserial r = .31"


def test_negative_correlation_keeps_its_sign_without_leading_zero():
    assert apa.number(-0.314, 2, leading_zero=False) == "-.31"


def test_missing_statistic_is_written_as_n_a_never_nan():
    assert apa.pvalue(math.nan) == "p = n/a"
    assert apa.mann_whitney(math.nan, math.nan, math.nan, math.nan) == \
        "U = n/a, N = n/a, p = n/a, rank-biserial r = n/a"


def test_chi_square_sentence_carries_df_and_n():
    # Agresti (2007) party x gender example, values as in R's ?chisq.test.
    text = apa.chi_square(30.07, 2, 2757, 2.954e-07, 0.1044)
    assert text == "χ²(2, N = 2757) = 30.07, p < .001, Cramér's V = .10"


def test_a_yates_corrected_chi_square_says_so():
    assert apa.chi_square(0.45, 1, 100, 0.504, 0.07, "Yates").startswith("Yates-corrected χ²(1, N = 100) = 0.45")


def test_kruskal_sentence_carries_n_and_both_named_effect_sizes():
    assert apa.kruskal(7.812, 2, 139, 0.02, 0.0567, 0.0428) == "H(2, N = 139) = 7.81, p = .020, ε² = .06, η²_H = .04"


def test_adjusted_p_names_the_method_and_the_family_size():
    assert apa.adjusted(0.04, "holm", 12) == "Holm-adjusted p = .040 (family of 12)"


def test_alpha_with_confidence_interval():
    assert apa.alpha(0.8512, 0.8, 0.89) == "α = .85, 95% CI [.80, .89]"


def test_rounding_to_zero_does_not_show_negative_zero():
    assert apa.number(-0.001) == "0.00"


def test_an_apa_string_in_german_has_decimal_commas_and_german_words():
    # DGPs (2019): decimal comma, "KI" for the confidence interval, a semicolon between the bounds.
    text = "χ²(6, N = 119) = 3.20, p = .784, V = .16 (holm-adjusted p > .999), 95% CI [.12, .48]"
    assert apa.localise(text, "de") == \
        "χ²(6, N = 119) = 3,20, p = ,784, V = ,16 (Holm-adjustiertes p > ,999), 95%-KI [,12; ,48]"
    assert apa.localise(text, "en") == \
        "χ²(6, N = 119) = 3.20, p = .784, V = .16 (Holm-adjusted p > .999), 95% CI [.12, .48]"
    assert apa.localise("SUS M = 63.93, SD = 17.73; grade C-, OK", "de") == "SUS M = 63,93, SD = 17,73; Note C-, OK"
