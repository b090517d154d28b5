"""The wave export as docs/export-format.md defines it: one row per response, coded values, codebook."""

import csv
import json
from datetime import datetime, timedelta, timezone

import pyreadstat
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import services
from surveys.export import export_wave, wave_table
from surveys.models import PageVisit, Response, Wave
from tests.surveys.builders import SMALL_INSTRUMENT, answer_page, enter_page, invite, make_instrument_version, make_wave

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)

USABILITY_INSTRUMENT = """
code: usability
title: {de: Nutzbarkeit, en: Usability}
information: {de: Informationen., en: Information.}
consent:
  agree: {de: Ich bin einverstanden., en: I agree.}
thanks: {de: Danke!, en: Thank you!}
pages:
  - code: usage
    items:
      - code: frequency
        type: dropdown
        text: {de: "Wie oft nutzen Sie es?", en: "How often do you use it?"}
        options:
          - {code: daily, value: 5, label: {de: täglich, en: daily}}
          - {code: weekly, value: 4, label: {de: wöchentlich, en: weekly}}
          - {code: rarely, value: 1, label: {de: selten, en: rarely}}
      - code: recommend
        type: scale_0_10
        text: {de: "Würden Sie es empfehlen?", en: "Would you recommend it?"}
        low: {de: gar nicht, en: not at all}
        high: {de: sehr wahrscheinlich, en: extremely likely}
      - code: tasks
        type: multiple_choice
        text: {de: "Wofür?", en: "What for?"}
        options:
          - {code: writing, label: {de: Schreiben, en: Writing}}
          - {code: coding, label: {de: Programmieren, en: Coding}}
        other: {de: Anderes, en: Something else}
  - code: standard
    items:
      - include: sus
  - code: workload
    items:
      - code: load
        type: likert_matrix
        scale: workload
        points: 5
        text: {de: "Wie sehr stimmen Sie zu?", en: "How much do you agree?"}
        labels:
          - {de: gar nicht, en: not at all}
          - {de: wenig, en: a little}
          - {de: mittel, en: somewhat}
          - {de: ziemlich, en: quite}
          - {de: sehr, en: very much}
        not_applicable: {de: trifft nicht zu, en: does not apply}
        rows:
          - code: load_time
            text: {de: Es spart mir Zeit., en: It saves me time.}
          - code: load_stress
            reverse: true
            text: {de: Es stresst mich., en: It stresses me.}
"""

PARADATA_COLUMNS = [
    "response_id", "wave", "instrument_version", "status", "language", "pseudonym", "linkage_consent",
    "info_viewed_at", "consented_at", "started_at", "completed_at", "duration_seconds", "last_page",
    "pages_reached", "page_about_seconds", "page_data_seconds", "page_sensitive_seconds", "page_rating_seconds",
]
SMALL_ITEM_COLUMNS = [
    "role", "role_other", "data_kinds__public", "data_kinds__patient", "data_kinds__none",
    "sensitive_purpose", "satisfaction", "hours", "wishes",
]


def start(wave, token=None, language="en", linkage=False):
    invitation = services.find_invitation(token or invite(wave))
    participant = services.participant_for_invitation(invitation)
    response = services.open_response(wave, participant, language=language)
    services.give_consent(response, participant, linkage_consent=linkage)
    return response


def complete_small(wave, role="nurse", data_kinds=("public",), satisfaction=4, hours=None, wishes=None, **kwargs):
    response = start(wave, **kwargs)
    answer_page(response, "about", {"role": role})
    answer_page(response, "data", {"data_kinds": list(data_kinds)})
    if "patient" in data_kinds:
        answer_page(response, "sensitive", {"sensitive_purpose": "Arztbriefe"})
    answer_page(response, "rating", {"satisfaction": satisfaction, "hours": hours, "wishes": wishes})
    return response


