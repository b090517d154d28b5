"""LimeSurvey survey archives (.lss): groups become pages, questions become items.

Both generations are read: from LimeSurvey 4 on (DBVersion 400 and above) texts live in
`*_l10ns` tables; older archives (DBVersion in the 200s and 300s) repeat each group, question and
answer row once per language with the text inline. The archive is untrusted input, so it is parsed
with defusedxml, which refuses entity declarations (the "billion laughs" bomb) and external entities.
"""

import re
from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.importers.common import (
    Codes, ConversionReport, SourceFormatError, Texts, assemble, definition, joined_texts, language_code,
    options, placeholder, plain, uptake_code,
)
from surveys.importers.expressions import Target, is_always

YES_NO = [("Y", "Ja", "Yes"), ("N", "Nein", "No")]
GENDER = [("F", "Weiblich", "Female"), ("M", "Männlich", "Male")]
YES_UNCERTAIN_NO = [("Y", "Ja", "Yes"), ("U", "Unsicher", "Uncertain"), ("N", "Nein", "No")]
INCREASE_SAME_DECREASE = [("I", "Mehr", "Increase"), ("S", "Gleich", "Same"), ("D", "Weniger", "Decrease")]
FIXED_OPTIONS = {"Y": YES_NO, "G": GENDER}
FIXED_ARRAYS = {"C": YES_UNCERTAIN_NO, "E": INCREASE_SAME_DECREASE}
UNSUPPORTED = {
    "R": gettext_lazy("ranking"), "1": gettext_lazy("dual-scale array"), ":": gettext_lazy("array of numbers"),
    ";": gettext_lazy("array of texts"), "|": gettext_lazy("file upload"), "*": gettext_lazy("equation (a calculation)"),
    "I": gettext_lazy("language switch"),
}


def read(path: str | Path, report: ConversionReport, default_language: str = "en") -> dict:
    """The Uptake definition dict of a LimeSurvey archive; the report collects what came across."""
    tables = _tables(_parse(path), path)
    archive = _Archive(tables)
    survey = (tables.get("surveys") or [{}])[0]
    languages = [survey.get("language", "")] + survey.get("additional_languages", "").split()
    known = []
    for raw in languages:
        code = language_code(raw)
        if raw and code is None:
            report.dropped.append(_("language %(language)r: not a language code Uptake knows; its texts are left out")
                                  % {"language": raw})
        known.append(code)
    texts = Texts(known, language_code(survey.get("language")), report)
    settings = archive.survey_texts()
    title = texts(archive.pick(settings, "surveyls_title"), fallback=f"LimeSurvey {survey.get('sid', '')}")
    for table, what in (("quota", gettext_lazy("quotas")), ("assessments", gettext_lazy("assessments"))):
        if tables.get(table):
            report.dropped.append(_("%(count)s %(what)s: Uptake has no %(what)s") % {"count": len(tables[table]), "what": what})
    converter = _Converter(archive, texts, report)
    pages = [converter.page(group) for group in archive.groups()]
    information = texts({language: "\n\n".join(plain(row.get(key)) for key in ("surveyls_description", "surveyls_welcometext"))
                         for language, row in settings.items()})
    return definition(
        code=uptake_code(title.get(texts.base, title["en"]), prefix="s"),
        title=title,
        information=information or placeholder(texts, "information", report),
        consent=placeholder(texts, "consent", report),
        thanks=texts(archive.pick(settings, "surveyls_endtext")) or placeholder(texts, "thanks", report),
        pages=assemble(pages, converter.targets, "limesurvey", report),
    )


def _parse(path):
    try:
        return SafeElementTree.parse(str(path)).getroot()
    except ParseError as exc:
        line, column = exc.position
        problem = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise SourceFormatError(f"{path} line {line} column {column}: not well-formed XML ({problem})") from None
    except DefusedXmlException as exc:
        raise SourceFormatError(f"{path}{_entity_line(path, getattr(exc, 'name', ''))}: declares XML entities "
                                f"({exc}); survey archives never need them, refused as a possible entity bomb") from None
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read the file ({exc})") from None


