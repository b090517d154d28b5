"""CHERRIES rates, drop-out and data-quality flags, checked by hand."""

import numpy as np
import pandas as pd

from analysis import quality


def paradata():
    # 10 exported responses: 2 only viewed, 3 in progress, 5 completed.
    status = ["viewed"] * 2 + ["in_progress"] * 3 + ["completed"] * 5
    return pd.DataFrame({
        "status": status,
        "info_viewed_at": ["2025-01-01T10:00:00Z"] * 10,
        "consented_at": [None, None] + ["2025-01-01T10:01:00Z"] * 8,
        "last_page": ["info", "info", "sus", "usage", "sus", "end", "end", "end", "end", "end"],
        "duration_seconds": [np.nan] * 5 + [600, 500, 100, 700, 650],
    })


def test_cherries_rates_by_hand():
    # Eysenbach (2004): participation = consented / viewed = 8 / 10; completion = completed /
    # consented = 5 / 8; view = viewed / invited = 10 / 40.
    row = quality.cherries_rates(paradata(), invited=40).iloc[0]
    assert (row["viewed"], row["consented"], row["completed"]) == (10, 8, 5)
    assert row["view_rate"] == 0.25 and row["participation_rate"] == 0.8 and row["completion_rate"] == 0.625


def test_view_rate_without_invitation_count_is_null_with_a_message():
    row = quality.cherries_rates(paradata()).iloc[0]
    assert np.isnan(row["view_rate"]) and "invited" in row["message"]


def test_dropout_counts_last_page_of_unfinished_responses_in_page_order():
    table = quality.dropout_by_page(paradata(), ["info", "usage", "sus", "end"])
    assert table[["page", "n"]].values.tolist() == [["usage", 1], ["sus", 2]]


def test_speeders_are_below_a_third_of_the_median_duration():
    # Completed durations 600, 500, 100, 700, 650 -> median 600 -> cut-off 200 -> only 100.
    flags = quality.quality_flags(paradata())
    assert flags["speeder"].tolist() == [False] * 7 + [True, False, False]


def test_straightliners_answer_every_matrix_row_identically():
    items = pd.DataFrame({"r1": [3, 3, 1, 2], "r2": [3, 4, 1, np.nan], "r3": [3, 2, 1, 2]})
    assert quality.straightliners(items).tolist() == [True, False, True, False]


def test_attention_check_failures_include_unanswered_checks():
    frame = pd.DataFrame({"attn": [2, 3, np.nan]})
    assert quality.attention_failures(frame, [{"column": "attn", "pass": 2}]).tolist() == [False, True, True]


def test_flag_summary_counts_and_marks_exclusions():
    flags = pd.DataFrame({"speeder": [True, False, False], "any_flag": [True, False, False]})
    summary = quality.flag_summary(flags, excluded=["speeder"])
    assert summary.set_index("check").loc["speeder", ["flagged", "excluded"]].tolist() == [1, True]
