"""XLSForm questionnaires (KoboToolbox, ODK) from .xlsx, .xls or the one-file CSV variant.

Groups become pages, questions outside groups are gathered on pages of their own. A repeat is asked
once, as its first instance, with a note in the report (Uptake has no repeated groups). Sheet and column
names are matched case-insensitively and without surrounding spaces; translated columns are read
in every spelling seen in the wild (`label::German (de)`, `label:German`, `label::german`).
"""

import csv
import re
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.file_limits import FileLimitError, capped_rows, check_workbook_archive, workbook_sheet_rows
from surveys.importers.common import (
    Codes, ConversionReport, SourceFormatError, Texts, assemble, definition, joined_texts, language_code,
    options, placeholder, uptake_code,
)
from surveys.importers.expressions import TYPOGRAPHIC_QUOTES, Target, Untranslatable, parse

TRUE = {"yes", "true", "true()", "1", "y"}
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
            "audit", "instanceid", "start-geopoint", "background-audio", "background-geopoint"}
LOCATION, FILE_UPLOAD = gettext_lazy("a location"), gettext_lazy("a file upload")
ACKNOWLEDGEMENT, EXTERNAL_OPTIONS = gettext_lazy("an acknowledgement"), gettext_lazy("options from an external file")
UNSUPPORTED = {
    "geopoint": LOCATION, "geotrace": LOCATION, "geoshape": LOCATION, "image": FILE_UPLOAD,
    "audio": FILE_UPLOAD, "video": FILE_UPLOAD, "file": FILE_UPLOAD, "barcode": gettext_lazy("a barcode scan"),
    "acknowledge": ACKNOWLEDGEMENT, "trigger": ACKNOWLEDGEMENT, "rank": gettext_lazy("a ranking"),
    "hidden": gettext_lazy("a hidden value"), "select_one_from_file": EXTERNAL_OPTIONS,
    "select_multiple_from_file": EXTERNAL_OPTIONS, "select_one_external": EXTERNAL_OPTIONS,
}
NAMELESS = {"end_group", "end_repeat", "note"}  # rows that need no name here (a note only adds text to its page)
TRANSLATED_COLUMNS = ("label", "hint", "constraint_message", "required_message")
OTHER_TEXT = re.compile(r"^\s*(?:selected\(\s*\$\{(?P<selected>[^}]+)\}\s*,\s*'other'\s*\)"
                        r"|\$\{(?P<equals>[^}]+)\}\s*=\s*'other')\s*$")


def read(path: str | Path, report: ConversionReport, default_language: str = "en") -> dict:
    """The Uptake definition dict of an XLSForm; the report collects what came across."""
    sheets = read_sheets(path)
    if "survey" not in sheets and len(sheets) == 1 and _has_columns(next(iter(sheets.values())), {"type", "name"}):
        (name, rows), = sheets.items()
        sheets = {"survey": rows}
        report.notes.append(_("the workbook's only sheet, %(sheet)s, is read as the survey sheet (as pyxform does)") % {"sheet": name})
    if "survey" not in sheets:
        raise SourceFormatError(_("%(file)s: no `survey` sheet (found: %(found)s); an XLSForm needs survey, and choices for "
                                  "select questions") % {"file": path, "found": ", ".join(sheets) or _("no sheets")})
    settings = next(iter(_records(sheets.get("settings", []), path, "settings", report)), ({}, 0))[0]
    base = language_code(settings.get("default_language")) or default_language
    survey = _records(sheets["survey"], path, "survey", report, base, required=("type", "name"))
    choices = _records(sheets.get("choices", []), path, "choices", report, base, required=("list_name", "name"))
    languages = sorted({language for record, _row in survey + choices for column in TRANSLATED_COLUMNS
                        for language in record.get(column, {})}, key=lambda language: (language != base, language))
    texts = Texts(languages or [base], base, report)
    if not settings.get("default_language") and not _names_languages(sheets["survey"]):
        report.notes.append(_("the form names no language: its texts are taken as %(language)s "
                              "(import_instrument --language to change)") % {"language": base})
    form_id = settings.get("form_id") or Path(path).stem
    converter = _Converter(path, texts, report, _choice_lists(choices, texts, report))
    for record, row in survey:
        converter.row(record, row)
    pages = converter.finish()
    title = texts({base: settings.get("form_title") or form_id})
    return definition(
        code=uptake_code(form_id, prefix="f"), title=title,
        information=placeholder(texts, "information", report), consent=placeholder(texts, "consent", report),
        thanks=placeholder(texts, "thanks", report), pages=assemble(pages, converter.targets, "xlsform", report),
    )


