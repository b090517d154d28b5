"""What the questionnaire importers share: codes, texts per language, the report, pages and conditions.

Each importer reads its file into draft pages (item dicts as in the YAML format, plus the source's
condition under `_logic`) and a map from source variable names to Targets; `assemble` translates
the conditions, splits a page where a condition uses an answer from the same page (Uptake decides
conditions when a page is shown), and counts what came across for the ConversionReport.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf.locale import LANG_INFO
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.importers.expressions import Target, Untranslatable, is_always, referenced_items, translate
from surveys.instruments import InstrumentError
from surveys.models import CODE_LENGTH

SURVEY_LANGUAGES = ("de", "en")
PLACEHOLDERS = {
    "information": {
        "de": "Bitte ergänzen: Informationen für Teilnehmende (Zweck, Freiwilligkeit, Dauer, Datenschutz, Widerruf).",
        "en": "To be written: participant information (purpose, voluntariness, duration, data protection, withdrawal).",
    },
    "consent": {"de": "Ich habe die Informationen gelesen und bin mit der Teilnahme einverstanden.",
                "en": "I have read the information and agree to take part."},
    "thanks": {"de": "Vielen Dank für Ihre Teilnahme!", "en": "Thank you for taking part!"},
}
PLACEHOLDER_PARTS = {"information": gettext_lazy("participant information"), "consent": gettext_lazy("consent"),
                     "thanks": gettext_lazy("thanks")}


class SourceFormatError(InstrumentError):
    """A questionnaire file that cannot be read; one line naming the file and the place."""


@dataclass
class ConversionReport:
    """What came across from the source file, what was translated, kept verbatim or dropped."""

    source: str
    source_format: str
    languages: list[str] = field(default_factory=list)
    pages: int = 0
    items: Counter = field(default_factory=Counter)
    matrix_rows: int = 0
    translated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines, in the active language (the workspace's, or English on the command line)."""
        kinds = ", ".join(f"{count} {ITEM_TYPE_NAMES.get(kind, kind)}" for kind, count in sorted(self.items.items()))
        rows = _(" (%(count)s matrix rows)") % {"count": self.matrix_rows} if self.matrix_rows else ""
        lines = [
            f"{self.source} ({self.source_format}):",
            "  " + _("pages: %(count)s") % {"count": self.pages},
            "  " + _("items: %(count)s: %(kinds)s") % {"count": sum(self.items.values()), "kinds": kinds or _("none")} + rows,
            "  " + _("languages in the file: %(languages)s") % {"languages": ", ".join(self.languages) or _("none stated")},
            "  " + _("conditions translated: %(count)s") % {"count": len(self.translated)},
            "  " + _("conditions kept verbatim (not evaluated, see “untranslated:”): %(count)s") % {"count": len(self.kept)},
            "  " + _("dropped: %(count)s") % {"count": len(self.dropped)},
        ]
        for title, entries in ((_("translated"), self.translated), (_("WARNING kept verbatim"), self.kept),
                               (_("WARNING dropped"), self.dropped), (_("note"), self.notes)):
            lines += [f"  {title}: {entry}" for entry in entries]
        return lines


ITEM_TYPE_NAMES = {
    "single_choice": gettext_lazy("single choice"), "multiple_choice": gettext_lazy("multiple choice"),
    "dropdown": gettext_lazy("drop-down list"), "likert": gettext_lazy("rating scale"),
    "likert_matrix": gettext_lazy("rating matrix"), "scale_0_10": gettext_lazy("0–10 scale"),
    "number": gettext_lazy("number"), "text": gettext_lazy("short text"), "textarea": gettext_lazy("long text"),
    "include": gettext_lazy("validated instrument"),
}


# --- codes and texts -------------------------------------------------------------------------


def uptake_code(raw: object, prefix: str = "q") -> str:
    """A source name as an Uptake code: lower case, letters, digits and _, starting with a letter."""
    code = re.sub(r"[^a-z0-9_]+", "_", str(raw).strip().lower()).strip("_")
    if not code or not code[0].isalpha():
        code = f"{prefix}{code}" if code[:1].isdigit() or not code else f"{prefix}_{code}"
    return code[:CODE_LENGTH]


