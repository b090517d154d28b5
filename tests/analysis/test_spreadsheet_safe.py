"""Text cells a spreadsheet would run as a formula are written as text (OWASP, "CSV Injection"); numbers never change."""

import csv
import stat

import pandas as pd
import pytest

from analysis.pipeline.io import spreadsheet_safe, spreadsheet_safe_table, write_csv


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","click")', "+1", "-cmd", "@SUM(A1:A3)", "\tcmd", "\rcmd",
                                  "\uff1dcmd", "\uff0bcmd", "\uff0dcmd", "\uff20cmd", "-1+cmd|' /C calc'!A0"])
def test_formula_text_gets_a_leading_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["-1", "-0.25", "-.12", "-3,5 %", "-2e3", "plain text", "", "<5", -1, -0.5, None])
def test_numbers_negative_numbers_as_text_and_plain_text_stay_as_they_are(value):
    assert spreadsheet_safe(value) == value


def test_only_text_columns_change_and_missing_stays_missing():
    frame = pd.DataFrame({"code": pd.array([-1, 2, None], dtype="Int64"), "text": ["=1+1", None, "fine"]})

    safe = spreadsheet_safe_table(frame)

    assert safe["code"].tolist()[:2] == [-1, 2] and pd.isna(safe["code"][2])
    assert safe["text"].tolist()[0::2] == ["'=1+1", "fine"] and pd.isna(safe["text"][1])


def test_write_csv_keeps_a_lone_carriage_return_in_its_cell_and_the_file_private(tmp_path):
    path = write_csv(pd.DataFrame({"text": ["\rcmd", "=2"], "n": [-1, 3]}), tmp_path / "t.csv")

    with open(path, encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["text", "n"], ["'\rcmd", "-1"], ["'=2", "3"]]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