# --- sheets ----------------------------------------------------------------------------------


def read_sheets(path: str | Path) -> dict[str, list[tuple[int, list[str]]]]:
    """{sheet name in lower case: [(row number, [cell text ...]), ...]} for .xlsx, .xls and .csv."""
    # Imported here: surveys.services imports this module in every web worker and command, and openpyxl
    # brings NumPy along (a fifth of a `manage.py` start).
    import openpyxl
    import xlrd
    from openpyxl.utils.exceptions import InvalidFileException

    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".csv":
            return _csv_sheets(path)
        if suffix == ".xls":
            book = xlrd.open_workbook(str(path))
            return {sheet.name.strip().lower(): [(number, [_cell(value) for value in values]) for number, values
                                                 in capped_rows(map(sheet.row_values, range(sheet.nrows)), path, sheet.name)]
                    for sheet in book.sheets()}
        check_workbook_archive(path)
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        try:
            return {sheet.title.strip().lower(): [(number, [_cell(value) for value in values])
                                                  for number, values in workbook_sheet_rows(sheet, path)]
                    for sheet in book.worksheets}
        finally:
            book.close()
    except FileLimitError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, xlrd.XLRDError, KeyError, ValueError) as exc:
        if isinstance(exc.__context__, DefusedXmlException):  # openpyxl parses with defusedxml
            raise SourceFormatError(f"{path}: a sheet declares XML entities; refused as a possible entity bomb") from None
        problem = " ".join(str(exc).split())
        raise SourceFormatError(f"{path}: not a readable {suffix.lstrip('.')} workbook ({problem})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path}: cannot read the file ({exc})") from None


def _csv_sheets(path):
    """The one-file CSV variant: a row with a sheet name in the first cell starts that sheet."""
    sheets, current = {}, None
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle), start=1):
            if cells and cells[0].strip():
                current = sheets.setdefault(cells[0].strip().lower(), [])
            elif current is not None:
                current.append((number, [cell.strip() for cell in cells[1:]]))
    return sheets


def _has_columns(rows, names):
    header = next((cells for _number, cells in rows if any(cells)), [])
    return names <= {cell.strip().lower() for cell in header}


def _names_languages(rows):
    header = next((cells for _number, cells in rows if any(cells)), [])
    return any(re.match(r"^\s*(label|hint)\s*::?\s*\S", cell, re.IGNORECASE) for cell in header)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column(header, path, sheet, report, base):
    """(column, language) for a header such as `label::German (de)`, `label:German`, `List Name `."""
    found = re.match(r"^\s*([^:]+?)\s*::?\s*(.+?)\s*$", header)
    name, language = (found.group(1), found.group(2)) if found else (header, None)
    name = re.sub(r"\s+", "_", name.strip().lower())
    if name not in TRANSLATED_COLUMNS:
        return name, None
    if language is None:
        return name, base
    code = language_code(language)
    if code is None:
        report.dropped.append(_("%(file)s sheet %(sheet)s column %(column)r: language not recognised")
                              % {"file": Path(path).name, "sheet": sheet, "column": header.strip()})
    return name, code


def _records(rows, path, sheet, report, base="en", required=()):
    """[(record, row number)]: a record maps column to text, translated columns to {language: text}."""
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        return []
    header_row, header = rows[0]
    columns = [_column(cell, path, sheet, report, base) if cell else (None, None) for cell in header]
    names = {name for name, _language in columns}
    missing = [name for name in required if name not in names]
    if missing:
        raise SourceFormatError(_("%(file)s sheet %(sheet)s row %(row)s: missing column `%(column)s` (found: %(found)s)") % {
            "file": path, "sheet": sheet, "row": header_row, "column": missing[0], "found": ", ".join(cell for cell in header if cell)})
    records = []
    for number, cells in rows[1:]:
        record = {}
        for (name, language), value in zip(columns, cells):
            if name is None or not value:
                continue
            if name in TRANSLATED_COLUMNS:
                if language:
                    record.setdefault(name, {})[language] = value
            else:
                record[name] = value
        if record:
            records.append((record, number))
    return records


