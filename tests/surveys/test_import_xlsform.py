"""XLSForms (.xlsx and the one-file CSV) become Uptake instruments, in the spellings seen in the wild."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from surveys.instruments import InstrumentError
from surveys.models import Instrument
from surveys.services import import_instrument_file
from tests.surveys.interop_builders import pyxform_markdown_form, sample, spelling_variants, xlsform_csv, xlsform_workbook

pytestmark = pytest.mark.django_db


def test_the_sample_form_keeps_its_selects_options_and_choice_filters():
    path = sample("xlsform_choice_filter_test.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    survey = [row for row in book["survey"].iter_rows(values_only=True) if any(row)]
    header, rows = list(survey[0]), survey[1:]
    selects = [row for row in rows if str(row[header.index("type")]).startswith("select_one")]
    filters = [row for row in rows if row[header.index("choice_filter")]]
    choices = [row for row in book["choices"].iter_rows(values_only=True) if any(row)][1:]
    distinct = {(row[0], row[1]) for row in choices}

    result, report = import_instrument_file(path)

    items = [item for _page, item in result.version.spec.items()]
    assert len(items) == len(selects) == 3 and {item.type for item in items} == {"single_choice"}
    assert sum(len(item.options) for item in items) == len(distinct)  # 'king' twice in counties: kept once
    assert len([item for item in items if item.untranslated]) == len(report.kept) == len(filters) == 2
    assert items[1].untranslated == {"choice_filter": "${state}=cf"}
    assert result.version.spec.title.en == "cascading selects"
    assert any("the form names no language: its texts are taken as en" in note for note in report.notes)


def check_spelling_variants(result, report):
    spec = result.version.spec
    items = {item.code: item for _page, item in spec.items()}
    assert spec.code == "colour_form" and report.languages == ["de", "en", "et"]
    assert [page.code for page in spec.pages] == ["g1", "g2", "g2_2", "kids", "page_4"]  # hours split after age
    assert {code: item.type for code, item in items.items()} == {
        "q1": "single_choice", "q2": "multiple_choice", "age": "number", "why": "text", "hours": "number",
        "kid_name": "text", "when": "text"}
    assert items["q1"].text.de == "Nutzen Sie es?" and items["q1"].text.en == "Do you use it?"
    assert items["q1"].text.model_extra == {"et": "Kas?"} and items["q1"].help.de == "Bitte wählen"
    assert items["q1"].required and items["q2"].other and [o.code for o in items["q2"].options] == ["red", "blue"]
    assert spec.page("g2").show_if.model_dump(exclude_none=True) == {"item": "q1", "equals": "yes"}
    assert items["why"].show_if.model_dump(exclude_none=True) == {"item": "q2", "includes": "red"}
    assert items["why"].max_length == 50 and (items["age"].min, items["age"].max) == (18, 99)
    assert items["hours"].integer is False and items["hours"].untranslated == {"constraint": "regex(., '^[0-9]+$')"}
    assert spec.pages[-1].intro.en == "Almost done"
    dropped = "\n".join(report.dropped)
    assert "geopoint" in dropped and "calculation" in dropped and "kid_name" not in dropped
    assert any("the repeat kids is asked once, as its first instance" in note for note in report.notes)


def test_sheet_and_column_names_in_any_spelling_and_translations_are_read(tmp_path):
    path = xlsform_workbook(tmp_path / "form.xlsx", spelling_variants())

    result, report = import_instrument_file(path)

    check_spelling_variants(result, report)
    assert len(report.translated) == 4 + 2  # four conditions (the repeat inside g2 keeps its condition), two constraints


def test_the_one_file_csv_variant_reads_like_the_workbook_also_with_bare_language_names(tmp_path):
    other_spelling = {"label::German (de)": "label::german", "label:English": "LABEL::english ",
                      "Hint::German (de)": "hint:German"}
    sheets = {name.strip().lower(): [[other_spelling.get(cell, cell) for cell in rows[0]], *rows[1:]]
              for name, rows in spelling_variants().items()}
    path = xlsform_csv(tmp_path / "form.csv", sheets)

    result, report = import_instrument_file(path)

    check_spelling_variants(result, report)


def test_import_export_import_gives_the_same_instrument(tmp_path):
    first, _report = import_instrument_file(xlsform_workbook(tmp_path / "form.xlsx", spelling_variants()))
    exported = tmp_path / "exported.yaml"
    call_command("export_instrument", "colour_form", out=str(exported), stdout=io.StringIO())

    again, _report = import_instrument_file(exported)

    assert again.outcome == "unchanged" and again.version.definition == first.version.definition


@pytest.mark.parametrize("sheets, expected", [
    ({"choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"]]}, "form.xlsx: no `survey` sheet (found: choices)"),
    ({"survey": [["type", "label"], ["text", "Name?"]]}, "form.xlsx sheet survey row 1: missing column `name`"),
    ({"survey": [["type", "name", "label"], ["select_one nope", "q", "Q?"]]},
     "form.xlsx survey row 2 (q): choice list 'nope' is not in the choices sheet"),
])
def test_a_broken_form_gets_a_one_line_error_and_changes_nothing(tmp_path, sheets, expected):
    path = xlsform_workbook(tmp_path / "form.xlsx", sheets)

    with pytest.raises(InstrumentError) as raised:
        import_instrument_file(path)

    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert not Instrument.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")

    with pytest.raises(InstrumentError, match=r"form.xlsx: not a readable xlsx workbook \([^\n]*\)$"):
        import_instrument_file(path)


def test_a_binary_xls_workbook_is_read_and_without_survey_sheet_refused(tmp_path):
    statsmodels = pytest.importorskip("statsmodels")
    real_xls = Path(statsmodels.__file__).parent / "tsa/statespace/tests/results/frbny_nowcast/Nowcasting/test_spec.xls"
    if not real_xls.exists():
        pytest.skip("statsmodels ships no .xls test file here")
    path = tmp_path / "spec.xls"
    path.write_bytes(real_xls.read_bytes())  # a real BIFF workbook, but a model spec, not a form

    with pytest.raises(InstrumentError, match=r"spec.xls: no `survey` sheet \(found: spec\)"):
        import_instrument_file(path)


def test_a_workbook_hiding_an_entity_bomb_is_refused(tmp_path):
    plain = xlsform_workbook(tmp_path / "plain.xlsx", spelling_variants())
    bomb = tmp_path / "form.xlsx"
    entities = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = entities.encode() + content.replace(b">Nutzen Sie es?<", b">&b;<", 1)
            target.writestr(entry, content)

    with pytest.raises(InstrumentError) as raised:
        import_instrument_file(bomb)

    assert "form.xlsx: a sheet declares XML entities; refused" in str(raised.value) and "\n" not in str(raised.value)
    assert not Instrument.objects.exists()


REPEATS = """
| survey |
|        | type         | name     | label             |
|        | text         | site     | Site              |
|        | begin repeat | visits   | Visits            |
|        | date         | day      | Day of the visit  |
|        | begin group  | details  | Details           |
|        | integer      | minutes  | Minutes           |
|        | end group    |          |                   |
|        | begin repeat | staff    | Staff present     |
|        | text         | role     | Role              |
|        | end repeat   |          |                   |
|        | end repeat   |          |                   |
"""
ONLY_A_REPEAT = """
| survey |
|        | type         | name     | label        |
|        | begin_repeat | people   | People       |
|        | text         | name_1   | Name         |
|        | integer      | age      | Age          |
|        | end_repeat   |          |              |
"""


def test_a_repeat_is_asked_once_as_its_first_instance_with_a_note(tmp_path):
    """Finding 3 of issue 23: questions in a repeat were lost, a form of only a repeat had no page at all."""
    result, report = import_instrument_file(pyxform_markdown_form(tmp_path / "visits.xlsx", REPEATS))

    spec = result.version.spec
    assert [(page.code, [item.code for item in page.items]) for page in spec.pages] == [
        ("page_1", ["site"]), ("visits", ["day"]), ("details", ["minutes"]), ("staff", ["role"])]
    notes = "\n".join(report.notes)
    assert "the repeat visits is asked once, as its first instance" in notes and "the repeat staff is asked once" in notes
    assert not report.dropped


def test_a_form_of_only_a_repeat_imports_its_questions(tmp_path):
    result, _report = import_instrument_file(pyxform_markdown_form(tmp_path / "people.xlsx", ONLY_A_REPEAT))

    assert [item.code for _page, item in result.version.spec.items()] == ["name_1", "age"]


@pytest.mark.parametrize("row, expected", [
    ("|        | text         |          | Your name    |", "people.xlsx survey row 3 (type text): no `name`"),
    ("|        | begin group  |          | A group      |", "people.xlsx survey row 3 (type begin group): no `name`"),
    ("|        |              | age      | Age          |", "people.xlsx survey row 3 (age): no `type`"),
])
def test_a_row_without_name_or_type_gets_one_line_naming_the_row_and_changes_nothing(tmp_path, row, expected):
    form = f"""
| survey |
|        | type         | name     | label        |
|        | text         | first    | First        |
{row}
"""
    with pytest.raises(InstrumentError) as raised:
        import_instrument_file(pyxform_markdown_form(tmp_path / "people.xlsx", form))

    assert expected in str(raised.value) and "\n" not in str(raised.value)
    assert not Instrument.objects.exists()
