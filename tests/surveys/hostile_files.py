"""Questionnaire files that lie about their size, made by openpyxl and then patched, as an attacker would.

Each builder writes into a directory and returns the path; the expected refusal names the file and
the place. The large ones are streamed to disk so building them stays cheap.
"""

import zipfile
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def xlsform_workbook(path: Path) -> Path:
    """A small valid XLSForm, written by openpyxl."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["integer", "age", "Your age?"])
    book.save(path)
    return path


def _rewrite_sheet(source: Path, target: Path, write_sheet) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as patched:
        for member in original.infolist():
            if member.filename == SHEET:
                with patched.open(SHEET, "w", force_zip64=True) as out:
                    write_sheet(original.read(SHEET).decode(), out)
            else:
                patched.writestr(member, original.read(member.filename))
    return target


def dimension_lie(directory: Path) -> Path:
    """5 kB whose sheet declares A1:XFD1048576: 17 billion cells to a reader that believes it."""
    plain = xlsform_workbook(directory / "plain.xlsx")

    def write(xml, out):
        assert '<dimension ref="A1:C2"/>' in xml, xml[:300]
        out.write(xml.replace('<dimension ref="A1:C2"/>', '<dimension ref="A1:XFD1048576"/>').encode())
    return _rewrite_sheet(plain, directory / "dimension_lie.xlsx", write)


def far_row(directory: Path) -> Path:
    """A sheet whose second row claims to be row 1048576: a reader pads a million empty rows before it."""
    plain = xlsform_workbook(directory / "plain.xlsx")

    def write(xml, out):
        assert '<row r="2"' in xml, xml[:600]
        out.write(xml.replace('<row r="2"', '<row r="1048576"').replace('r="A2"', 'r="A1048576"')
                  .replace('r="B2"', 'r="B1048576"').replace('r="C2"', 'r="C1048576"').encode())
    return _rewrite_sheet(plain, directory / "far_row.xlsx", write)


def zip_bomb(directory: Path, unpacked_mb: int = 100) -> Path:
    """An .xlsx of a few hundred kB whose sheet XML unpacks to `unpacked_mb` MB of whitespace."""
    plain = xlsform_workbook(directory / "plain.xlsx")

    def write(xml, out):
        head, tail = xml.split("<sheetData>")
        out.write(f"{head}<sheetData>".encode())
        padding = b" " * 2**20
        for _ in range(unpacked_mb):
            out.write(padding)
        out.write(tail.encode())
    return _rewrite_sheet(plain, directory / "zip_bomb.xlsx", write)


def large_yaml(directory: Path, megabytes: int = 50) -> Path:
    path = directory / "large.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write("code: large\npages:\n")
        line = "  - {code: p, items: []}\n"
        out.write(line * (megabytes * 2**20 // len(line)))
    return path


def deep_yaml(directory: Path, depth: int = 50_000) -> Path:
    path = directory / "deep.yaml"
    path.write_text("code: deep\npages: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def alias_bomb(directory: Path) -> Path:
    """Billion laughs in YAML: nine levels of ten aliases each stand for 10^9 strings."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]" for level in range(1, 10)]
    path = directory / "aliases.yaml"
    path.write_text("code: laughs\n" + "\n".join(lines) + "\npages: *a9\n", encoding="utf-8")
    return path


HOSTILE = {
    "far_row.xlsx": (far_row, "sheet survey row 1048576: a filled row past row 20000"),
    "zip_bomb.xlsx": (zip_bomb, "zip bomb"),
    "large.yaml": (large_yaml, "larger than the limit"),
    "deep.yaml": (deep_yaml, "line 2: nested more than 50 levels deep"),
    "aliases.yaml": (alias_bomb, "aliases expand to more than"),
}
