"""Descriptive tables: Likert distributions, multi-select shares and 'other' texts, checked by hand."""

import numpy as np
import pandas as pd

from analysis import descriptives


def test_likert_distribution_lists_every_option_missing_codes_and_unanswered():
    raw = pd.Series([1, 1, 2, 5, -1, np.nan])
    table = descriptives.distribution(raw, {1.0: "disagree", 2.0: "2", 3.0: "3", 4.0: "4", 5.0: "agree",
                                            -1.0: "not applicable"}, missing=[-1.0])
    valid = table[table["kind"] == "valid"]
    assert valid["value"].tolist() == [1, 2, 3, 4, 5]
    assert valid["n"].tolist() == [2, 1, 0, 0, 1]
    assert valid["percent"].tolist() == [50.0, 25.0, 0.0, 0.0, 25.0]
    assert table.set_index("kind").loc["missing code", "n"] == 1
    assert table.set_index("kind").loc["not answered", "n"] == 1


def test_multi_select_percent_is_of_those_who_answered_the_item():
    frame = pd.DataFrame({"uc__a": [1, 0, 1, np.nan], "uc__b": [0, 0, 1, np.nan]})
    table = descriptives.multi_select(frame, ["uc__a", "uc__b"])
    assert table["n"].tolist() == [2, 1] and table["n_answered"].tolist() == [3, 3]


def test_other_texts_are_listed_sorted_without_blanks():
    frame = pd.DataFrame({"uc__other_text": ["Lehre", None, "  ", "Dienstpläne"]})
    assert descriptives.other_texts(frame, ["uc__other_text"])["text"].tolist() == ["Dienstpläne", "Lehre"]