def exported_rows(wave, out_dir):
    export_wave(wave, out_dir, "csv")
    with open(out_dir / f"{wave.slug}_responses.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def codebook_rows(wave, out_dir):
    export_wave(wave, out_dir, "csv")
    with open(out_dir / f"{wave.slug}_codebook.csv", encoding="utf-8", newline="") as handle:
        return {row["variable"]: row for row in csv.DictReader(handle)}


def pick(row, columns):
    return {column: row[column] for column in columns}


def set_times(response, visits, started=START, completed=None):
    """Give the response and its page visits known times: visits are (seconds entered, seconds left or None)."""
    at = lambda seconds: None if seconds is None else started + timedelta(seconds=seconds)
    Response.objects.filter(pk=response.pk).update(started_at=started, completed_at=completed)
    for visit, (entered, left) in zip(PageVisit.objects.filter(response=response).order_by("pk"), visits, strict=True):
        PageVisit.objects.filter(pk=visit.pk).update(entered_at=at(entered), left_at=at(left))


# --- the tidy table --------------------------------------------------------------------------------


def test_columns_are_paradata_then_time_per_page_then_items_in_instrument_order(tmp_path):
    wave = make_wave(tmp_path)
    table, codebook = wave_table(wave)
    assert list(table.columns) == PARADATA_COLUMNS + SMALL_ITEM_COLUMNS
    assert list(codebook["variable"]) == list(table.columns)


def test_answers_are_exported_as_coded_values(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave, role=("other", "Apotheke"), data_kinds=["public", "patient"], satisfaction="na",
                   hours=12, wishes="Größere Modelle")
    complete_small(wave, role="physician", data_kinds=["none"], satisfaction=2, hours=7.5)

    rows = exported_rows(wave, tmp_path)

    assert [pick(row, SMALL_ITEM_COLUMNS) for row in rows] == [
        {"role": "3", "role_other": "Apotheke", "data_kinds__public": "1", "data_kinds__patient": "1",
         "data_kinds__none": "0", "sensitive_purpose": "Arztbriefe", "satisfaction": "-1", "hours": "12.0",
         "wishes": "Größere Modelle"},
        {"role": "1", "role_other": "", "data_kinds__public": "0", "data_kinds__patient": "0",
         "data_kinds__none": "1", "sensitive_purpose": "", "satisfaction": "2", "hours": "7.5", "wishes": ""},
    ]


def test_whole_numbers_are_written_without_decimals(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave, role="nurse", hours=12)

    [row] = exported_rows(wave, tmp_path)

    assert pick(row, ["role", "satisfaction", "hours", "linkage_consent"]) == {
        "role": "2", "satisfaction": "4", "hours": "12", "linkage_consent": "0"}


def test_dropout_has_empty_cells_for_unanswered_items_and_its_furthest_page(tmp_path):
    wave = make_wave(tmp_path)
    response = start(wave)
    answer_page(response, "about", {"role": "nurse"})
    enter_page(response, "data")  # ... and closes the browser

    [row] = exported_rows(wave, tmp_path)

    assert pick(row, ["status", "last_page", "pages_reached", "completed_at", "duration_seconds"]) == {
        "status": "in_progress", "last_page": "data", "pages_reached": "2", "completed_at": "", "duration_seconds": ""}
    assert pick(row, SMALL_ITEM_COLUMNS) == {column: "2" if column == "role" else "" for column in SMALL_ITEM_COLUMNS}
    assert float(row["page_about_seconds"]) >= 0
    assert row["page_data_seconds"] == ""  # still open: no time known


def test_paradata_has_utc_timestamps_duration_and_time_summed_over_visits(tmp_path):
    wave = make_wave(tmp_path)
    response = start(wave)
    answer_page(response, "about", {"role": "nurse"})
    answer_page(response, "data", {"data_kinds": ["public"]}, direction="back")
    answer_page(response, "about", {"role": "nurse"})
    answer_page(response, "data", {"data_kinds": ["public"]})
    answer_page(response, "rating", {"satisfaction": 5})
    set_times(response, [(0, 30), (30, 50), (50, 60), (60, 100), (100, 145.5)], completed=START + timedelta(seconds=150))

    [row] = exported_rows(wave, tmp_path)

    assert pick(row, PARADATA_COLUMNS[1:]) == {
        "wave": "wave-1", "instrument_version": "1", "status": "completed", "language": "en", "pseudonym": "",
        "linkage_consent": "0", "info_viewed_at": row["info_viewed_at"], "consented_at": row["consented_at"],
        "started_at": "2025-03-03T09:00:00Z", "completed_at": "2025-03-03T09:02:30Z", "duration_seconds": "150.0",
        "last_page": "rating", "pages_reached": "3", "page_about_seconds": "40.0", "page_data_seconds": "60.0",
        "page_sensitive_seconds": "", "page_rating_seconds": "45.5",
    }
    assert row["info_viewed_at"].endswith("Z") and row["consented_at"].endswith("Z")
    assert row["response_id"] == str(response.pk)


def test_response_that_only_viewed_the_information_is_exported_for_the_view_rate(tmp_path):
    wave = make_wave(tmp_path)
    invitation = services.find_invitation(invite(wave))
    services.open_response(wave, services.participant_for_invitation(invitation), language="de")

    [row] = exported_rows(wave, tmp_path)

    assert pick(row, ["status", "language", "consented_at", "last_page", "pages_reached", "role"]) == {
        "status": "viewed", "language": "de", "consented_at": "", "last_page": "", "pages_reached": "0", "role": ""}
    assert row["info_viewed_at"] != ""


def test_withdrawn_responses_are_not_exported(tmp_path):
    wave = make_wave(tmp_path)
    kept = complete_small(wave)
    services.withdraw_response(complete_small(wave))

    rows = exported_rows(wave, tmp_path)

    assert [row["response_id"] for row in rows] == [str(kept.pk)]


def test_anonymous_wave_exports_no_pseudonym(tmp_path):
    wave = make_wave(tmp_path)
    response = complete_small(wave)
    Response.objects.filter(pk=response.pk).update(wave_pseudonym="f" * 64)  # even if one were stored

    [row] = exported_rows(wave, tmp_path)

    assert row["pseudonym"] == ""
    assert row["linkage_consent"] == "0"


def test_pseudonymous_wave_exports_pseudonym_and_linkage_consent(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    [token] = invite(wave, identifiers=["ada@example.org"])
    response = complete_small(wave, token=token, linkage=True)

    [row] = exported_rows(wave, tmp_path)

    stored = Response.objects.get(pk=response.pk)
    assert row["pseudonym"] == stored.wave_pseudonym != ""
    assert row["pseudonym"] != stored.pseudonym  # the usage-linkable pseudonym never leaves
    assert row["linkage_consent"] == "1"


def test_columns_follow_the_current_version_and_drop_answers_to_removed_items(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave, wishes="Mehr Modelle")
    changed = SMALL_INSTRUMENT.replace("code: wishes", "code: team")
    wave.instrument_version = make_instrument_version(tmp_path, text=changed)
    wave.save()

    [row] = exported_rows(wave, tmp_path)

    assert "wishes" not in row
    assert pick(row, ["instrument_version", "role", "team"]) == {"instrument_version": "1", "role": "2", "team": ""}


def test_library_and_matrix_items_dropdown_and_scale_are_coded(tmp_path):
    wave = make_wave(tmp_path, version=make_instrument_version(tmp_path, USABILITY_INSTRUMENT, "usability.yaml"))
    response = start(wave)
    answer_page(response, "usage", {"frequency": "weekly", "recommend": 0, "tasks": (["coding", "other"], "Übersetzen")})
    answer_page(response, "standard", {f"sus_{number:02d}": 1 + number % 5 for number in range(1, 11)})
    answer_page(response, "workload", {"load_time": "na", "load_stress": 5})

    [row] = exported_rows(wave, tmp_path)

    assert pick(row, ["frequency", "recommend", "tasks__writing", "tasks__coding", "tasks__other",
                      "tasks__other_text", "sus_01", "sus_02", "sus_05", "sus_10", "load_time", "load_stress"]) == {
        "frequency": "4", "recommend": "0", "tasks__writing": "0", "tasks__coding": "1", "tasks__other": "1",
        "tasks__other_text": "Übersetzen", "sus_01": "2", "sus_02": "3", "sus_05": "1", "sus_10": "1",
        "load_time": "-1", "load_stress": "5",
    }


def test_export_reads_a_wave_in_a_constant_number_of_queries(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave)
    with CaptureQueriesContext(connection) as one_response:
        wave_table(wave)
    for _ in range(3):
        complete_small(wave, data_kinds=["patient"], hours=3)
    with CaptureQueriesContext(connection) as four_responses:
        table, _codebook = wave_table(wave)

    assert len(table) == 4
    assert len(four_responses) == len(one_response)


# --- the codebook ----------------------------------------------------------------------------------


def test_codebook_describes_choice_likert_and_text_items(tmp_path):
    codebook = codebook_rows(make_wave(tmp_path), tmp_path)

    assert pick(codebook["role"], ["item", "source", "type", "page", "label_en", "missing_codes", "reverse_coded"]) == {
        "item": "role", "source": "survey", "type": "single_choice", "page": "about", "label_en": "Your role?",
        "missing_codes": "", "reverse_coded": "0"}
    assert json.loads(codebook["role"]["value_labels_en"]) == {"1": "Physician", "2": "Nursing",
                                                               "3": "Other, please specify"}
    assert json.loads(codebook["role"]["value_labels_de"]) == {"1": "Ärztin/Arzt", "2": "Pflege",
                                                               "3": "Andere, bitte angeben"}
    assert pick(codebook["role_other"], ["item", "type", "label_en"]) == {
        "item": "role", "type": "text", "label_en": "Your role? [Other, please specify]"}
    assert pick(codebook["data_kinds__patient"], ["item", "type", "label_de", "min", "max"]) == {
        "item": "data_kinds", "type": "multiple_choice", "label_de": "Welche Daten? [Patientendaten]",
        "min": "0", "max": "1"}
    assert json.loads(codebook["data_kinds__patient"]["value_labels_en"]) == {"0": "not selected", "1": "selected"}
    assert pick(codebook["satisfaction"], ["type", "missing_codes", "min", "max"]) == {
        "type": "likert", "missing_codes": "[-1]", "min": "1", "max": "5"}
    assert json.loads(codebook["satisfaction"]["value_labels_en"]) == {
        "1": "strongly disagree", "2": "disagree", "3": "neutral", "4": "agree", "5": "strongly agree",
        "-1": "don't know"}
    assert pick(codebook["hours"], ["type", "min", "max", "value_labels_en"]) == {
        "type": "number", "min": "0", "max": "80", "value_labels_en": ""}
    assert pick(codebook["page_rating_seconds"], ["source", "type", "page", "label_en"]) == {
        "source": "paradata", "type": "number", "page": "rating", "label_en": "Time on page Rating (seconds)"}
    assert pick(codebook["response_id"], ["source", "type", "item", "page"]) == {
        "source": "paradata", "type": "id", "item": "", "page": ""}


def test_codebook_marks_library_instrument_scale_and_reverse_coded_rows(tmp_path):
    wave = make_wave(tmp_path, version=make_instrument_version(tmp_path, USABILITY_INSTRUMENT, "usability.yaml"))
    codebook = codebook_rows(wave, tmp_path)
    columns = ["item", "type", "page", "instrument", "scale", "reverse_coded", "missing_codes", "min", "max"]

    assert pick(codebook["sus_01"], columns) == {
        "item": "sus_01", "type": "likert_matrix", "page": "standard", "instrument": "sus", "scale": "",
        "reverse_coded": "0", "missing_codes": "[-1]", "min": "1", "max": "5"}
    assert codebook["sus_02"]["reverse_coded"] == "1"
    assert codebook["sus_02"]["label_en"] == "I found the system unnecessarily complex."
    assert pick(codebook["load_stress"], ["instrument", "scale", "reverse_coded"]) == {
        "instrument": "", "scale": "workload", "reverse_coded": "1"}
    assert json.loads(codebook["load_time"]["value_labels_en"])["-1"] == "does not apply"
    assert json.loads(codebook["frequency"]["value_labels_en"]) == {"5": "daily", "4": "weekly", "1": "rarely"}
    assert json.loads(codebook["recommend"]["value_labels_de"]) == {"0": "gar nicht", "10": "sehr wahrscheinlich"}
    assert pick(codebook["tasks__other_text"], ["item", "type"]) == {"item": "tasks", "type": "text"}


# --- SPSS -----------------------------------------------------------------------------------------


def test_sav_carries_variable_labels_value_labels_and_not_applicable_as_user_missing(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave, role=("other", "Apotheke"), satisfaction="na", wishes="Größere Modelle")
    complete_small(wave, role="nurse", satisfaction=4)

    export_wave(wave, tmp_path, "sav")
    data, meta = pyreadstat.read_sav(str(tmp_path / "wave-1_responses.sav"), user_missing=True)

    assert list(data.columns) == PARADATA_COLUMNS + SMALL_ITEM_COLUMNS
    assert data["satisfaction"].tolist() == [-1, 4]
    assert data["role_other"].tolist() == ["Apotheke", ""]
    assert meta.column_names_to_labels["satisfaction"] == "I am satisfied."
    assert meta.column_names_to_labels["data_kinds__public"] == "Which data do you enter? [Public]"
    assert meta.variable_value_labels["role"] == {1: "Physician", 2: "Nursing", 3: "Other, please specify"}
    assert meta.variable_value_labels["satisfaction"][-1] == "don't know"
    assert meta.missing_ranges["satisfaction"] == [{"lo": -1.0, "hi": -1.0}]
    assert "role" not in meta.missing_ranges
    assert meta.variable_storage_width["wishes"] == len("Größere Modelle".encode("utf-8"))
    assert meta.original_variable_types["satisfaction"] == "F8.0"
    assert (tmp_path / "wave-1_codebook.csv").exists()


def test_sav_export_names_a_variable_too_long_for_spss(tmp_path):
    long_option = "patient" + "_records" * 3
    instrument = SMALL_INSTRUMENT.replace("data_kinds", "data_kinds" + "_x" * 15).replace("patient", long_option)
    wave = make_wave(tmp_path, version=make_instrument_version(tmp_path, instrument))

    with pytest.raises(CommandError, match=rf"variable 'data_kinds(_x)+__{long_option}' is longer than SPSS allows"):
        call_command("export_wave", wave.slug, "--format", "sav", "--out", str(tmp_path))


def test_sav_labels_can_be_german(tmp_path):
    wave = make_wave(tmp_path)
    complete_small(wave)

    export_wave(wave, tmp_path, "sav", language="de")
    _data, meta = pyreadstat.read_sav(str(tmp_path / "wave-1_responses.sav"), metadataonly=True)

    assert meta.column_names_to_labels["satisfaction"] == "Ich bin zufrieden."
    assert meta.variable_value_labels["satisfaction"][5] == "stimme voll zu"


# --- the command ----------------------------------------------------------------------------------


def test_export_wave_command_writes_both_files_and_reports_them(tmp_path, capsys):
    wave = make_wave(tmp_path, slug="spring-2025")
    complete_small(wave)
    complete_small(wave)

    call_command("export_wave", "spring-2025", "--format", "csv", "--out", str(tmp_path / "out"))

    output = capsys.readouterr().out
    assert str(tmp_path / "out" / "spring-2025_responses.csv") in output
    assert str(tmp_path / "out" / "spring-2025_codebook.csv") in output
    assert "2 responses exported" in output


def test_export_wave_command_names_unknown_wave_and_lists_existing_ones(tmp_path):
    make_wave(tmp_path, slug="spring-2025")

    with pytest.raises(CommandError, match=r"unknown wave 'autumn'; existing waves: spring-2025"):
        call_command("export_wave", "autumn", "--out", str(tmp_path))


def test_an_item_marked_never_export_is_asked_and_stored_but_never_exported(tmp_path):
    identifying = SMALL_INSTRUMENT.replace("      - code: wishes\n", "      - code: wishes\n        never_export: true\n")
    wave = make_wave(tmp_path, version=make_instrument_version(tmp_path, identifying, "identifying.yaml"))
    response = complete_small(wave, wishes="Erika Mustermann, Station 4")

    [row] = exported_rows(wave, tmp_path)
    codebook = codebook_rows(wave, tmp_path)

    assert response.answers.get(item="wishes").value == "Erika Mustermann, Station 4"
    assert "wishes" not in row and "wishes" not in codebook and row["hours"] == ""
    assert "Mustermann" not in (tmp_path / f"{wave.slug}_responses.csv").read_text(encoding="utf-8")
