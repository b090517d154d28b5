"""What export_wave writes is safe to open: no cell a spreadsheet would run, files for their owner only, and the
respondents' free text only in the file that says it is restricted."""

import csv
import stat

import pyreadstat
import pytest
from django.core.management import call_command

from surveys.demo import load_demo
from surveys.models import Answer

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x","click")', "+1", "-cmd", "@SUM(A1:A3)", "\tlooks harmless", "\rcarriage return",
            "\uff1dfullwidth"]


@pytest.fixture
def wave_with_formulas():
    """The demo wave whose first free-text answers are formulas a spreadsheet would run."""
    wave = load_demo().wave
    for answer, formula in zip(Answer.objects.filter(response__wave=wave, item="wishes").order_by("pk"), FORMULAS):
        answer.value = formula
        answer.save()
    return wave


def cells(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_formula_cells_are_written_as_text_in_the_csv_export(wave_with_formulas, tmp_path):
    call_command("export_wave", wave_with_formulas.slug, "--out", str(tmp_path))

    written = cells(tmp_path / f"{wave_with_formulas.slug}_responses.csv")

    assert {"'" + formula for formula in FORMULAS} <= set(written)
    assert not set(FORMULAS) & set(written)
    assert "-1" in written  # the not-applicable code is a number, left as it is


def test_the_spss_file_keeps_the_raw_text(wave_with_formulas, tmp_path):
    call_command("export_wave", wave_with_formulas.slug, "--out", str(tmp_path), "--format", "sav")

    frame, _meta = pyreadstat.read_sav(str(tmp_path / f"{wave_with_formulas.slug}_responses.sav"))

    assert set(FORMULAS) - {"\rcarriage return"} <= set(frame["wishes"])


def test_free_text_leaves_only_in_the_restricted_file_detached_from_responses(wave_with_formulas, tmp_path):
    call_command("export_wave", wave_with_formulas.slug, "--out", str(tmp_path), "--restricted-free-text")

    path = tmp_path / f"{wave_with_formulas.slug}_free_text_RESTRICTED.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["variable", "text"]
    wishes = [row["text"] for row in rows if row["variable"] == "wishes"]
    assert wishes == sorted(wishes, key=lambda text: text.removeprefix("'"))  # not in response order
    assert "'@SUM(A1:A3)" in wishes


def test_every_exported_file_is_readable_by_its_owner_only(wave_with_formulas, tmp_path):
    out = tmp_path / "export"
    call_command("export_wave", wave_with_formulas.slug, "--out", str(out), "--restricted-free-text")

    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in out.iterdir()} == {0o600}
    assert len(list(out.iterdir())) == 4  # responses, codebook, linkage summary, free text
