"""Builders for questionnaire files of other tools: LimeSurvey archives, XLSForms, REDCap dictionaries."""

import csv
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIRS = [REPO.parent / "shared" / "samples" / "interop", REPO.parent.parent / "shared" / "samples" / "interop"]


def sample(name):
    """A real file from ../shared/samples/interop (next to the repository or its worktree folder)."""
    for folder in SAMPLE_DIRS:
        if (folder / name).exists():
            return folder / name
    pytest.skip(f"sample {name} not found in {' or '.join(map(str, SAMPLE_DIRS))}")


# --- LimeSurvey ------------------------------------------------------------------------------


def lss_table(name, rows):
    """One <TABLE><fields>..</fields><rows><row>..</row></rows></TABLE> with CDATA values."""
    fields = list(dict.fromkeys(key for row in rows for key in row))
    cells = lambda row: "".join(f"<{key}><![CDATA[{row[key]}]]></{key}>" if row.get(key, "") != "" else f"<{key}/>"
                                for key in fields if key in row)
    return (f"<{name}><fields>{''.join(f'<fieldname>{field}</fieldname>' for field in fields)}</fields>"
            f"<rows>{''.join(f'<row>{cells(row)}</row>' for row in rows)}</rows></{name}>")


def lss(tables, db_version, languages):
    body = "".join(lss_table(name, rows) for name, rows in tables.items() if rows)
    language_list = "".join(f"<language>{escape(language)}</language>" for language in languages)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<document><LimeSurveyDocType>Survey</LimeSurveyDocType>'
            f"<DBVersion>{db_version}</DBVersion><languages>{language_list}</languages>{body}</document>\n")


def survey_row(languages):
    return {"sid": "1", "language": languages[0], "additional_languages": " ".join(languages[1:])}


def language_settings(titles):
    return [{"surveyls_survey_id": "1", "surveyls_language": language, "surveyls_title": title,
             "surveyls_description": "", "surveyls_welcometext": f"<p>Welcome ({language})</p>",
             "surveyls_endtext": f"Thanks ({language})"} for language, title in titles.items()]


# --- XLSForm ---------------------------------------------------------------------------------


def xlsform_workbook(path, sheets):
    """An .xlsx with the given {sheet name: [header, row, ...]} (names written as given)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def xlsform_csv(path, sheets):
    """The one-file CSV variant: a sheet-name row, then the sheet's rows shifted one column right."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for name, rows in sheets.items():
            writer.writerow([name])
            for row in rows:
                writer.writerow([""] + list(row))
    return path


# --- REDCap ----------------------------------------------------------------------------------

REDCAP_HEADER = [
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
    "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation",
]


def redcap_dictionary(path, fields, header=REDCAP_HEADER):
    """A data dictionary CSV; each field is a dict by header name (missing columns empty)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for field in fields:
            writer.writerow([field.get(column, "") for column in header])
    return path
