"""The Word manuscript beside the publication report, and figures as TIFF/EPS for journals that ask."""

import csv
import shutil
import subprocess

import pytest
from django.db import transaction
from django.test import override_settings
from docx import Document

from reports.services import build_report
from surveys.demo import load_demo
from tests.reports.conftest import DEMO_PLAN, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def publication(django_db_setup, django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("manuscript") / "publication_en.pdf"
    key_file = tmp_path_factory.getbasetemp() / "pseudonym.key"
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    with django_db_blocker.unblock(), override_settings(UPTAKE_PSEUDONYM_KEY_FILE=key_file,
                                                        UPTAKE_ANALYSIS_PLAN=DEMO_PLAN), transaction.atomic():
        built = build_report(load_demo().wave, "publication", "en", out, figure_formats=("tiff", "eps"))
        transaction.set_rollback(True)
    return built


def test_the_manuscript_lies_beside_the_pdf_with_its_tables_and_figures(publication):
    assert publication.manuscript == publication.pdf.with_suffix(".docx")
    assert publication.manuscript.stat().st_mode & 0o777 == 0o600  # tables of answers: owner only, like the PDF
    analysis_log = publication.pdf.with_name(publication.pdf.name + ".analysis-log.txt")
    assert analysis_log.stat().st_mode & 0o777 == 0o600
    document = Document(publication.manuscript)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert {"Methods", "Discussion"} <= set(headings)
    # every numbered table of the journal assets is a Word table (beside the unnumbered ones: CHERRIES, methods)
    word_headers = [[cell.text for cell in table.rows[0].cells] for table in document.tables]
    csv_tables = sorted((publication.assets / "tables").glob("*.csv"))
    assert csv_tables and all(next(csv.reader(path.open(encoding="utf-8"))) in word_headers for path in csv_tables)
    assert len(document.tables) > len(csv_tables)
    assert len(document.inline_shapes) == len(list((publication.assets / "figures").glob("*.svg"))) > 0


def test_the_manuscript_carries_the_numbers_of_the_pdf(publication):
    document = Document(publication.manuscript)
    sus_row = next(row for table in document.tables for row in table.rows if row.cells[0].text.startswith("System Usab"))
    mean = sus_row.cells[2].text
    assert mean and mean in pdf_text(publication.pdf)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by `make test` (system-packages)")
def test_libreoffice_opens_the_manuscript(publication, tmp_path):
    converted = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                                "--convert-to", "pdf", "--outdir", str(tmp_path), str(publication.manuscript)],
                               capture_output=True, text=True, timeout=300)
    assert converted.returncode == 0, converted.stderr
    assert (tmp_path / publication.manuscript.with_suffix(".pdf").name).stat().st_size > 10_000


def test_figures_come_as_600_dpi_tiff_and_eps_on_request(publication):
    figures = publication.assets / "figures"
    tiffs, eps = sorted(figures.glob("*.tif")), sorted(figures.glob("*.eps"))
    assert len(tiffs) == len(eps) == len(list(figures.glob("*.svg")))
    assert tiffs[0].read_bytes()[:4] in (b"II*\x00", b"MM\x00*")
    assert eps[0].read_bytes().startswith(b"%!PS-Adobe") and b"EPSF" in eps[0].read_bytes()[:40]
    info = subprocess.run(["pdfinfo", str(figures / tiffs[0].with_suffix(".pdf").name)], capture_output=True,
                          text=True, check=True).stdout
    width_pt = float(next(line for line in info.splitlines() if line.startswith("Page size")).split()[2])
    assert _tiff_width(tiffs[0]) == round(width_pt / 72 * 600)


def _tiff_width(path):
    """ImageWidth (tag 256) from the first IFD of a little-endian TIFF."""
    data = path.read_bytes()
    assert data[:2] == b"II"
    offset = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[offset:offset + 2], "little")):
        start = offset + 2 + 12 * entry
        if int.from_bytes(data[start:start + 2], "little") == 256:
            kind = int.from_bytes(data[start + 2:start + 4], "little")
            return int.from_bytes(data[start + 8:start + (10 if kind == 3 else 12)], "little")
    raise AssertionError("no ImageWidth in the TIFF")
