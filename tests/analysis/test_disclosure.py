"""Small-cell suppression: primary cells below the threshold, complementary cells so
that totals do not give them back (Hundepool et al., 2012, sec. 4.2), marked not dropped."""

import pandas as pd

from analysis import disclosure


def test_small_counts_and_their_percents_are_marked_not_dropped():
    table = pd.DataFrame({"value": [1, 2, 3, 4], "n": [20, 3, 30, 2], "percent": [36.4, 5.5, 54.5, 3.6]})
    shown = disclosure.suppress_frequencies(table)
    assert len(shown) == 4
    assert shown["n"].tolist() == [20, "<5", 30, "<5"]
    assert shown["percent"].tolist() == [36.4, "<5", 54.5, "<5"]
    assert shown["suppressed"].tolist() == [False, True, False, True]


def test_a_single_small_cell_is_protected_by_suppressing_the_next_smallest():
    # Total 55 is published: 55 - 20 - 30 would give the 3 back, so the next smallest
    # positive cell (20) is suppressed as well, with the secondary marker (20 is not "<5").
    table = pd.DataFrame({"value": [1, 2, 3], "n": [20, 3, 30], "percent": [36.4, 5.5, 54.5]})
    shown = disclosure.suppress_frequencies(table)
    assert shown["n"].tolist() == [disclosure.SECONDARY, "<5", 30]


def test_zero_counts_are_shown():
    table = pd.DataFrame({"value": [1, 2, 3], "n": [0, 12, 30], "percent": [0.0, 28.6, 71.4]})
    assert disclosure.suppress_frequencies(table)["n"].tolist() == [0, 12, 30]


def test_threshold_is_configurable():
    table = pd.DataFrame({"value": [1, 2, 3], "n": [8, 9, 30], "percent": [17.0, 19.1, 63.8]})
    assert disclosure.suppress_frequencies(table, threshold=10)["n"].tolist() == ["<10", "<10", 30]


def test_crosstab_secondary_suppression_protects_rows_and_columns():
    # Worked by hand (rows, then columns, repeated until no line has exactly one hidden cell):
    #              c1  c2  c3
    #        r1    2   10  12    primary: 2. r1 has one hidden -> hide its smallest other, 10.
    #        r2    8   15  20    c1 has one hidden (2) -> hide 8; c2 has one (10) -> hide 11.
    #        r3    9   11  30    pass 2: r2 has one (8) -> hide 15; r3 has one (11) -> hide 9.
    # Result: columns c1 and c2 hidden entirely, c3 and all margins shown.
    counts = pd.DataFrame([[2, 10, 12], [8, 15, 20], [9, 11, 30]], index=["r1", "r2", "r3"], columns=["c1", "c2", "c3"])
    mask = disclosure.suppression_mask(counts)
    assert mask.tolist() == [[True, True, False]] * 3
    shown = disclosure.suppress_crosstab(counts)
    assert shown.loc["r1", "c1"] == "<5" and shown.loc["r3", "c3"] == 30
    assert shown.loc["Total", "Total"] == 117 and shown.loc["r1", "Total"] == 24


def test_small_group_summary_statistics_are_withheld():
    table = pd.DataFrame({"group": ["a", "b"], "n": [40, 2], "median": [3.0, 5.0]})
    shown = disclosure.mask_small_groups(table, "n", ["median"])
    assert shown.loc[1, "n"] == "<5" and shown.loc[1, "median"] == "<5"
    assert shown.loc[0, "median"] == 3.0


def test_a_cell_hidden_only_to_protect_another_gets_its_own_marker():
    # 3 is small (primary); with the total published, 28 would give it back, so 28 is hidden too. It is not
    # "<5": it carries the secondary marker, so no reader takes 28 speeders for fewer than five.
    table = pd.DataFrame({"check": ["a", "b", "c"], "n": [3, 28, 40], "percent": [4.0, 39.4, 56.3]})
    shown = disclosure.suppress_frequencies(table)
    assert shown["n"].tolist() == ["<5", disclosure.SECONDARY, 40]
    assert shown["percent"].tolist() == ["<5", disclosure.SECONDARY, 56.3]
    crosstab = disclosure.suppress_crosstab(pd.DataFrame({"x": [2, 30], "y": [40, 50]}, index=["a", "b"]))
    assert crosstab.loc["a", "x"] == "<5" and crosstab.loc["a", "y"] == disclosure.SECONDARY
