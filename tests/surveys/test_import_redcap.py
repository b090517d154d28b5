"""REDCap data dictionaries become Uptake instruments: field types, choices, branching, matrices, identifiers."""

import csv
import io

import pytest
from django.core.management import call_command

from surveys.instruments import InstrumentError
from surveys.models import Instrument
from surveys.services import import_instrument_file
from tests.surveys.interop_builders import REDCAP_HEADER, clinic_dictionary, redcap_dictionary, sample

pytestmark = pytest.mark.django_db

EXPECTED_TYPE = {"radio": "single_choice", "dropdown": "dropdown", "checkbox": "multiple_choice", "yesno": "single_choice",
                 "truefalse": "single_choice", "notes": "textarea", "slider": "number"}
NOT_ASKED = {"calc", "file", "sql", "descriptive"}


def test_the_sample_dictionary_keeps_every_askable_field_and_reports_the_rest():
    path = sample("redcap_dictionary_validation_types.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        fields = list(csv.DictReader(handle))
    record_id, *rest = fields
    askable = [field for field in rest if field["Field Type"] not in NOT_ASKED]
    numeric = {field["Variable / Field Name"] for field in askable
               if field["Text Validation Type OR Show Slider Number"] in ("integer", "number")
               or field["Text Validation Type OR Show Slider Number"].startswith("number_")}

    result, report = import_instrument_file(path)

    items = {item.code: item for _page, item in result.version.spec.items()}
    assert list(items) == [field["Variable / Field Name"] for field in askable]
    for field in askable:
        kind = field["Field Type"]
        expected = EXPECTED_TYPE.get(kind) or ("number" if field["Variable / Field Name"] in numeric else "text")
        assert items[field["Variable / Field Name"]].type == expected, field["Variable / Field Name"]
    assert len(report.dropped) == 1 + sum(field["Field Type"] in NOT_ASKED - {"descriptive"} for field in rest)
    assert record_id["Variable / Field Name"] in report.dropped[0]
    radio = items["f_radio"]
    assert [(option.code, option.value, option.label.en) for option in radio.options] == [
        ("c0", 0, "Zero"), ("c1", 1, "One"), ("c2", 2, "Two")]
    assert items["v_integer"].integer and not items["v_number_2dp"].integer
    assert (items["f_slider"].min, items["f_slider"].max) == (-1, 101)
    sections = {field["Section Header"] for field in fields if field["Section Header"]}
    assert len(result.version.spec.pages) == len(sections)


def test_types_choices_branching_matrix_groups_and_identifiers(tmp_path):
    result, report = import_instrument_file(clinic_dictionary(tmp_path / "dictionary.csv"))

    spec = result.version.spec
    items = {item.code: item for _page, item in spec.items()}
    assert [page.code for page in spec.pages] == ["intake", "intake_2", "habits"]  # kinds depends on smoker
    assert items["name"].never_export and not items["smoker"].never_export
    assert [(o.code, o.value) for o in items["smoker"].options] == [("c1", 1), ("c0", 0)] and items["smoker"].required
    assert items["kinds"].show_if.model_dump(exclude_none=True) == {"item": "smoker", "equals": "c1"}
    matrix = items["often"]
    assert matrix.type == "likert_matrix" and [row.code for row in matrix.rows] == ["daily", "nightly"]
    assert matrix.points == 5 and matrix.labels[4].en == "Always" and matrix.text.en == "How often?"
    assert items["pipe_brand"].show_if.model_dump(exclude_none=True, by_alias=True) == {
        "all": [{"item": "kinds", "includes": "c2"}, {"not": {"item": "smoker", "equals": "c0"}}]}
    assert items["age"].untranslated == {"branching_logic": "[baseline_arm_1][smoker] = '1'"}
    assert (items["age"].min, items["age"].max) == (18, 120)
    assert any("bmi" in line and "[weight]/([height]*[height])" in line for line in report.dropped)
    assert len(report.translated) == 2 and len(report.kept) == 1


def test_the_api_export_headers_are_read_too(tmp_path):
    api_header = ["field_name", "form_name", "section_header", "field_type", "field_label",
                  "select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
                  "text_validation_min", "text_validation_max", "identifier", "branching_logic", "required_field",
                  "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking", "field_annotation"]
    path = tmp_path / "api.csv"
    clinic_dictionary(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([",".join(api_header)] + lines[1:]) + "\n")

    result, _report = import_instrument_file(path)

    assert result.version.spec.item("often").type == "likert_matrix"


def test_import_export_import_gives_the_same_instrument(tmp_path):
    first, _report = import_instrument_file(clinic_dictionary(tmp_path / "dictionary.csv"))
    exported = tmp_path / "exported.yaml"
    call_command("export_instrument", first.version.instrument.code, out=str(exported), stdout=io.StringIO())

    again, _report = import_instrument_file(exported)

    assert again.outcome == "unchanged" and again.version.definition == first.version.definition


def test_a_dictionary_with_a_missing_column_gets_a_one_line_error_and_changes_nothing(tmp_path):
    header = [column for column in REDCAP_HEADER if column != "Field Type"]
    path = clinic_dictionary(tmp_path / "dictionary.csv", header=header)

    with pytest.raises(InstrumentError) as raised:
        import_instrument_file(path)

    assert "dictionary.csv line 1: missing column 'Field Type'" in str(raised.value)
    assert "\n" not in str(raised.value) and not Instrument.objects.exists()


def test_choices_without_codes_name_the_line(tmp_path):
    path = redcap_dictionary(tmp_path / "dictionary.csv", [
        {"Variable / Field Name": "record_id", "Form Name": "f", "Field Type": "text", "Field Label": "ID"},
        {"Variable / Field Name": "q", "Form Name": "f", "Field Type": "radio", "Field Label": "Q",
         "Choices, Calculations, OR Slider Labels": "Yes | No"},
    ])

    with pytest.raises(InstrumentError, match=r"dictionary.csv line 3 \(q\): choice 'Yes' has no code"):
        import_instrument_file(path)