def _choice_lists(choices, texts, report):
    lists = {}
    for record, row in choices:
        options = lists.setdefault(record["list_name"], {})
        if record["name"] in options:
            report.notes.append(_("choices row %(row)s: %(name)r is in list %(list)r twice; kept once (choice filters are "
                                  "not evaluated)") % {"row": row, "name": record["name"], "list": record["list_name"]})
            continue
        options[record["name"]] = texts(record.get("label", {}), fallback=record["name"])
    return lists


# --- survey rows -----------------------------------------------------------------------------


class _Converter:
    def __init__(self, path, texts, report, lists):
        self.path, self.texts, self.report, self.lists = path, texts, report, lists
        self.codes, self.targets = Codes(), {}
        self.pages, self.groups, self.page = [], [], None
        self.with_other = set()  # selects with "other, please specify"

    def row(self, record, row):
        if not record.get("type"):
            if record.get("name") or record.get("label"):
                raise SourceFormatError(_("%(file)s survey row %(row)s (%(name)s): no `type`; expected a question type such as "
                                          "text, integer or select_one <list>")
                                        % {"file": self.path, "row": row, "name": record.get("name", _("no name"))})
            return  # a comment row (pyxform skips it too)
        kind, arguments = _type(record["type"])
        where = _("survey row %(row)s (%(name)s)") % {"row": row, "name": record.get("name", kind)}
        if not record.get("name") and kind not in NAMELESS:
            raise SourceFormatError(_("%(file)s survey row %(row)s (type %(type)s): no `name`; every question and group needs "
                                      "a name, unique in the form") % {"file": self.path, "row": row, "type": record["type"]})
        if kind in ("begin_group", "begin_repeat"):
            self._close_page()
            self.groups.append(record)
            if kind == "begin_repeat":
                self.report.notes.append(_("%(where)s: the repeat %(name)s is asked once, as its first instance (Uptake has "
                                           "no repeated groups)") % {"where": where, "name": record["name"]})
        elif kind in ("end_group", "end_repeat"):
            self._close_page()
            if self.groups:
                self.groups.pop()
        elif kind == "note":
            page = self._current_page()
            intro = joined_texts(page.get("intro"), self.texts(record.get("label", {})))
            if intro:
                page["intro"] = intro
        elif kind == "text" and self._other_text_of(record):
            self.report.notes.append(_("%(where)s: the 'please specify' text of %(item)s's other, which Uptake asks with "
                                       "the choice") % {"where": where, "item": self._other_text_of(record)})
        else:
            item = self._item(kind, arguments, record, where)
            if item:
                self._current_page()["items"].append(item)

    def finish(self):
        self._close_page()
        return self.pages

    def _other_text_of(self, record):
        """The select whose 'other' a text question specifies (relevant: `selected(${s}, 'other')` or
        `${s} = 'other'`), the usual XLSForm idiom that Uptake's `other:` covers; None otherwise."""
        found = OTHER_TEXT.match(record.get("relevant", "").translate(TYPOGRAPHIC_QUOTES))
        name = found and (found.group("selected") or found.group("equals"))
        return name if name in self.with_other else None

    def _current_page(self):
        if self.page is None:
            group = self.groups[-1] if self.groups else {"name": f"page_{len(self.pages) + 1}"}
            relevance = [record["relevant"] for record in self.groups if record.get("relevant")]
            self.page = {"code": group["name"], "items": [],
                         "_logic": {"relevant": " and ".join(f"({text})" for text in relevance)} if relevance else {}}
            title = self.texts(group.get("label", {}))
            if title:
                self.page["title"] = title
        return self.page

    def _close_page(self):
        if self.page is not None:
            self.pages.append(self.page)
        self.page = None

    def _item(self, kind, arguments, record, where):
        name = record.get("name", "")
        if kind in METADATA:
            self.report.dropped.append(_("%(where)s: metadata `%(kind)s` (Uptake records its own paradata)") % {"where": where, "kind": kind})
            return None
        if kind == "calculate":
            self.report.dropped.append(_("%(where)s: calculation %(calculation)r (derive it after export)")
                                       % {"where": where, "calculation": record.get("calculation", "")})
            return None
        if kind in UNSUPPORTED:
            self.report.dropped.append(_("%(where)s: `%(kind)s` is %(what)s, which Uptake cannot ask")
                                       % {"where": where, "kind": kind, "what": UNSUPPORTED[kind]})
            return None
        code = self.codes.claim(name)
        item = {"code": code, "text": self.texts(record.get("label", {}), fallback=name), "_logic": {}}
        if record.get("hint"):
            item["help"] = self.texts(record["hint"])
        self._required(item, record, where)
        if record.get("relevant"):
            item["_logic"]["relevant"] = record["relevant"]
        for key in ("choice_filter", "calculation", "default", "read_only"):
            if record.get(key):
                item.setdefault("untranslated", {})[key] = record[key]
                self.report.kept.append(_("%(where)s: %(key)s %(value)r (Uptake has no %(what)s)")
                                        % {"where": where, "key": key, "value": record[key], "what": key.replace("_", " ")})
        built = self._typed(kind, arguments, record, item, where)
        if built is None:
            self.codes.used.discard(code)
            self.report.dropped.append(_("%(where)s: question type `%(kind)s` unknown to the importer") % {"where": where, "kind": kind})
        return built

    def _required(self, item, record, where):
        required = record.get("required", "").strip()
        if required.lower() in TRUE:
            item["required"] = True
        elif required and required.lower() not in ("no", "false", "false()", "0", "n"):
            item.setdefault("untranslated", {})["required"] = required
            self.report.kept.append(_("%(where)s: required %(required)r (only yes/no can be translated)")
                                    % {"where": where, "required": required})

    def _typed(self, kind, arguments, record, item, where):
        name = record["name"]
        if kind in ("select_one", "select_multiple"):
            return self._select(kind, arguments, record, item, where)
        if kind in ("integer", "decimal", "range"):
            item.update(type="number", integer=kind != "decimal")
            if kind == "range":
                item.update(_range(record.get("parameters", "")))
                self.report.notes.append(_("%(where)s: a range became a number item") % {"where": where})
            self._constraint(item, record, where)
            self.targets[name] = Target(item["code"], "number")
            return item
        if kind in ("text", "string", "date", "time", "datetime"):
            multiline = "multiline" in record.get("appearance", "")
            item["type"] = "textarea" if multiline else "text"
            if kind in ("date", "time", "datetime"):
                self.report.notes.append(_("%(where)s: `%(kind)s` became a text item (Uptake has no date or time type)")
                                         % {"where": where, "kind": kind})
                item.setdefault("help", self.texts.constant("Datum/Uhrzeit als Text", "Date/time as text"))
            self._constraint(item, record, where)
            self.targets[name] = Target(item["code"], "text")
            return item
        return None

    def _select(self, kind, arguments, record, item, where):
        multiple = kind == "select_multiple"
        if not arguments:
            raise SourceFormatError(_("%(file)s %(where)s: `%(type)s` names no choice list") % {
                "file": self.path, "where": where, "type": record["type"]})
        list_name = arguments[0]
        if list_name not in self.lists:
            raise SourceFormatError(_("%(file)s %(where)s: choice list %(list)r is not in the choices sheet") % {
                "file": self.path, "where": where, "list": list_name})
        item["options"], values = options(list(self.lists[list_name].items()))
        if " ".join(arguments[1:]).lower() in ("or_other", "or specify other") or "other" in values:
            item["other"] = self.texts.constant("Sonstiges:", "Other:")
            item["options"] = [option for option in item["options"] if option["code"] != "other"]
            values["other"] = "other"
        appearance = record.get("appearance", "")
        item["type"] = "multiple_choice" if multiple else (
            "dropdown" if any(word in appearance for word in ("minimal", "autocomplete", "search")) else "single_choice")
        self.targets[record["name"]] = Target(item["code"], "multi" if multiple else "choice", values)
        self.with_other |= {record["name"]} if "other" in item else set()
        self._constraint(item, record, where)
        return item

    def _constraint(self, item, record, where):
        """`. >= 0 and . <= 120` become min/max, `string-length(.) <= 50` max_length; others are kept."""
        expression = record.get("constraint", "")
        if not expression:
            return
        try:
            limits = _limits(parse(expression, "xlsform"), item["type"])
        except Untranslatable as reason:
            item.setdefault("untranslated", {})["constraint"] = expression
            self.report.kept.append(_("%(where)s: constraint %(expression)r (%(reason)s)")
                                    % {"where": where, "expression": expression, "reason": reason})
            return
        item.update(limits)
        self.report.translated.append(_("%(where)s: constraint %(expression)s") % {"where": where, "expression": expression})


