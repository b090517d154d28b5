"""Response CSVs from LimeSurvey and REDCap become the tidy table + codebook that the analysis reads."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analysis import load_dataset
from surveys.export import CODEBOOK_COLUMNS
from surveys.services import import_instrument_file
from tests.surveys.interop_builders import clinic_dictionary, new_format_archive

pytestmark = pytest.mark.django_db

LIMESURVEY_RESPONSES = """\
id,submitdate,lastpage,startlanguage,seed,startdate,datestamp,Q1,Q1[other],Q2[SQ001],Q2[SQ002],Q3[SQ001],Q3[SQ002],Q4,Q5,Q6[1],Q7
1,2025-03-03 10:05:00,3,en,123,2025-03-03 10:00:00,2025-03-03 10:05:00,A2,,Y,,4,5,5,Many,,Y
2,,1,de,456,2025-03-04 09:00:00,2025-03-04 09:01:00,-oth-,Pharmacist,,Y,,,,,,
3,2025-03-05 12:00:30,3,en,789,2025-03-05 12:00:00,2025-03-05 12:00:30,A1,,,,1,2,2.5,,,N
"""

REDCAP_RESPONSES = """\
record_id,redcap_survey_identifier,intake_timestamp,name,smoker,kinds___1,kinds___2,kinds___99,intake_complete,habits_timestamp,daily,nightly,pipe_brand,age,habits_complete
1,,2025-01-01 10:00:00,Erika Mustermann,1,1,1,0,2,2025-01-01 10:05:00,3,4,Dunhill,44,2
2,,2025-01-02 11:00:00,Max Muster,0,0,0,0,2,,,2,,,0
"""


def convert(tmp_path, code, text, source):
    path = tmp_path / f"{source}.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("convert_responses", code, str(path), source=source, out=str(tmp_path / "out"), stdout=out)
    return out.getvalue(), load_dataset(tmp_path / "out" / f"{source}_responses.csv", tmp_path / "out" / f"{source}_codebook.csv")


def test_a_limesurvey_response_export_reads_as_a_tidy_table_with_codebook(tmp_path):
    archive = tmp_path / "survey.lss"
    archive.write_text(new_format_archive(), encoding="utf-8")
    import_instrument_file(archive)

    output, dataset = convert(tmp_path, "umfrage", LIMESURVEY_RESPONSES, "limesurvey")

    data = dataset.raw
    assert list(dataset.codebook.columns) == CODEBOOK_COLUMNS
    assert list(data["status"]) == ["completed", "in_progress", "completed"]
    assert list(data["language"]) == ["en", "de", "en"]
    assert data["duration_seconds"].tolist()[::2] == [300, 30] and data["duration_seconds"].isna().tolist()[1]
    # Q1: A1 -> 1, A2 -> 2, "other" one above the highest option -> 3 (docs/export-format.md).
    assert data["q1"].tolist() == [2, 3, 1] and data["q1_other"].tolist()[1] == "Pharmacist"
    assert data["q2__sq001"].tolist()[:2] == [1, 0] and data["q2__sq002"].tolist()[:2] == [0, 1]
    assert data["q2__sq001"].isna().tolist() == [False, False, True]  # nothing ticked, nothing known
    assert data["q3_sq001"].tolist()[::2] == [4, 1] and data["q3_sq002"].tolist()[::2] == [5, 2]
    assert data["q4"].tolist()[::2] == [5, 2.5] and data["q7"].tolist()[::2] == [1, 2]  # Y first, N second
    assert "WARNING column Q6[1]" in output and "3 responses" in output


def test_a_redcap_data_export_keeps_codes_and_never_carries_identifiers(tmp_path):
    import_instrument_file(clinic_dictionary(tmp_path / "dictionary.csv"))

    output, dataset = convert(tmp_path, "intake", REDCAP_RESPONSES, "redcap")

    data = dataset.raw
    assert data["smoker"].tolist() == [1, 0]  # REDCap's own codes stay the coded values
    assert data["kinds__c1"].tolist() == [1, 0] and data["kinds__c99"].tolist() == [0, 0]
    assert data["daily"].tolist()[0] == 3 and data["nightly"].tolist() == [4, 2]
    assert data["age"].tolist()[0] == 44 and list(data["status"]) == ["completed", "in_progress"]
    assert "name" not in data.columns and "name" not in set(dataset.codebook["variable"])
    written = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "out").iterdir())
    assert "Mustermann" not in written and "Muster" not in written


def test_a_value_that_is_not_an_option_stops_with_file_line_and_column(tmp_path):
    archive = tmp_path / "survey.lss"
    archive.write_text(new_format_archive(), encoding="utf-8")
    import_instrument_file(archive)

    with pytest.raises(CommandError, match=r"limesurvey.csv line 3 column Q1: 'A9' is not an option of q1"):
        convert(tmp_path, "umfrage", LIMESURVEY_RESPONSES.replace("-oth-,Pharmacist", "A9,"), "limesurvey")

    assert not (tmp_path / "out").exists()
