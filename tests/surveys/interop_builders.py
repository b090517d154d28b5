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



def new_format_archive():
    """LimeSurvey 6 (DBVersion 640): texts in *_l10ns tables, German and English."""
    languages = ["de", "en"]
    groups = [{"gid": "10", "sid": "1", "group_order": "1", "grelevance": ""},
              {"gid": "11", "sid": "1", "group_order": "2", "grelevance": 'Q1.NAOK == "A2"'}]
    group_texts = [{"id": f"{gid}{language}", "gid": gid, "group_name": name, "description": "", "language": language}
                   for gid, name in (("10", "About you"), ("11", "Use")) for language in languages]
    questions = [
        {"qid": "1", "parent_qid": "0", "gid": "10", "type": "L", "title": "Q1", "other": "Y", "mandatory": "Y",
         "question_order": "1", "relevance": "1"},
        {"qid": "2", "parent_qid": "0", "gid": "10", "type": "M", "title": "Q2", "other": "N", "mandatory": "N",
         "question_order": "2", "relevance": "1"},
        {"qid": "3", "parent_qid": "0", "gid": "11", "type": "A", "title": "Q3", "other": "N", "mandatory": "N",
         "question_order": "1", "relevance": 'Q2_SQ001.NAOK == "Y" or !is_empty(Q1)'},
        {"qid": "4", "parent_qid": "0", "gid": "11", "type": "N", "title": "Q4", "other": "N", "mandatory": "N",
         "question_order": "2", "relevance": "1"},
        {"qid": "5", "parent_qid": "0", "gid": "11", "type": "S", "title": "Q5", "other": "N", "mandatory": "N",
         "question_order": "3", "relevance": "Q4.NAOK > 3"},
        {"qid": "6", "parent_qid": "0", "gid": "11", "type": "R", "title": "Q6", "other": "N", "mandatory": "N",
         "question_order": "4", "relevance": "1"},
        {"qid": "7", "parent_qid": "0", "gid": "11", "type": "Y", "title": "Q7", "other": "N", "mandatory": "Y",
         "question_order": "5", "relevance": "sum(Q4.NAOK, 1) > 2"},
    ]
    subquestions = [
        {"qid": "21", "parent_qid": "2", "gid": "10", "type": "T", "title": "SQ001", "question_order": "1"},
        {"qid": "22", "parent_qid": "2", "gid": "10", "type": "T", "title": "SQ002", "question_order": "2"},
        {"qid": "31", "parent_qid": "3", "gid": "11", "type": "T", "title": "SQ001", "question_order": "1"},
        {"qid": "32", "parent_qid": "3", "gid": "11", "type": "T", "title": "SQ002", "question_order": "2"},
    ]
    wording = {"1": "Role", "2": "Data", "3": "Agreement", "4": "Hours", "5": "Why so many?", "6": "Rank", "7": "Sure?",
               "21": "Public", "22": "Patient", "31": "Fast", "32": "Reliable"}
    question_texts = [{"id": f"{qid}{language}", "qid": qid, "question": f"<p>{text} ({language})</p>", "help": "",
                       "language": language} for qid, text in wording.items() for language in languages]
    answers = [{"aid": "100", "qid": "1", "code": "A1", "sortorder": "1", "scale_id": "0"},
               {"aid": "101", "qid": "1", "code": "A2", "sortorder": "2", "scale_id": "0"}]
    answer_texts = [{"id": f"{aid}{language}", "aid": aid, "answer": f"{label} ({language})", "language": language}
                    for aid, label in (("100", "Physician"), ("101", "Nurse")) for language in languages]
    return lss({"answers": answers, "answer_l10ns": answer_texts, "groups": groups, "group_l10ns": group_texts,
                "questions": questions, "subquestions": subquestions, "question_l10ns": question_texts,
                "quota": [{"id": "1", "sid": "1", "name": "Enough nurses", "qlimit": "50", "active": "1"}],
                "surveys": [survey_row(languages)],
                "surveys_languagesettings": language_settings({"de": "Umfrage", "en": "Staff survey"})},
               db_version=640, languages=languages)


def old_format_archive():
    """LimeSurvey 2 (DBVersion 258): every group, question and answer row once per language, text inline."""
    languages = ["en", "de"]
    groups = [{"gid": "5", "sid": "1", "group_name": name, "group_order": "0", "language": language, "grelevance": ""}
              for language, name in (("en", "Page one"), ("de", "Seite eins"))]
    questions = []
    for language, texts in (("en", ("Gender", "Happy?", "Comment", "Sure?")),
                            ("de", ("Geschlecht", "Zufrieden?", "Kommentar", "Sicher?"))):
        questions += [
            {"qid": "1", "parent_qid": "0", "sid": "1", "gid": "5", "type": "G", "title": "gender", "question": texts[0],
             "help": "", "other": "N", "mandatory": "N", "question_order": "1", "language": language, "relevance": "1"},
            {"qid": "2", "parent_qid": "0", "sid": "1", "gid": "5", "type": "F", "title": "happy", "question": texts[1],
             "help": "", "other": "N", "mandatory": "N", "question_order": "2", "language": language, "relevance": "1"},
            {"qid": "3", "parent_qid": "0", "sid": "1", "gid": "5", "type": "T", "title": "comment",
             "question": texts[2], "help": "", "other": "N", "mandatory": "N", "question_order": "3",
             "language": language, "relevance": 'happy_work.NAOK == "3"'},
            {"qid": "4", "parent_qid": "0", "sid": "1", "gid": "5", "type": "C", "title": "sure", "question": texts[3],
             "help": "", "other": "N", "mandatory": "N", "question_order": "4", "language": language, "relevance": "1"},
        ]
    subquestions = [{"qid": qid, "parent_qid": parent, "sid": "1", "gid": "5", "type": "T", "title": title,
                     "question": text, "question_order": "1", "language": language, "scale_id": "0"}
                    for qid, parent, title, texts in (("20", "2", "work", ("At work", "Bei der Arbeit")),
                                                       ("40", "4", "dose", ("The dose", "Die Dosis")))
                    for language, text in zip(("en", "de"), texts)]
    answers = [{"qid": "2", "code": str(code), "answer": f"{code} ({language})", "sortorder": str(code),
                "language": language, "scale_id": "0"} for code in range(1, 6) for language in languages]
    return lss({"answers": answers, "groups": groups, "questions": questions, "subquestions": subquestions,
                "surveys": [survey_row(languages)],
                "surveys_languagesettings": language_settings({"en": "Old survey", "de": "Alte Umfrage"})},
               db_version=258, languages=languages)


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



