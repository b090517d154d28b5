"""An instrument version as an XLSForm workbook, the most common exchange format (KoboToolbox, ODK).

Pages become field-list groups, conditions `relevant` expressions, every language a `label::Name
(code)` column. Matrices become groups of select_one rows; "other, please specify" an `other`
choice with a text question shown when it is selected. pyxform (the reference implementation)
converts the result without error; tests/surveys/test_export_xlsform.py checks that.
"""

from pathlib import Path

from django.conf.locale import LANG_INFO

from surveys.instruments import (
    ChoiceItem, Instrument, Likert, LikertMatrix, LongText, MultipleChoice, Number, Scale010, ShortText,
)

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"]
TRANSLATED = ("label", "hint")
SELECT_TESTS = ("equals", "in")


def write_xlsform(instrument: Instrument, path: str | Path) -> None:
    """Write the (resolved) instrument as an .xlsx XLSForm to path."""
    import openpyxl  # here, not at the top: the study pages import this module, and openpyxl brings NumPy

    languages = instrument.title.languages
    writer = _Writer(instrument, languages)
    for page in instrument.pages:
        writer.page(page)
    book = openpyxl.Workbook()
    book.remove(book.active)
    _sheet(book, "survey", _headers(SURVEY_COLUMNS, languages), writer.survey)
    _sheet(book, "choices", _headers(["list_name", "name", "label"], languages), writer.choices)
    settings = [{"form_title": instrument.title.en, "form_id": instrument.code,
                 "default_language": _language_name("en")}]
    _sheet(book, "settings", ["form_title", "form_id", "default_language"], settings)
    book.save(path)


def _language_name(code):
    return f"{LANG_INFO[code]['name']} ({code})"


def _headers(columns, languages):
    headers = []
    for column in columns:
        headers += [f"{column}::{_language_name(language)}" for language in languages] if column in TRANSLATED else [column]
    return headers


def _sheet(book, name, headers, rows):
    sheet = book.create_sheet(name)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])


class _Writer:
    def __init__(self, instrument, languages):
        self.instrument, self.languages = instrument, languages
        self.survey, self.choices = [], []
        self.selects = {code: item for _page, item in instrument.items() for code in _codes(item)
                        if not isinstance(item, Number)}

    def _texts(self, column, text):
        if text is None:
            return {}
        return {f"{column}::{_language_name(language)}": getattr(text, language) for language in self.languages}

    def row(self, kind, name, label=None, **fields):
        self.survey.append({"type": kind, "name": name, **self._texts("label", label),
                            **{key: value for key, value in fields.items() if key != "hint"},
                            **self._texts("hint", fields.get("hint"))})

    def page(self, page):
        self.row("begin_group", page.code, page.title, appearance="field-list", relevant=self.relevant(page.show_if))
        if page.intro:
            self.row("note", f"{page.code}_intro", page.intro)
        for item in page.items:
            self.item(item)
        self.row("end_group", page.code)

    def item(self, item):
        common = {"hint": item.help, "required": "yes" if item.required else "", "relevant": self.relevant(item.show_if)}
        if isinstance(item, LikertMatrix):
            self.row("begin_group", item.code, item.text, appearance="field-list", relevant=common.pop("relevant"))
            self._likert_choices(item)
            for row in item.rows:
                self.row(f"select_one {item.code}", row.code, row.text, appearance="likert", **common)
            self.row("end_group", item.code)
        elif isinstance(item, Likert):
            self._likert_choices(item)
            self.row(f"select_one {item.code}", item.code, item.text, appearance="likert", **common)
        elif isinstance(item, Scale010):
            for value in range(11):
                end = {0: item.low, 10: item.high}.get(value)
                self.choice(item.code, str(value), end, prefix=f"{value}")
            self.row(f"select_one {item.code}", item.code, item.text, appearance="likert", **common)
        elif isinstance(item, ChoiceItem):
            self._choice_item(item, common)
        elif isinstance(item, Number):
            limits = [f". {op} {limit:g}" for op, limit in ((">=", item.min), ("<=", item.max)) if limit is not None]
            self.row("integer" if item.integer else "decimal", item.code, item.text, constraint=" and ".join(limits),
                     **common)
        elif isinstance(item, (ShortText, LongText)):
            self.row("text", item.code, item.text, constraint=f"string-length(.) <= {item.max_length}",
                     appearance="multiline" if isinstance(item, LongText) else "", **common)

    def _choice_item(self, item, common):
        for option in item.options:
            self.choice(item.code, option.code, option.label)
        if item.other:
            self.choice(item.code, "other", item.other)
        kind = "select_multiple" if isinstance(item, MultipleChoice) else "select_one"
        appearance = "minimal" if item.type == "dropdown" else ""
        self.row(f"{kind} {item.code}", item.code, item.text, appearance=appearance, **common)
        if item.other:
            self.row("text", f"{item.code}_other", item.other, relevant=f"selected(${{{item.code}}}, 'other')")

    def _likert_choices(self, item):
        for value, label in enumerate(self.instrument.likert_labels(item), start=1):
            self.choice(item.code, str(value), label)
        if item.not_applicable:
            self.choice(item.code, "na", item.not_applicable)

    def choice(self, list_name, name, label, prefix=None):
        texts = self._texts("label", label) if label else {}
        if prefix is not None:
            texts = {key: f"{prefix} – {text}" for key, text in texts.items()} or {
                f"label::{_language_name(language)}": prefix for language in self.languages}
        self.choices.append({"list_name": list_name, "name": name, **texts})

    def relevant(self, condition):
        """The XLSForm expression for a show_if condition (empty when there is none)."""
        if condition is None:
            return ""
        if condition.all is not None:
            return " and ".join(f"({self.relevant(child)})" for child in condition.all)
        if condition.any is not None:
            return " or ".join(f"({self.relevant(child)})" for child in condition.any)
        if condition.not_ is not None:
            return f"not({self.relevant(condition.not_)})"
        reference = f"${{{condition.item}}}"
        (test, value), = condition.tests.items()
        literal = lambda value: f"'{value}'" if condition.item in self.selects else f"{value:g}"
        if test == "answered":
            return f"{reference} != ''" if value else f"{reference} = ''"
        if test == "equals":
            return f"{reference} = {literal(value)}"
        if test == "not_equals":
            return f"{reference} != '' and {reference} != {literal(value)}"
        if test == "in":
            return " or ".join(f"{reference} = {literal(one)}" for one in value)
        if test == "includes":
            return f"selected({reference}, '{value}')"
        if test == "includes_any":
            return " or ".join(f"selected({reference}, '{one}')" for one in value)
        return f"{reference} {'>=' if test == 'gte' else '<='} {value:g}"


def _codes(item):
    return [item.code, *(row.code for row in getattr(item, "rows", []))]