def numbered_variant(base: str, taken, length: int = CODE_LENGTH, separator: str = "_") -> str:
    """`base` if `taken(base)` is false, else the first free `base_2`, `base_3` ..., cut to stay within `length`.

    The one rule for a code, an instrument code or a slug that is already in use.
    """
    candidate, number = base, 2
    while taken(candidate):
        suffix = f"{separator}{number}"
        candidate, number = base[:length - len(suffix)] + suffix, number + 1
    return candidate


class Codes:
    """Hands out codes unique within one namespace (items, pages), remembering source names."""

    def __init__(self):
        self.used = set()

    def claim(self, raw, prefix="q"):
        code = numbered_variant(uptake_code(raw, prefix), self.used.__contains__)
        self.used.add(code)
        return code


def options(raws: list[tuple[str, dict]]) -> tuple[list[dict], dict[str, str]]:
    """(option dicts, {source code: option code}) for [(source code, label)].

    Numeric source codes keep their number as the option's `value`, so exports carry the source's numbers.
    """
    codes = Codes()
    coded = [codes.claim(raw, prefix="c") for raw, _label in raws]
    numbers = [_integer(raw) for raw, _label in raws]
    numbered = all(number is not None for number in numbers) and len(set(numbers)) == len(numbers)
    found = [{"code": code, "label": label, **({"value": number} if numbered else {})}
             for code, (_raw, label), number in zip(coded, raws, numbers)]
    return found, {raw: code for (raw, _label), code in zip(raws, coded)}