def spelling_variants():
    survey = [
        ["Type ", "Name", "label::German (de)", "label:English", "label::estonian", "Hint::German (de)", "REQUIRED",
         "relevant", "constraint"],
        ["begin group", "g1", "Erste Seite", "First page", "Esimene", "", "", "", ""],
        ["select_one yn", "q1", "Nutzen Sie es?", "Do you use it?", "Kas?", "Bitte wählen", "yes", "", ""],
        ["select_multiple colors or_other", "q2", "Farben", "Colours", "Värvid", "", "", "", ""],
        ["end group", "", "", "", "", "", "", "", ""],
        ["begin_group", "g2", "Zweite", "Second", "Teine", "", "", "${q1} = ’yes’", ""],
        ["integer", "age", "Alter", "Age", "Vanus", "", "", "", ". >= 18 and . <= 99"],
        ["text", "why", "Warum rot?", "Why red?", "Miks?", "", "", "selected(${q2}, “red”)", "string-length(.) <= 50"],
        ["decimal", "hours", "Stunden", "Hours", "Tunnid", "", "", "${age} > 30", "regex(., '^[0-9]+$')"],
        ["geopoint", "where", "Wo?", "Where?", "Kus?", "", "", "", ""],
        ["calculate", "twice", "", "", "", "", "", "", ""],
        ["begin repeat", "kids", "Kinder", "Children", "Lapsed", "", "", "", ""],
        ["text", "kid_name", "Name", "Name", "Nimi", "", "", "", ""],
        ["end repeat", "", "", "", "", "", "", "", ""],
        ["end group", "", "", "", "", "", "", "", ""],
        ["note", "bye", "Fast fertig", "Almost done", "Peaaegu", "", "", "", ""],
        ["date", "when", "Wann?", "When?", "Millal?", "", "", "", ""],
    ]
    choices = [
        ["list name ", "name", "label::German (de)", "label:English", "label::estonian"],
        ["yn", "yes", "Ja", "Yes", "Jah"], ["yn", "no", "Nein", "No", "Ei"],
        ["colors", "red", "Rot", "Red", "Punane"], ["colors", "blue", "Blau", "Blue", "Sinine"],
    ]
    settings = [["form_title", "form_id", "default_language"], ["Farben", "colour_form", "German (de)"]]
    return {"Survey ": survey, "CHOICES": choices, "Settings": settings}


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


def clinic_dictionary(path, header=REDCAP_HEADER):
    likert = "1, Never | 2, Rarely | 3, Sometimes | 4, Often | 5, Always"
    return redcap_dictionary(path, [
        {"Variable / Field Name": "record_id", "Form Name": "intake", "Field Type": "text", "Field Label": "Record ID"},
        {"Variable / Field Name": "name", "Form Name": "intake", "Field Type": "text", "Field Label": "Your name",
         "Identifier?": "y"},
        {"Variable / Field Name": "smoker", "Form Name": "intake", "Field Type": "yesno", "Field Label": "Do you smoke?",
         "Required Field?": "y"},
        {"Variable / Field Name": "kinds", "Form Name": "intake", "Field Type": "checkbox", "Field Label": "What?",
         "Choices, Calculations, OR Slider Labels": "1, Cigarettes | 2, Pipe | 99, Other",
         "Branching Logic (Show field only if...)": "[smoker] = '1'"},
        {"Variable / Field Name": "daily", "Form Name": "habits", "Section Header": "How often?", "Field Type": "radio",
         "Field Label": "daily", "Choices, Calculations, OR Slider Labels": likert, "Matrix Group Name": "often"},
        {"Variable / Field Name": "nightly", "Form Name": "habits", "Field Type": "radio", "Field Label": "at night",
         "Choices, Calculations, OR Slider Labels": likert, "Matrix Group Name": "often"},
        {"Variable / Field Name": "pipe_brand", "Form Name": "habits", "Field Type": "text", "Field Label": "Brand?",
         "Branching Logic (Show field only if...)": '[kinds(2)] = "1" and [smoker] <> "0"'},
        {"Variable / Field Name": "age", "Form Name": "habits", "Field Type": "text", "Field Label": "Age",
         "Text Validation Type OR Show Slider Number": "integer", "Text Validation Min": "18",
         "Text Validation Max": "120", "Branching Logic (Show field only if...)": "[baseline_arm_1][smoker] = '1'"},
        {"Variable / Field Name": "bmi", "Form Name": "habits", "Field Type": "calc", "Field Label": "BMI",
         "Choices, Calculations, OR Slider Labels": "[weight]/([height]*[height])"},
    ], header=header)


def pyxform_markdown_form(path, markdown):
    """An .xlsx XLSForm made by pyxform's own markdown reader (the format of pyxform's test suite)."""
    from pyxform.xls2json_backends import md_table_to_workbook  # a dev dependency, like pyxform's test helpers

    md_table_to_workbook(markdown).save(path)
    return path
