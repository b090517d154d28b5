"""The coded-categories table marks a hidden count as every other table does ("<5" with the note), not
with a bare dash a reader cannot tell from "not defined"."""

import pandas as pd
from django.utils import translation

from analysis.categories import coded_categories
from reports.bundle import Bundle
from reports.coded import categories_table


def test_hidden_counts_carry_the_small_cell_marker_and_its_note(tmp_path):
    frame = pd.DataFrame({"role": ["a"] * 10 + ["b"] * 3 + ["c"],
                          "wishes_code__speed": [1, 1] + [0] * 8 + [1, 1, 1] + [None]})
    table = coded_categories(frame, ["wishes_code__speed"], by="role", threshold=5)
    bundle = Bundle(tmp_path, {"disclosure_threshold": 5}, {"coded/wishes/by/role": {"table": table.to_dict("records")}}, {})
    summary = {"item": "wishes", "labels": {"speed": "Speed"}, "coded_by": {"speed": "people"}}

    with translation.override("en"):
        shown = categories_table(bundle, summary, "coded/wishes/by/role")

    assert shown.rows == [
        ["a", "Speed", "10", "<5", "<5", "–"],  # 2 of 10 hidden
        ["b", "Speed", "<5", "<5", "<5", "–"],  # a group of 3
        ["c", "Speed", "0", "–", "–", "–"],  # nobody coded: nothing hidden
    ]
    assert any("<5" in note for note in shown.notes)
    assert "Coded by" not in shown.columns  # said once, in the overall table
