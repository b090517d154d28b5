"""LimeSurvey archives (.lss) of both generations become Uptake instruments, and say what came across."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.instruments import InstrumentError
from surveys.models import Instrument, InstrumentVersion
from surveys.services import import_instrument_file
from tests.surveys.interop_builders import new_format_archive, old_format_archive, sample

pytestmark = pytest.mark.django_db


def test_the_sample_archive_keeps_every_question_and_both_languages():
    path = sample("limesurvey_one_question_en_et.lss")
    root = ET.parse(path).getroot()
    questions = [row for row in root.findall("questions/rows/row") if row.findtext("parent_qid") == "0"]
    languages = {language.text for language in root.findall("languages/language")}
    types = [row.findtext("type") for row in questions]
    conditions = [row.findtext("relevance") for row in questions if (row.findtext("relevance") or "1") != "1"]
    groups = root.findall("groups/rows/row")

    result, report = import_instrument_file(path)

    spec = result.version.spec
    items = [item for _page, item in spec.items()]
    assert len(items) == len(questions) and len(spec.pages) == len(groups)
    assert types == ["T"] and [item.type for item in items] == ["textarea"]  # T = long free text
    assert set(report.languages) == languages == {"en", "et"}
    assert set(spec.title.model_extra) == {"et"}  # the Estonian text is kept beside de/en
    assert len(report.translated) + len(report.kept) == len(conditions) == 0
    assert any("German (de) is not in the file" in note for note in report.notes)


def test_a_limesurvey_6_archive_maps_types_codes_languages_and_conditions(tmp_path):
    path = tmp_path / "survey.lss"
    path.write_text(new_format_archive(), encoding="utf-8")

    result, report = import_instrument_file(path)

    spec = result.version.spec
    assert spec.code == "umfrage" and spec.title.en == "Staff survey"  # code from the base language (de)
    assert [page.code for page in spec.pages] == ["about_you", "use", "use_2"]  # split before Q5
    items = {item.code: item for _page, item in spec.items()}
    assert {code: item.type for code, item in items.items()} == {
        "q1": "single_choice", "q2": "multiple_choice", "q3": "likert_matrix", "q4": "number", "q5": "text",
        "q7": "single_choice"}
    assert [option.code for option in items["q1"].options] == ["a1", "a2"] and items["q1"].other
    assert items["q1"].required and items["q1"].text.de == "Role (de)" and items["q1"].options[1].label.en == "Nurse (en)"
    assert [option.code for option in items["q2"].options] == ["sq001", "sq002"]
    assert [row.code for row in items["q3"].rows] == ["q3_sq001", "q3_sq002"] and items["q3"].points == 5
    # Conditions: the page on Q1, Q3 on an earlier page's answers, Q5 on Q4 of the same page (page split).
    page_use = spec.page("use")
    assert page_use.show_if.model_dump(exclude_none=True) == {"item": "q1", "equals": "a2"}
    assert items["q3"].show_if.model_dump(exclude_none=True, by_alias=True) == {
        "any": [{"item": "q2", "includes": "sq001"}, {"item": "q1", "answered": True}]}
    assert items["q5"].show_if.model_dump(exclude_none=True, by_alias=True) == {
        "all": [{"item": "q4", "answered": True}, {"not": {"item": "q4", "lte": 3}}]}
    assert len(report.translated) == 3
    # What Uptake cannot express is kept verbatim, never dropped silently.
    assert items["q7"].untranslated == {"relevance": "sum(Q4.NAOK, 1) > 2"} and items["q7"].show_if is None
    assert not items["q7"].required  # mandatory in LimeSurvey, but now shown to everyone: must not block anyone
    assert len(report.kept) == 1 and "sum(Q4.NAOK, 1) > 2" in report.kept[0]
    assert any("Q6" in line and "ranking" in line for line in report.dropped)
    assert "1 quotas: Uptake has no quotas" in report.dropped
    assert report.items["single_choice"] == 2 and report.matrix_rows == 2 and report.languages == ["de", "en"]


def test_an_old_archive_with_inline_language_texts_is_read_the_same_way(tmp_path):
    path = tmp_path / "old.lss"
    path.write_text(old_format_archive(), encoding="utf-8")

    result, report = import_instrument_file(path)

    spec = result.version.spec
    assert [page.code for page in spec.pages] == ["page_one", "page_one_2"]  # split: comment depends on happy
    items = {item.code: item for _page, item in spec.items()}
    assert items["gender"].type == "single_choice" and [o.code for o in items["gender"].options] == ["f", "m"]
    assert items["gender"].text.de == "Geschlecht" and items["gender"].text.en == "Gender"
    happy = items["happy"]
    assert happy.type == "likert_matrix" and happy.points == 5 and happy.rows[0].text.de == "Bei der Arbeit"
    assert happy.labels[2].de == "3 (de)"
    assert items["comment"].show_if.model_dump(exclude_none=True) == {"item": "happy_work", "equals": 3}
    sure = items["sure_dose"]  # a yes/uncertain/no array: one single choice per row
    assert sure.type == "single_choice" and [o.code for o in sure.options] == ["y", "u", "n"]
    assert sure.text.de == "Sicher? [Die Dosis]" and sure.options[1].label.de == "Unsicher"
    assert spec.information.en == "Welcome (en)" and spec.thanks.de == "Thanks (de)"
    assert report.languages == ["en", "de"]


def test_import_export_import_gives_the_same_instrument(tmp_path):
    path = tmp_path / "survey.lss"
    path.write_text(new_format_archive(), encoding="utf-8")
    first, _report = import_instrument_file(path)
    exported = tmp_path / "exported.yaml"
    call_command("export_instrument", first.version.instrument.code, out=str(exported), stdout=io.StringIO())

    again, _report = import_instrument_file(exported)

    assert again.outcome == "unchanged" and again.version.pk == first.version.pk
    assert again.version.definition == first.version.definition


def test_the_command_prints_the_report_and_writes_reviewable_yaml(tmp_path):
    path = tmp_path / "survey.lss"
    path.write_text(new_format_archive(), encoding="utf-8")
    out = io.StringIO()

    call_command("import_instrument", str(path), yaml_out=str(tmp_path / "review.yaml"), code="staff_2026", stdout=out)

    text = out.getvalue()
    assert "items: 6: 1 rating matrix, 1 multiple choice, 1 number, 2 single choice, 1 short text (2 matrix rows)" in text
    assert "WARNING kept verbatim: item q7: relevance 'sum(Q4.NAOK, 1) > 2'" in text
    assert "staff_2026 version 1: created" in text
    assert "untranslated:\n      relevance: sum(Q4.NAOK, 1) > 2" in (tmp_path / "review.yaml").read_text()


BOMB = """<?xml version="1.0"?>
<!DOCTYPE document [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<document><DBVersion>&lol3;</DBVersion><questions/></document>
"""


@pytest.mark.parametrize("content, expected", [
    (BOMB, "bomb.lss line 3: declares XML entities"),
    (None, "bomb.lss line 2 column"),  # a truncated archive (the builder writes the document on line 2)
    ("<html><body/></html>", "bomb.lss <html>: expected a LimeSurvey survey archive"),
])
def test_a_broken_or_hostile_archive_gets_a_one_line_error_and_changes_nothing(tmp_path, content, expected):
    path = tmp_path / "bomb.lss"
    path.write_text(content if content is not None else new_format_archive()[:2000], encoding="utf-8")

    with pytest.raises(InstrumentError) as raised:
        import_instrument_file(path)
    with pytest.raises(CommandError):
        call_command("import_instrument", str(path), yaml_out=str(tmp_path / "x.yaml"), stdout=io.StringIO())

    message = str(raised.value)
    assert expected in message and "\n" not in message
    assert not Instrument.objects.exists() and not InstrumentVersion.objects.exists()
    assert not (tmp_path / "x.yaml").exists()


def test_a_file_of_an_unknown_type_is_refused_with_what_is_expected(tmp_path):
    path = tmp_path / "survey.docx"
    path.write_bytes(b"not a questionnaire")

    with pytest.raises(CommandError, match=r"survey.docx: unknown questionnaire file type '.docx'; expected .yaml, .lss"):
        call_command("import_instrument", str(path), stdout=io.StringIO())