# pyxform's spellings of a type (pyxform/aliases.py), longest first: (words in lower case, kind)
TYPE_ALIASES = sorted([
    (("select_one",), "select_one"), (("select", "one"), "select_one"), (("select1",), "select_one"),
    (("select", "one", "from"), "select_one"), (("add", "select", "one", "prompt", "using"), "select_one"),
    (("select_multiple",), "select_multiple"), (("select", "multiple"), "select_multiple"),
    (("select", "all", "that", "apply"), "select_multiple"), (("select", "all", "that", "apply", "from"), "select_multiple"),
    (("add", "select", "multiple", "prompt", "using"), "select_multiple"),
    (("select", "one", "from", "file"), "select_one_from_file"),
    (("select", "multiple", "from", "file"), "select_multiple_from_file"),
    *(((edge, *group.split()), f"{edge}_{kind}") for edge in ("begin", "end")
      for group, kind in (("group", "group"), ("repeat", "repeat"), ("lgroup", "repeat"), ("looped group", "repeat"),
                          ("loop", "repeat"))),
    *(((f"{edge}_{group}",), f"{edge}_{group}") for edge in ("begin", "end") for group in ("group", "repeat")),
], key=lambda alias: -len(alias[0]))


def _type(text):
    """(kind, arguments) of a type cell: 'select one  colors or_other' -> ('select_one', ['colors', 'or_other']).

    A loop (`begin loop over <list>`) is a repeat with one instance per choice: Uptake asks it once.
    """
    words = text.split()
    lowered = tuple(word.lower() for word in words)
    for spelling, kind in TYPE_ALIASES:
        if lowered[:len(spelling)] == spelling:
            arguments = words[len(spelling):]
            return kind, arguments[1:] if kind == "begin_repeat" and lowered[len(spelling):][:1] == ("over",) else arguments
    return (lowered[0], words[1:]) if words else ("", [])


def _limits(tree, item_type):
    parts = tree[1] if tree[0] == "and" else [tree]
    limits = {}
    for part in parts:
        if part[0] != "cmp" or part[3][0] != "literal":
            raise Untranslatable(_("only comparisons of the answer (.) with numbers are translated"))
        op, left, number = part[1], part[2], float(part[3][1]) if re.fullmatch(r"-?\d+(\.\d+)?", part[3][1]) else None
        if number is None:
            raise Untranslatable(_("%(value)r is not a number") % {"value": part[3][1]})
        if item_type == "number" and left == ("ref", ".") and op in (">=", "<="):
            limits["min" if op == ">=" else "max"] = number
        elif (item_type in ("text", "textarea") and left[0] == "call" and left[1] == "string-length"
              and left[2] == [("ref", ".")] and op in ("<=", "<")):
            limits["max_length"] = int(number) - (op == "<")
        else:
            raise Untranslatable(_("%(op)s on this answer has no Uptake equivalent") % {"op": op})
    return limits


def _range(parameters):
    found = dict(re.findall(r"(start|end)\s*=\s*(-?\d+(?:\.\d+)?)", parameters))
    return {key: float(found[name]) for key, name in (("min", "start"), ("max", "end")) if name in found}