def _entity_line(path, name):
    text = Path(path).read_bytes()
    found = re.search(rb"<!ENTITY\s+" + re.escape(str(name).encode()), text)
    if found is None:
        return ""
    line = text[:found.start()].count(b"\n") + 1
    return f" line {line}"


def _tables(root, path):
    if root.tag != "document" or root.find("questions") is None:
        raise SourceFormatError(f"{path} <{root.tag}>: expected a LimeSurvey survey archive (<document> with a "
                                "<questions> table)")
    return {table.tag: [{cell.tag: cell.text or "" for cell in row} for row in table.findall("rows/row")]
            for table in root}


class _Archive:
    """The archive's rows with texts gathered per language, the same for both generations."""

    def __init__(self, tables):
        self.tables = tables
        self.new_format = "question_l10ns" in tables

    @staticmethod
    def pick(per_language, key):
        return {language: row.get(key, "") for language, row in per_language.items()}

    def survey_texts(self):
        return {language_code(row.get("surveyls_language")): row for row in self.tables.get("surveys_languagesettings", [])}

    def groups(self):
        return self._with_texts(self.tables.get("groups", []), "group_l10ns", "gid", "group_order")

    def questions(self):
        rows = self.tables.get("questions", []) + self.tables.get("subquestions", [])
        return self._with_texts(rows, "question_l10ns", "qid", "question_order")

    def _with_texts(self, rows, l10ns, key, order):
        """One row per id, in order, with `texts` {language: row}: from the l10ns table, or the rows themselves."""
        texts = defaultdict(dict)
        for row in self.tables.get(l10ns, []) if self.new_format else rows:
            texts[row[key]][language_code(row.get("language"))] = row
        unique = {row[key]: row for row in rows}
        return [dict(row, texts=texts[ident]) for ident, row in sorted(unique.items(), key=lambda pair: _order(pair[1], order))]

    def answers(self):
        texts = defaultdict(dict)
        for row in self.tables.get("answer_l10ns", []):
            texts[row["aid"]][language_code(row.get("language"))] = row.get("answer", "")
        by_question = defaultdict(dict)
        for row in self.tables.get("answers", []):
            key = (row.get("scale_id") or "0", row["code"])
            answer = by_question[row["qid"]].setdefault(key, dict(row, texts={}))
            if row.get("aid") in texts:
                answer["texts"].update(texts[row["aid"]])
            else:
                answer["texts"][language_code(row.get("language"))] = row.get("answer", "")
        return {qid: sorted(answers.values(), key=lambda row: _order(row, "sortorder")) for qid, answers in by_question.items()}

    def attributes(self):
        found = defaultdict(dict)
        for row in self.tables.get("question_attributes", []):
            found[row["qid"]].setdefault(row["attribute"], row.get("value", ""))
        return found


def _order(row, key):
    try:
        return int(row.get(key) or 0)
    except ValueError:
        return 0


