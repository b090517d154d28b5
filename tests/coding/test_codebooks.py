"""Codebooks as files: YAML with clear errors, versions by content, REFI-QDA .qdc out and back in."""

import pytest

from coding.codebooks import CodebookError, codebook_from_qdc, codebook_qdc, codebook_yaml, parse_codebook, read_codebook_file
from coding.models import CodebookVersion
from coding.services import store_codebook
from tests.coding.builders import CODEBOOK_FILE

ISSUE_EXAMPLE = """
item: wishes
multiple: true
codes:
  - code: speed
    label: {de: Geschwindigkeit, en: Speed}
    definition: {de: Wünsche nach schnelleren Antworten, en: Wishes for faster answers}
  - code: other
    label: {de: Sonstiges, en: Other}
    definition: {de: Alles andere, en: Everything else}
"""


def test_the_issue_shape_reads(tmp_path):
    path = tmp_path / "wishes.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    codebook = read_codebook_file(path)
    assert codebook.multiple and codebook.code_names == ["speed", "other"]


def test_a_wrong_field_is_named_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(ISSUE_EXAMPLE.replace("definition: {de: Alles", "definiton: {de: Alles"), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad.yaml line \d+ .*codes"):
        read_codebook_file(path)


def test_a_code_listed_twice_is_refused():
    with pytest.raises(CodebookError, match="'speed' is listed twice"):
        parse_codebook({"item": "wishes", "codes": [
            {"code": "speed", "label": {"de": "a", "en": "a"}, "definition": {"de": "a", "en": "a"}}] * 2})


@pytest.mark.django_db
def test_same_content_is_one_version_and_a_change_the_next():
    codebook = read_codebook_file(CODEBOOK_FILE)
    first = store_codebook(codebook)
    assert store_codebook(codebook) == first
    changed = parse_codebook({**codebook.definition(), "multiple": False})
    second = store_codebook(changed)
    assert (first.number, second.number) == (1, 2)
    assert CodebookVersion.objects.count() == 2


def test_yaml_export_reads_back_as_the_same_codebook(tmp_path):
    codebook = read_codebook_file(CODEBOOK_FILE)
    path = tmp_path / "again.yaml"
    path.write_text(codebook_yaml(codebook), encoding="utf-8")
    assert read_codebook_file(path) == codebook


def test_qdc_export_follows_the_refi_qda_codebook_shape_and_reads_back(tmp_path):
    codebook = read_codebook_file(CODEBOOK_FILE)
    text = codebook_qdc(codebook)
    assert 'xmlns="urn:QDA-XML:codebook:1.0"' in text and "<Codes>" in text
    assert text.count('isCodable="true"') == len(codebook.codes)
    path = tmp_path / "wishes.qdc"
    path.write_text(text, encoding="utf-8")
    again = read_codebook_file(path)
    assert again == codebook  # labels, definitions, rules and examples in both languages


def test_qdc_from_a_qda_program_keeps_nested_codes_and_skips_uncodable_ones():
    text = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA">
  <Codes>
    <Code guid="A1B2C3D4-0000-4000-8000-000000000001" name="Themes" isCodable="false">
      <Code guid="A1B2C3D4-0000-4000-8000-000000000002" name="Speed of answers" isCodable="true">
        <Description>Wishes for faster answers</Description>
      </Code>
      <Code guid="A1B2C3D4-0000-4000-8000-000000000003" name="Training" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>"""
    codebook = codebook_from_qdc(text, item="wishes")
    assert codebook.code_names == ["speed_of_answers", "training"]
    assert codebook.codes[0].definition.de == "Wishes for faster answers"


def test_qdc_with_entities_is_refused_without_expanding_them():
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&b;"/></Codes></CodeBook>')
    with pytest.raises(CodebookError, match="not a REFI-QDA codebook"):
        codebook_from_qdc(bomb, item="wishes", source="bomb.qdc")
