"""Coded categories: shares with Wilson intervals (hand-computed) and small cells suppressed."""

import pandas as pd
import pytest

from analysis.categories import coded_categories


def test_share_and_wilson_interval_match_hand_calculation():
    # k = 7 of n = 10, z = 1.959964: centre (7 + z²/2)/(10 + z²) = .6446, half-width z·sqrt(10·.7·.3 + z²/4)/(10 + z²) = .2478
    table = pd.DataFrame({"wishes_code__speed": [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, None]})
    row = coded_categories(table, ["wishes_code__speed"]).iloc[0]
    assert (row.n, row.k, row.percent) == (10, 7, 70.0)
    assert row.ci_low == pytest.approx(39.68, abs=0.01)
    assert row.ci_high == pytest.approx(89.22, abs=0.01)


def test_small_counts_and_small_groups_are_suppressed():
    table = pd.DataFrame({
        "role": ["a"] * 10 + ["b"] * 3,
        "c_speed": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
        "c_models": [1] * 6 + [0] * 4 + [0, 0, 0],
    })
    by_role = coded_categories(table, ["c_speed", "c_models"], by="role", threshold=5).set_index(["group", "code"])
    assert by_role.loc[("a", "c_speed"), "suppressed"] and pd.isna(by_role.loc[("a", "c_speed"), "k"])  # 2 of 10
    assert by_role.loc[("a", "c_models"), "k"] == 6
    assert by_role.loc[("b", "c_models"), "suppressed"]  # the group has 3 coded answers


def test_a_group_with_no_coded_answer_shows_its_zero_not_a_hidden_count():
    table = pd.DataFrame({"role": ["a"] * 6 + ["b"], "c_speed": [1] * 6 + [None]})
    by_role = coded_categories(table, ["c_speed"], by="role", threshold=5).set_index("group")
    assert by_role.loc["b", "n"] == 0 and by_role.loc["b", "suppressed"]  # nobody to hide, nothing to estimate
    assert by_role.loc["a", "n"] == 6
