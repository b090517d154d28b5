"""REDCap data dictionaries (CSV): forms become pages, fields become items.

Columns are found by their header as REDCap writes it in the dictionary download ("Variable /
Field Name", ...) or in the API export (field_name, ...). The first field is the record id, which
Uptake does not ask (responses have their own id). Fields flagged "Identifier?" are kept with
`never_export: true`, so they can be asked but never leave in an export.
"""

import csv
import re
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.importers.common import (
    Codes, ConversionReport, SourceFormatError, Texts, assemble, definition, joined_texts, options, placeholder,
    plain, uptake_code,
)
from surveys.importers.expressions import Target

COLUMNS = {  # our name: (dictionary download header, API export header)
    "field": ("variable / field name", "field_name"),
    "form": ("form name", "form_name"),
    "section": ("section header", "section_header"),
    "type": ("field type", "field_type"),
    "label": ("field label", "field_label"),
    "choices": ("choices, calculations, or slider labels", "select_choices_or_calculations"),
    "note": ("field note", "field_note"),
    "validation": ("text validation type or show slider number", "text_validation_type_or_show_slider_number"),
    "min": ("text validation min", "text_validation_min"),
    "max": ("text validation max", "text_validation_max"),
    "identifier": ("identifier?", "identifier"),
    "branching": ("branching logic (show field only if...)", "branching_logic"),
    "required": ("required field?", "required_field"),
    "matrix": ("matrix group name", "matrix_group_name"),
}
REQUIRED_COLUMNS = ("field", "form", "type", "label", "choices")
HEADER_MARKERS = {names[0] for names in COLUMNS.values()} | {names[1] for names in COLUMNS.values()}
YES_NO = [("1", "Ja", "Yes"), ("0", "Nein", "No")]
TRUE_FALSE = [("1", "Wahr", "True"), ("0", "Falsch", "False")]
NUMBER_VALIDATIONS = {"integer": True, "number": False}
DATE_VALIDATION = re.compile(r"^(date|datetime|time)")
UNSUPPORTED = {"file": gettext_lazy("a file upload or signature"), "sql": gettext_lazy("options from a database query")}


def is_dictionary(header: list[str]) -> bool:
    """Whether a CSV header row is a REDCap data dictionary's."""
    return bool(header) and _normal(header[0]) in (COLUMNS["field"][0], COLUMNS["field"][1])


def read(path: str | Path, report: ConversionReport, default_language: str = "en") -> dict:
    """The Uptake definition dict of a data dictionary; the report collects what came across."""
    rows = _rows(path)
    texts = Texts([default_language], default_language, report)
    report.notes.append(_("a REDCap dictionary has no languages: its texts are taken as %(language)s") % {"language": default_language})
    converter = _Converter(path, texts, report)
    for number, row in rows[1:]:
        converter.field(number, row)
    form = rows[1][1]["form"] if len(rows) > 1 else "redcap"
    return definition(
        code=uptake_code(form, prefix="r"), title=texts({default_language: form.replace("_", " ")}),
        information=placeholder(texts, "information", report), consent=placeholder(texts, "consent", report),
        thanks=placeholder(texts, "thanks", report), pages=assemble(converter.finish(), converter.targets, "redcap", report),
    )


def _normal(header):
    return re.sub(r"\s+", " ", header.strip().lower().lstrip("\ufeff"))


