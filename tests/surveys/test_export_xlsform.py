"""`export_instrument --format xlsform` writes a form that pyxform, the reference implementation, converts."""

import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyxform.xls2xform import convert

from surveys import services
from surveys.demo import DEMO_INSTRUMENT
from surveys.services import import_instrument_file
from tests.surveys.interop_builders import spelling_variants, xlsform_workbook

pytestmark = pytest.mark.django_db
XFORMS = "{http://www.w3.org/2002/xforms}"


def export(code, path):
    call_command("export_instrument", code, format="xlsform", out=str(path), stdout=io.StringIO())
    return path


def test_the_demo_instrument_passes_pyxform_with_every_item_and_language(tmp_path):
    version = services.import_instrument(DEMO_INSTRUMENT).version
    spec = version.spec

    path = export(version.instrument.code, tmp_path / "demo.xlsx")
    warnings = []
    result = convert(xlsform=str(path), warnings=warnings)

    xform = ET.fromstring(result.xform)
    translations = {node.get("lang") for node in xform.iter(f"{XFORMS}translation")}
    assert translations == {"German (de)", "English (en)"}
    variables = [code for _page, item in spec.items() for code in [r.code for r in getattr(item, "rows", [])] or [item.code]]
    binds = {node.get("nodeset").rsplit("/", 1)[-1] for node in xform.iter(f"{XFORMS}bind")}
    assert set(variables) <= binds
    conditional = [item for _page, item in spec.items() if item.show_if] + [page for page in spec.pages if page.show_if]
    relevant = [node for node in xform.iter(f"{XFORMS}bind") if node.get("relevant")]
    other_texts = [item for _page, item in spec.items() if getattr(item, "other", None)]
    assert len(relevant) == len(conditional) + len(other_texts)


def test_an_imported_form_exports_back_to_a_form_pyxform_accepts(tmp_path):
    first, _report = import_instrument_file(xlsform_workbook(tmp_path / "form.xlsx", spelling_variants()))

    path = export(first.version.instrument.code, tmp_path / "again.xlsx")
    convert(xlsform=str(path))

    book = openpyxl.load_workbook(path)
    header = [cell.value for cell in book["survey"][1]]
    assert "label::Estonian (et)" in header  # the third language travels back out
    relevants = [row[header.index("relevant")] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert "selected(${q2}, 'red')" in relevants and "${q1} = 'yes'" in relevants


def test_xlsform_needs_an_output_file(tmp_path):
    version = services.import_instrument(DEMO_INSTRUMENT).version

    with pytest.raises(CommandError, match="--out FILE.xlsx"):
        call_command("export_instrument", version.instrument.code, format="xlsform", stdout=io.StringIO())


def test_an_exported_form_comes_back_with_every_question_and_its_other_text(tmp_path):
    spec = services.import_instrument(DEMO_INSTRUMENT).version.spec
    path = export(spec.code, tmp_path / "demo.xlsx")

    again, report = import_instrument_file(path, code="demo_again")

    variables = {code for _page, item in spec.items() for code in [r.code for r in getattr(item, "rows", [])] or [item.code]}
    items = {item.code: item for _page, item in again.version.spec.items()}
    assert set(items) == variables and report.languages == ["en", "de"] and not report.kept
    with_other = [item.code for _page, item in spec.items() if getattr(item, "other", None)]
    assert with_other and all(items[code].other for code in with_other)  # not a separate text question