class _Converter:
    def __init__(self, archive, texts, report):
        self.texts, self.report = texts, report
        self.codes, self.targets = Codes(), {}
        questions = archive.questions()
        self.children = defaultdict(list)
        for question in questions:
            if question.get("parent_qid", "0") not in ("", "0"):
                self.children[question["parent_qid"]].append(question)
        self.by_group = defaultdict(list)
        for question in questions:
            if question.get("parent_qid", "0") in ("", "0"):
                self.by_group[question["gid"]].append(question)
        self.answers, self.attributes = archive.answers(), archive.attributes()

    def page(self, group):
        names = {language: row.get("group_name", "") for language, row in group["texts"].items()}
        name = names.get(self.texts.base) or next((name for name in names.values() if name), f"g{group['gid']}")
        page = {"code": name,
                "title": self.texts(names), "_logic": {"grelevance": group.get("grelevance", "")}, "items": []}
        intro = self.texts({language: row.get("description", "") for language, row in group["texts"].items()})
        for question in self.by_group[group["gid"]]:
            if question["type"] == "X":
                intro = joined_texts(intro, self._question_text(question))
                if not is_always(question.get("relevance")):
                    self.report.dropped.append(_("question %(question)s (text display): its condition %(condition)r; the text "
                                                 "opens the page for everyone")
                                               % {"question": question["title"], "condition": question["relevance"]})
                continue
            page["items"] += self.items(question)
        if intro:
            page["intro"] = intro
        return {key: value for key, value in page.items() if value is not None}

    def items(self, question):
        kind, title = question["type"], question["title"]
        where = _("question %(question)s (type %(kind)s)") % {"question": title, "kind": kind}
        if kind in UNSUPPORTED:
            self.report.dropped.append(_("%(where)s: %(what)s, which Uptake cannot ask") % {"where": where, "what": UNSUPPORTED[kind]})
            return []
        if self.attributes.get(question["qid"], {}).get("hidden") == "1":
            self.report.dropped.append(_("%(where)s: hidden from respondents (it only carries a value)") % {"where": where})
            return []
        base = {"text": self._question_text(question), "required": question.get("mandatory") in ("Y", "S"),
                "_logic": {"relevance": question.get("relevance", "")}}
        help_text = self.texts({language: row.get("help", "") for language, row in question["texts"].items()})
        if help_text:
            base["help"] = help_text
        if kind in ("L", "!", "O", "Y", "G"):
            return [self._choice(question, base, "dropdown" if kind == "!" else "single_choice")]
        if kind in ("M", "P"):
            return [self._multiple(question, base)]
        if kind in ("A", "B", "C", "E", "F", "H"):
            return self._array(question, base)
        if kind == "5":
            code = self._claim(question)
            self.targets[title] = Target(code, "number")
            return [dict(base, code=code, type="likert", points=5, labels=self._numbered(5))]
        if kind in ("N", "K"):
            return self._numbers(question, base)
        if kind in ("S", "T", "U", "D", "Q"):
            return self._texts(question, base)
        self.report.dropped.append(_("%(where)s: question type unknown to the importer") % {"where": where})
        return []

    def _claim(self, question, sub=None):
        name = question["title"] if sub is None else f"{question['title']}_{sub['title']}"
        return self.codes.claim(name)

    def _question_text(self, question):
        if not any(plain(row.get("question")) for row in question["texts"].values()):
            self.report.notes.append(_("question %(question)s: no text in the file, its code stands in") % {"question": question["title"]})
        return self.texts({language: row.get("question", "") for language, row in question["texts"].items()},
                          fallback=question["title"])

    def _options(self, question, scale="0"):
        if question["type"] in FIXED_OPTIONS:
            fixed = FIXED_OPTIONS[question["type"]]
            return [(raw, self.texts.constant(de, en)) for raw, de, en in fixed]
        answers = [row for row in self.answers.get(question["qid"], []) if (row.get("scale_id") or "0") == scale]
        return [(row["code"], self.texts(row["texts"], fallback=row["code"])) for row in answers]

    def _choice(self, question, base, kind):
        code = self._claim(question)
        found, values = options(self._options(question))
        item = dict(base, code=code, type=kind, options=found)
        if question.get("other") == "Y":
            item["other"] = self.texts.constant("Sonstiges:", "Other:")
            values["-oth-"] = "other"
        if question["type"] == "O":
            self.report.dropped.append(_("question %(question)s: the comment field of a list with comment") % {"question": question["title"]})
        self.targets[question["title"]] = Target(code, "choice", values)
        return item

    def _multiple(self, question, base):
        code = self._claim(question)
        subs = self.children[question["qid"]]
        found, values = options([(sub["title"], self._question_text(sub)) for sub in subs])
        item = dict(base, code=code, type="multiple_choice", options=found)
        for raw, option in values.items():
            self.targets[f"{question['title']}_{raw}"] = Target(code, "option", option=option)
        if question.get("other") == "Y":
            item["other"] = self.texts.constant("Sonstiges:", "Other:")
            self.targets[f"{question['title']}_other"] = Target(code, "option", option="other")
        if question["type"] == "P":
            self.report.dropped.append(_("question %(question)s: the comment fields of multiple choice with comments")
                                       % {"question": question["title"]})
        self.targets[question["title"]] = Target(code, "multi", values)
        return item

    def _array(self, question, base):
        """5-point and 5/7-answer flexible arrays become Likert matrices; others one choice item per row."""
        subs = [sub for sub in self.children[question["qid"]] if (sub.get("scale_id") or "0") == "0"]
        kind = question["type"]
        if kind in FIXED_ARRAYS:
            raws = [(raw, self.texts.constant(de, en)) for raw, de, en in FIXED_ARRAYS[kind]]
        elif kind in ("A", "B"):
            raws = [(str(number), label) for number, label in enumerate(self._numbered(5 if kind == "A" else 10), start=1)]
        else:
            raws = self._options(question)
        if len(raws) in (5, 7) and kind in ("A", "F", "H"):
            code = self._claim(question)
            values = {raw: position for position, (raw, _label) in enumerate(raws, start=1)}
            rows = []
            for sub in subs:
                row_code = self._claim(question, sub)
                self.targets[f"{question['title']}_{sub['title']}"] = Target(row_code, "number", values)
                rows.append({"code": row_code, "text": self._question_text(sub)})
            return [dict(base, code=code, type="likert_matrix", points=len(raws), labels=[label for _raw, label in raws],
                         rows=rows)]
        self.report.notes.append(_("question %(question)s: an array with %(count)s answers became one single choice per row "
                                   "(Uptake matrices have 5 or 7 points)") % {"question": question["title"], "count": len(raws)})
        items = []
        for sub in subs:
            row_code = self._claim(question, sub)
            found, values = options(raws)
            self.targets[f"{question['title']}_{sub['title']}"] = Target(row_code, "choice", values)
            text = {language: f"{base['text'][language]} [{label}]" for language, label in self._question_text(sub).items()}
            items.append(dict(base, code=row_code, type="single_choice", text=text, options=found))
        return items

    def _numbered(self, points):
        return [self.texts.constant(str(number), str(number)) for number in range(1, points + 1)]

    def _numbers(self, question, base):
        attributes = self.attributes.get(question["qid"], {})
        limits = {key: float(attributes[name]) for key, name in (("min", "min_num_value_n"), ("max", "max_num_value_n"))
                  if re.fullmatch(r"-?\d+(\.\d+)?", attributes.get(name, "").strip())}
        settings = dict(limits, integer=attributes.get("num_value_int_only") == "1")
        if question["type"] == "N":
            code = self._claim(question)
            self.targets[question["title"]] = Target(code, "number")
            return [dict(base, code=code, type="number", **settings)]
        return [self._sub_item(question, sub, base, "number", settings) for sub in self.children[question["qid"]]]

    def _texts(self, question, base):
        kind = question["type"]
        if kind == "D":
            self.report.notes.append(_("question %(question)s: a date question became a text item (Uptake has no date type); "
                                       "the help asks for YYYY-MM-DD") % {"question": question["title"]})
            base = dict(base, help=self.texts.constant("Datum als JJJJ-MM-TT", "Date as YYYY-MM-DD"))
        item_type = "textarea" if kind in ("T", "U") else "text"
        if kind != "Q":
            code = self._claim(question)
            self.targets[question["title"]] = Target(code, "text")
            return [dict(base, code=code, type=item_type)]
        return [self._sub_item(question, sub, base, "text", {}) for sub in self.children[question["qid"]]]

    def _sub_item(self, question, sub, base, item_type, settings):
        code = self._claim(question, sub)
        self.targets[f"{question['title']}_{sub['title']}"] = Target(code, "number" if item_type == "number" else "text")
        text = {language: f"{base['text'][language]} [{label}]" for language, label in self._question_text(sub).items()}
        return dict(base, code=code, type=item_type, text=text, **settings)