def _rows(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{path}: cannot read the file ({exc})") from None
    if not lines:
        raise SourceFormatError(_("%(file)s line 1: empty file; expected a REDCap data dictionary header") % {"file": path})
    header = [_normal(cell) for cell in lines[0]]
    positions = {}
    for name, spellings in COLUMNS.items():
        position = next((header.index(spelling) for spelling in spellings if spelling in header), None)
        if position is None and name in REQUIRED_COLUMNS:
            raise SourceFormatError(_("%(file)s line 1: missing column %(column)r (REDCap's data dictionary has it; found: "
                                      "%(found)s)") % {"file": path, "column": spellings[0].title(), "found": ", ".join(lines[0])})
        positions[name] = position
    rows = [(1, positions)]
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = {name: (cells[position].strip() if position is not None and position < len(cells) else "")
               for name, position in positions.items()}
        if not row["field"] or not row["form"] or not row["type"]:
            raise SourceFormatError(_("%(file)s line %(line)s: a field needs a variable name, a form name and a field type")
                                    % {"file": path, "line": number})
        rows.append((number, row))
    return rows


class _Converter:
    def __init__(self, path, texts, report):
        self.path, self.texts, self.report = path, texts, report
        self.codes, self.targets = Codes(), {}
        self.pages, self.page, self.form, self.matrix = [], None, None, None
        self.record_id = None

    def field(self, number, row):
        where = _("line %(line)s (%(field)s)") % {"line": number, "field": row["field"]}
        if self.record_id is None:
            self.record_id = row["field"]
            self.report.dropped.append(_("%(where)s: the record id (Uptake numbers responses itself)") % {"where": where})
            return
        if row["form"] != self.form or row["section"]:
            self._new_page(row)
        kind = row["type"].lower()
        if kind == "descriptive":
            intro = joined_texts(self.page.get("intro"), self.texts({self.texts.base: row["label"]}))
            if intro:
                self.page["intro"] = intro
            return
        if kind == "calc":
            self.report.dropped.append(_("%(where)s: calculated field %(calculation)r (a derived variable: compute it after "
                                         "export)") % {"where": where, "calculation": row["choices"]})
            return
        if kind in UNSUPPORTED:
            self.report.dropped.append(_("%(where)s: `%(kind)s` is %(what)s, which Uptake cannot ask")
                                       % {"where": where, "kind": kind, "what": UNSUPPORTED[kind]})
            return
        item = self._item(kind, row, where)
        if item is None:
            self.report.dropped.append(_("%(where)s: field type `%(kind)s` unknown to the importer") % {"where": where, "kind": kind})
            return
        self._place(item, row["field"], row["matrix"])

    def finish(self):
        self._close_matrix()
        if self.page is not None:
            self.pages.append(self.page)
        return self.pages

    def _new_page(self, row):
        self._close_matrix()
        if self.page is not None:
            self.pages.append(self.page)
        self.form = row["form"]
        title = row["section"] or row["form"].replace("_", " ")
        self.page = {"code": row["form"], "title": self.texts({self.texts.base: title}), "items": []}

    def _item(self, kind, row, where):
        code = self.codes.claim(row["field"])
        item = {"code": code, "text": self.texts({self.texts.base: row["label"]}, fallback=row["field"]),
                "required": row["required"].lower() == "y", "_logic": {"branching_logic": row["branching"]}}
        if row["note"]:
            item["help"] = self.texts({self.texts.base: row["note"]})
        if row["identifier"].lower() == "y":
            item["never_export"] = True
            self.report.notes.append(_("%(where)s: an identifier: asked, stored, never exported") % {"where": where})
        if kind in ("radio", "dropdown", "checkbox", "yesno", "truefalse"):
            raws = {"yesno": YES_NO, "truefalse": TRUE_FALSE}.get(kind)
            raws = ([(raw, self.texts.constant(de, en)) for raw, de, en in raws] if raws
                    else self._choices(row, where))
            item["options"], values = options(raws)
            item["type"] = {"checkbox": "multiple_choice", "dropdown": "dropdown"}.get(kind, "single_choice")
            self.targets[row["field"]] = Target(code, "multi" if kind == "checkbox" else "choice", values)
            for raw, option in values.items():
                self.targets[f"{row['field']}({raw})"] = Target(code, "option", option=option)
            return item
        if kind == "notes":
            self.targets[row["field"]] = Target(code, "text")
            return dict(item, type="textarea")
        if kind == "slider":
            labels = " … ".join(plain(label) for label in row["choices"].split("|") if plain(label))
            if labels:
                item["help"] = self.texts({self.texts.base: labels})
            self.report.notes.append(_("%(where)s: a slider became a number item (its end labels are in the help)") % {"where": where})
            self.targets[row["field"]] = Target(code, "number")
            return dict(item, type="number", **self._limits(row, default=(0, 100)))
        if kind == "text":
            return self._text(item, row, where)
        self.codes.used.discard(code)
        return None

    def _text(self, item, row, where):
        validation = row["validation"].lower()
        code = item["code"]
        if validation in NUMBER_VALIDATIONS or validation.startswith("number"):
            self.targets[row["field"]] = Target(code, "number")
            return dict(item, type="number", integer=NUMBER_VALIDATIONS.get(validation, False), **self._limits(row))
        if DATE_VALIDATION.match(validation):
            self.report.notes.append(_("%(where)s: `%(kind)s` became a text item (Uptake has no date or time type)")
                                     % {"where": where, "kind": validation})
            item.setdefault("help", self.texts({self.texts.base: f"Format: {validation}"}))
        elif validation:
            self.report.notes.append(_("%(where)s: text validation `%(validation)s` is not checked by Uptake")
                                     % {"where": where, "validation": validation})
        self.targets[row["field"]] = Target(code, "text")
        return dict(item, type="text")

    def _limits(self, row, default=(None, None)):
        limits = {}
        for key, fallback in zip(("min", "max"), default):
            value = row[key] or (str(fallback) if fallback is not None else "")
            if re.fullmatch(r"-?\d+(\.\d+)?", value):
                limits[key] = float(value)
        return limits

    def _choices(self, row, where):
        choices = []
        for part in row["choices"].split("|"):
            if not part.strip():
                continue
            raw, comma, label = part.partition(",")
            if not comma:
                raise SourceFormatError(_("%(file)s %(where)s: choice %(choice)r has no code; expected `1, Yes | 0, No`") % {
                    "file": self.path, "where": where, "choice": part.strip()})
            choices.append((raw.strip(), self.texts({self.texts.base: label.strip()}, fallback=raw.strip())))
        if not choices:
            raise SourceFormatError(_("%(file)s %(where)s: a %(type)s field needs choices like `1, Yes | 0, No`") % {
                "file": self.path, "where": where, "type": row["type"]})
        return choices

    def _place(self, item, field, group):
        """Consecutive radio fields of one matrix group with 5 or 7 choices become a Likert matrix."""
        labels = [option["label"] for option in item.get("options", [])]
        if not group or item["type"] != "single_choice" or len(labels) not in (5, 7):
            self._close_matrix()
            self.page["items"].append(item)
            return
        if not (self.matrix and self.matrix["name"] == group and self.matrix["labels"] == labels):
            self._close_matrix()
            self.matrix = {"name": group, "labels": labels, "items": []}
        self.matrix["items"].append((item, field))

    def _close_matrix(self):
        """A matrix needs rows that share their condition and required flag; otherwise the rows stay items."""
        if not self.matrix:
            return
        matrix, self.matrix = self.matrix, None
        items = [item for item, _field in matrix["items"]]
        if len(items) == 1 or len({(item["_logic"]["branching_logic"], item["required"]) for item in items}) > 1:
            self.page["items"] += items
            return
        for item, field in matrix["items"]:
            positions = {raw: position for position, raw in enumerate(self.targets[field].values, start=1)}
            self.targets[field] = Target(item["code"], "number", positions)
        self.page["items"].append({
            "code": self.codes.claim(matrix["name"]), "type": "likert_matrix",
            "text": self.page.get("title") or self.texts({self.texts.base: matrix["name"]}),
            "required": items[0]["required"], "points": len(matrix["labels"]), "labels": matrix["labels"],
            "_logic": items[0]["_logic"], "rows": [{"code": item["code"], "text": item["text"]} for item in items],
        })
        self.report.notes.append(_("matrix group %(name)s: a rating matrix; stored values are 1..%(points)s in the order of "
                                   "its choices") % {"name": matrix["name"], "points": len(matrix["labels"])})