def _integer(raw):
    try:
        number = float(str(raw).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def language_code(raw: str | None) -> str | None:
    """Uptake's language code for a source language code or name ('de-informal', 'German (de)', 'english')."""
    raw = str(raw or "").strip()
    bracketed = re.search(r"\(([A-Za-z_-]+)\)\s*$", raw)
    candidate = (bracketed.group(1) if bracketed else raw).lower().replace("_", "-")
    if candidate in LANG_INFO and "code" in LANG_INFO[candidate]:
        return candidate
    if candidate.split("-")[0] in LANG_INFO:
        return candidate.split("-")[0]
    name = re.sub(r"\s*\(.*\)\s*$", "", raw).strip().lower()
    for code, info in LANG_INFO.items():
        if name and name in (info.get("name", "").lower(), info.get("name_local", "").lower()):
            return code
    return None


def plain(value: object) -> str:
    """Text as respondents should read it: HTML tags removed, entities decoded, spaces tidied."""
    text = html.unescape(strip_tags(str(value or "").replace("<br />", "\n").replace("<br>", "\n")))
    return re.sub(r"[ \t]+", " ", text).strip()


class Texts:
    """Builds Uptake texts from per-language source texts, keeping every language of the file.

    German and English are required by Uptake; a file without one of them gets the base language's
    text in its place, which the report says so the researcher can translate before fielding.
    """

    def __init__(self, languages, base, report):
        self.languages = [language for language in dict.fromkeys(languages) if language]
        self.base = base if base in self.languages else (self.languages[0] if self.languages else "en")
        report.languages = list(self.languages)
        for language, name in (("de", gettext_lazy("German")), ("en", gettext_lazy("English"))):
            if language not in self.languages:
                report.notes.append(_("%(name)s (%(language)s) is not in the file: the %(base)s texts stand in for it; "
                                      "translate them before fielding") % {"name": name, "language": language, "base": self.base})

    def __call__(self, values, fallback=None):
        """A text dict (de, en and the file's other languages), or None when there is no text at all."""
        values = {language: plain(text) for language, text in values.items()}
        base = values.get(self.base) or next((text for text in values.values() if text), "") or plain(fallback)
        if not base:
            return None
        result = {language: values.get(language) or base for language in self.languages}
        for language in SURVEY_LANGUAGES:
            result.setdefault(language, base)
        return {"de": result.pop("de"), "en": result.pop("en"), **result}

    def constant(self, de, en):
        """A fixed text of the importer (e.g. Yes/No) in German, English and, as English, other languages."""
        return {"de": de, "en": en, **{language: en for language in self.languages if language not in SURVEY_LANGUAGES}}


def placeholder(texts, part, report):
    report.notes.append(_("%(part)s: not in the file, a placeholder stands in; write it before fielding")
                        % {"part": PLACEHOLDER_PARTS[part]})
    return texts.constant(**PLACEHOLDERS[part])


# --- pages and conditions --------------------------------------------------------------------


def assemble(pages: list[dict], targets: dict[str, Target], dialect: str, report: ConversionReport) -> list[dict]:
    """Final pages: conditions translated (or kept verbatim), pages split where needed, counted."""
    resolve = _resolver(targets)
    page_codes, final, seen = Codes(), [], set()
    carried = None  # the intro of a page without questions, shown on the next page
    for draft in pages:
        if not draft["items"]:
            carried = joined_texts(carried, draft.get("intro"))
            if draft.get("intro"):
                report.notes.append(_("page %(page)s: only text, no question; its text opens the next page") % {"page": draft["code"]})
            continue
        page = {key: value for key, value in draft.items() if key not in ("items", "_logic")}
        if carried:
            page["intro"], carried = joined_texts(carried, page.get("intro")), None
        _apply_logic(page, draft.get("_logic", {}), _("page %(page)s") % {"page": page["code"]}, dialect, resolve, report,
                     lambda condition: set(referenced_items(condition)) <= seen)
        page["code"] = page_codes.claim(page["code"], prefix="p")
        current = dict(page, items=[])
        for draft_item in draft["items"]:
            item = {key: value for key, value in draft_item.items() if key != "_logic"}
            on_page = {code for existing in current["items"] for code in _variables(existing)}
            _apply_logic(item, draft_item.get("_logic", {}), _("item %(item)s") % {"item": item["code"]}, dialect, resolve, report,
                         lambda condition: set(referenced_items(condition)) <= seen | on_page)
            _not_required_when_unconditional(item, page, report)
            if item.get("show_if") and set(referenced_items(item["show_if"])) & on_page:
                report.notes.append(_("page %(page)s split before %(item)s: its condition uses an answer from the same page, "
                                      "which Uptake asks for first") % {"page": page["code"], "item": item["code"]})
                final.append(current)
                seen |= on_page
                current = dict(page, code=page_codes.claim(page["code"]), items=[])
            current["items"].append(item)
        final.append(current)
        seen |= {code for existing in current["items"] for code in _variables(existing)}
    if carried and final:
        final[-1]["intro"] = joined_texts(final[-1].get("intro"), carried)
    elif carried:
        report.dropped.append(_("text without any question: an instrument needs at least one question"))
    count_items(final, report)
    return final


def joined_texts(first: dict | None, second: dict | None) -> dict | None:
    """Two texts (e.g. page intros) as one, paragraphs in order; either may be None."""
    if not first or not second:
        return first or second
    return {language: f"{first[language]}\n\n{second.get(language, second['en'])}" for language in first}


def _apply_logic(node, logic, where, dialect, resolve, report, is_earlier):
    for key, expression in logic.items():
        if is_always(expression):
            continue
        try:
            condition = translate(expression, dialect, resolve)
            if not is_earlier(condition):
                raise Untranslatable(_("uses an answer that comes later"))
        except Untranslatable as reason:
            node.setdefault("untranslated", {})[key] = expression
            report.kept.append(f"{where}: {key} {expression!r} ({reason})")
            continue
        node["show_if"] = condition
        report.translated.append(f"{where}: {expression}")


def _not_required_when_unconditional(item, page, report):
    """An item whose (page's) condition stays untranslated is shown to everyone: it must not block anyone."""
    if item.get("required") and (item.get("untranslated", {}).keys() - {"constraint", "choice_filter"} or
                                 page.get("untranslated")):
        item["required"] = False
        report.notes.append(_("item %(item)s: not required, because its condition could not be translated and it is "
                              "shown to everyone until you write a show_if") % {"item": item["code"]})


def _resolver(targets):
    def resolve(name):
        if name not in targets:
            raise Untranslatable(_("%(name)r is not a question that was imported") % {"name": name})
        return targets[name]
    return resolve


def _variables(item):
    return [item["code"], *(row["code"] for row in item.get("rows", []))]


def count_items(pages, report):
    report.pages = len(pages)
    for page in pages:
        for item in page["items"]:
            report.items[item.get("type", "include")] += 1
            report.matrix_rows += len(item.get("rows", []))


def definition(code, title, information, consent, thanks, pages):
    return {"code": code, "title": title, "information": information, "consent": {"agree": consent},
            "thanks": thanks, "pages": pages}

