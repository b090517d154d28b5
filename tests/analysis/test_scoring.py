"""Scoring of standard instruments, with expected values from the instruments' papers
or computed by hand in the comments."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import scoring

SUS = [f"sus_{i:02d}" for i in range(1, 11)]


def sus_frame(*answers):
    return pd.DataFrame([dict(zip(SUS, a)) for a in answers])


def test_sus_score_follows_brookes_scoring_rule():
    # Brooke (1996): odd items contribute x - 1, even items 5 - x, sum x 2.5.
    # Answers 4,2,4,2,4,2,4,2,4,2 -> ten contributions of 3 -> 30 x 2.5 = 75.
    # Answers 5,1,5,1,5,1,5,1,5,1 -> best possible = 100; 1,5,1,5,... -> worst = 0.
    # Answers all 3 -> ten contributions of 2 -> 50.
    frame = sus_frame([4, 2] * 5, [5, 1] * 5, [1, 5] * 5, [3] * 10)
    assert scoring.sus_scores(frame, SUS).tolist() == [75.0, 100.0, 0.0, 50.0]


def test_sus_worked_example_with_mixed_answers():
    # By hand: answers 4,1,5,2,4,1,5,1,4,2 -> contributions 3,4,4,3,3,4,4,4,3,3 = 35 -> 87.5.
    frame = sus_frame([4, 1, 5, 2, 4, 1, 5, 1, 4, 2])
    assert scoring.sus_scores(frame, SUS).iloc[0] == 87.5


def test_sus_with_an_unanswered_item_is_missing_by_default_and_prorated_on_request():
    # Nine contributions of 3 answered: prorated mean 3 -> 3 x 10 x 2.5 = 75 (Lewis & Sauro, 2017).
    answers = [4, 2] * 5
    answers[3] = np.nan
    frame = sus_frame(answers)
    assert math.isnan(scoring.sus_scores(frame, SUS).iloc[0])
    assert scoring.sus_scores(frame, SUS, min_items=9).iloc[0] == 75.0


@pytest.mark.parametrize(
    ("score", "grade"),
    # Sauro & Lewis (2016), Quantifying the User Experience 2nd ed., Table 8.5 (curved grading scale).
    [(100, "A+"), (84.1, "A+"), (84.0, "A"), (80.8, "A"), (80.0, "A-"), (78.0, "B+"), (75.0, "B"),
     (73.0, "B-"), (72.0, "C+"), (68.0, "C"), (63.0, "C-"), (55.0, "D"), (51.6, "F"), (0, "F")],
)
def test_sus_grade_uses_the_sauro_lewis_curved_grading_scale(score, grade):
    assert scoring.sus_grade(score) == grade


@pytest.mark.parametrize(
    ("score", "adjective"),
    # Lewis & Sauro (2018), JUS 13(3), Table 1: adjective ranges beside the CGS.
    [(90, "Best Imaginable"), (82, "Excellent"), (75, "Good"), (68, "OK"), (40, "Poor"), (20, "Worst Imaginable")],
)
def test_sus_adjective_rating(score, adjective):
    assert scoring.sus_adjective(score) == adjective


def test_sus_grade_of_missing_mean_is_none():
    assert scoring.sus_grade(math.nan) is None


def test_umux_lite_and_its_sus_equivalent():
    # Lewis, Utesch & Maher (2013): (x1 - 1 + x2 - 1) / 12 x 100; SUS-equivalent 0.65 x UMUX-LITE + 22.9.
    # Answers 7 and 6 -> 11 / 12 x 100 = 91.667; 0.65 x 91.667 + 22.9 = 82.483.
    # Answers 1 and 1 -> 0 and 22.9 (the regression's intercept).
    frame = pd.DataFrame({"u1": [7, 1], "u2": [6, 1]})
    result = scoring.umux_lite_scores(frame, ["u1", "u2"])
    assert result["umux_lite"].tolist() == pytest.approx([91.6667, 0.0], abs=1e-3)
    assert result["umux_lite_sus"].tolist() == pytest.approx([82.4833, 22.9], abs=1e-3)


def test_net_promoter_score_is_percent_promoters_minus_percent_detractors():
    # Reichheld (2003): 9-10 promoters, 0-6 detractors. 10 answers: 5 promoters (9,9,10,10,10),
    # 2 passives (7,8), 3 detractors (0,5,6) -> 50% - 30% = 20.
    # Rocks (2016) SE: sqrt((.5 + .3 - .2^2) / 10) = sqrt(.076) = .27568 -> 95% CI 20 +/- 54.03.
    result = scoring.nps(pd.Series([9, 9, 10, 10, 10, 7, 8, 0, 5, 6])).iloc[0]
    assert (result["promoters"], result["passives"], result["detractors"]) == (5, 2, 3)
    assert result["nps"] == pytest.approx(20.0)
    assert result["ci_low"] == pytest.approx(20 - 54.033, abs=0.01)
    assert result["ci_high"] == pytest.approx(20 + 54.033, abs=0.01)


def test_nps_without_answers_gives_a_message_not_a_number():
    result = scoring.nps(pd.Series([np.nan, np.nan])).iloc[0]
    assert result["n"] == 0 and math.isnan(result["nps"]) and "no answers" in result["message"]


def test_scale_score_reverse_codes_and_applies_the_minimum_items_rule():
    # Items 1..5, c reverse-coded: 1 + 5 - x.
    # Row 1: a=4, b=5, c=2 -> c' = 4 -> mean(4, 5, 4) = 4.333.
    # Row 2: a=2, b=NaN, c=NaN -> one of three answered < ceil(3/2) = 2 -> missing.
    # Row 3: a=3, b=NaN, c=5 -> c' = 1 -> mean(3, 1) = 2.
    frame = pd.DataFrame({"a": [4, 2, 3], "b": [5, np.nan, np.nan], "c": [2, np.nan, 5]})
    scores = scoring.scale_scores(frame, ["a", "b", "c"], reverse=["c"], ranges={"c": (1, 5)})
    assert scores.iloc[0] == pytest.approx(13 / 3)
    assert math.isnan(scores.iloc[1])
    assert scores.iloc[2] == 2.0


def test_reverse_coded_item_without_range_is_a_clear_error():
    frame = pd.DataFrame({"a": [1, 2], "b": [2, 3]})
    with pytest.raises(ValueError, match="reverse-coded item 'b' needs its min/max"):
        scoring.scale_scores(frame, ["a", "b"], reverse=["b"], name="trust")


def test_one_item_scale_score_is_the_item():
    frame = pd.DataFrame({"a": [1.0, 4.0]})
    assert scoring.scale_scores(frame, ["a"]).tolist() == [1.0, 4.0]


def test_score_summary_of_a_single_score_has_no_sd_and_says_why():
    summary = scoring.score_summary(pd.Series([70.0, np.nan]), "sus").iloc[0]
    assert summary["n"] == 1 and math.isnan(summary["sd"]) and "no SD" in summary["message"]
