"""The privacy scan reads what a person or a program could read: a planted e-mail address, IP address, phone number
and IBAN is found in every container (zip, gzip, Word, Excel, PDF) and every part of it (properties, comments,
sheet names, headers and footers); what only looks like one is not a finding, nor is the study's published contact."""

import gzip
import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from openpyxl.comments import Comment
from weasyprint import HTML

from platform_logs.privacy_scan import identities, published_addresses, scan_database, scan_files
from tests.surveys.builders import SMALL_INSTRUMENT, make_instrument_version

PLANTED = {
    "e-mail address": "anna.schmidt@klinikum.example",
    "IPv4 address": "10.23.45.67",
    "phone number": "+49 30 1234 5678",
    "IBAN": "DE89370400440532013000",  # the IBAN standard's example, checksum valid
}


def csv_bytes(value):
    return f"id,note\n1,see {value} today\n".encode()


def xlsx_bytes(plant):
    book = openpyxl.Workbook()
    book.active.append(["id", "note"])
    plant(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(plant):
    document = docx.Document()
    document.add_paragraph("Results")
    plant(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zipped(name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def pdf_bytes(html):
    return HTML(string=html).write_pdf()


def with_comment(document, value):
    run = document.add_paragraph("Table 1").runs[0]
    document.add_comment(run, text=f"check {value}", author="Reviewer")


def xlsx_comment(book, value):
    book.active["B2"].comment = Comment(f"check {value}", "Reviewer")


def xlsx_cell(book, value):
    book.active.append([1, value])


def set_text(target, value):
    target.text = value


CONTAINERS = {
    "zip": (".zip", lambda value: zipped("responses.csv", csv_bytes(value))),
    "gz": (".csv.gz", lambda value: gzip.compress(csv_bytes(value))),
    "zip in zip": (".zip", lambda value: zipped("inner.zip", zipped("responses.csv", csv_bytes(value)))),
    "xlsx in zip": (".zip", lambda value: zipped("table.xlsx", xlsx_bytes(lambda book: xlsx_cell(book, value)))),
    "docx body": (".docx", lambda value: docx_bytes(lambda document: document.add_paragraph(f"see {value}"))),
    "docx table": (".docx", lambda value: docx_bytes(lambda document: set_text(document.add_table(1, 1).cell(0, 0), value))),
    "docx header": (".docx", lambda value: docx_bytes(lambda document: set_text(document.sections[0].header.paragraphs[0], value))),
    "docx footer": (".docx", lambda value: docx_bytes(lambda document: set_text(document.sections[0].footer.paragraphs[0], value))),
    "docx comment": (".docx", lambda value: docx_bytes(lambda document: with_comment(document, value))),
    "docx properties": (".docx", lambda value: docx_bytes(lambda document: setattr(document.core_properties, "author", value))),
    "xlsx cell": (".xlsx", lambda value: xlsx_bytes(lambda book: xlsx_cell(book, value))),
    "xlsx sheet name": (".xlsx", lambda value: xlsx_bytes(lambda book: setattr(book.active, "title", value))),
    "xlsx header": (".xlsx", lambda value: xlsx_bytes(lambda book: set_text(book.active.oddHeader.center, value))),
    "xlsx footer": (".xlsx", lambda value: xlsx_bytes(lambda book: set_text(book.active.oddFooter.right, value))),
    "xlsx comment": (".xlsx", lambda value: xlsx_bytes(lambda book: xlsx_comment(book, value))),
    "xlsx properties": (".xlsx", lambda value: xlsx_bytes(lambda book: setattr(book.properties, "creator", value))),
    "pdf text": (".pdf", lambda value: pdf_bytes(f"<p>Contact: {value}</p>")),
    "pdf properties": (".pdf", lambda value: pdf_bytes(f'<meta name="author" content="{value}"><p>Results</p>')),
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_each_kind_planted_in_each_container_is_found(tmp_path, container):
    suffix, build = CONTAINERS[container]
    files = {kind: tmp_path / f"{kind.split()[0].lower()}{suffix}" for kind in PLANTED}
    for kind, path in files.items():
        path.write_bytes(build(PLANTED[kind]))

    findings = scan_files([tmp_path])

    found = {(finding.where.split("!")[0].split(":")[0].split(" (")[0], finding.kind) for finding in findings}
    assert found == {(str(path), kind) for kind, path in files.items()}, [str(finding) for finding in findings]


def test_phone_numbers_and_ibans_as_people_write_them_are_found():
    text = ("call 030 12345678, 0171/1234567, (030) 1234567 or +49 (0)171 1234 567; "
            "pay to DE89 3704 0044 0532 0130 00 or GB82 WEST 1234 5698 7654 32")

    assert [kind for kind, _value in identities(text)] == ["phone number"] * 4 + ["IBAN"] * 2


def test_what_only_looks_like_a_phone_number_or_iban_is_not_a_finding():
    text = ("p = 0.012, r = -0.34 +0.56 0.78, on 01.02.2026 at 12:30:15, n = 1 234 567, 2026-03-01, "
            "id 0f8c2a1e-1b2c-4d5e-8f90-123456789abc, DE00370400440532013000 (wrong check digits), "
            "version 1.2.3, sha 4e1243bd22c66e76c2ba9eddc1f91394e57f9f83")

    assert identities(text) == []


@pytest.mark.django_db
def test_the_studys_published_contact_is_no_finding_but_anyone_else_is(tmp_path, settings):
    settings.UPTAKE_MAIL_CONTACT = "Study team <+49 30 9876 5432>"
    make_instrument_version(tmp_path, SMALL_INSTRUMENT.replace(
        "Information about the study.", '"Contact: studie@klinikum.example, +49 30 1234 0000"'))
    (tmp_path / "export.csv").write_text("note\nwrite to studie@klinikum.example or anna.schmidt@klinikum.example\n"
                                         "call +49 30 1234 0000 or +49 30 9876 5432\n", encoding="utf-8")

    findings = scan_files([tmp_path / "export.csv"], allowed=published_addresses())

    assert [(finding.where, finding.kind) for finding in findings] == [(f"{tmp_path / 'export.csv'}:2", "e-mail address")]
    assert scan_database(allowed=published_addresses()) == []


@pytest.mark.django_db
def test_the_command_exits_non_zero_on_a_finding_inside_an_archive_and_says_what_it_looked_for(tmp_path):
    (tmp_path / "export.zip").write_bytes(zipped("responses.csv", csv_bytes(PLANTED["IBAN"])))
    output = io.StringIO()

    with pytest.raises(CommandError, match="1 finding"):
        call_command("privacy_scan", "--files", str(tmp_path), stdout=output)

    assert output.getvalue() == f"{tmp_path / 'export.zip'}!responses.csv:2: IBAN 'D********0'\n"
    (tmp_path / "export.zip").unlink()
    call_command("privacy_scan", "--files", str(tmp_path), stdout=output)
    assert output.getvalue().endswith("privacy scan: no e-mail address, IP address, phone number or IBAN found; "
                                      "names are looked for only as --canary\n")


def test_a_png_is_read_for_its_text_chunks_not_its_pixels(tmp_path):
    """A figure's metadata can carry an address; its compressed pixels, read as text, only look like one."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.bar([1, 2], [3, 4])
    figure.savefig(tmp_path / "figure.png", metadata={"Author": "anna.schmidt@example.org"})
    plt.close(figure)

    findings = scan_files([tmp_path])

    assert [(Path(f.where).name, f.kind) for f in findings] == [("figure.png!Author", "e-mail address")]
