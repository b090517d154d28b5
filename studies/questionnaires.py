"""A study's questionnaire: where it starts (a file, the demo, a validated instrument), its versions, its files.

A study holds one questionnaire and its versions. The first one names it: under the code the file
states when no other questionnaire has that code, else under the first free variant (`code_2` ...),
so the demo questionnaire can start any number of studies. Every later upload or edit becomes the
next version of the study's questionnaire, whatever code the file states; the report says so.
"""

import io
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.models import Study
from surveys.demo import DEMO_INSTRUMENT
from surveys.importers.common import PLACEHOLDERS, ConversionReport, count_items
from surveys.instruments import ChoiceItem, Likert, LikertMatrix, Scale010
from surveys.instrument_files import (
    dump_yaml, expand, library_codes, library_instrument, parse_instrument_yaml, read_instrument_file, validate_definition,
)
from surveys.services import ImportResult, free_instrument_code, recoded, store_instrument
from surveys.xlsform_export import write_xlsform

DEMO_TEMPLATE = "demo"


@dataclass(frozen=True)
class Template:
    name: str
    label: str


def templates() -> list[Template]:
    """What a new study can start from: the demo questionnaire and each instrument of the library.

    Labelled "from the library", not "validated": the consortium core module is a library file too
    and is not a validated scale. Names in the language of the page (called per request).
    """
    language = "de" if translation.get_language() == "de" else "en"
    found = [Template(DEMO_TEMPLATE, _("Demo questionnaire: AI platform user survey"))]
    for code in library_codes():
        name = getattr(library_instrument(code).name, language)
        found.append(Template(code, _("From the instrument library: %(name)s") % {"name": name}))
    return found


def template_questionnaire(name: str):
    """(Instrument, definition) of a template: the demo file, or one page holding a library instrument.

    A library instrument comes with placeholder texts for information, consent and thanks that the
    researcher writes before fielding, as imports from other tools do.
    """
    if name == DEMO_TEMPLATE:
        return read_instrument_file(DEMO_INSTRUMENT)
    library = library_instrument(name)
    if library is None:
        raise ValueError(f"unknown template {name!r}")
    definition = {
        "code": name, "title": {"de": library.name.de, "en": library.name.en},
        "information": PLACEHOLDERS["information"], "consent": {"agree": PLACEHOLDERS["consent"]},
        "thanks": PLACEHOLDERS["thanks"], "pages": [{"code": name, "items": [{"include": name}]}],
    }
    spec = validate_definition(definition, source=name)
    return spec, spec.model_dump(mode="json", exclude_unset=True, by_alias=True)


def start_from_template(study: Study, name: str) -> ImportResult:
    spec, definition = template_questionnaire(name)
    report = ConversionReport(source=name, source_format="yaml", languages=spec.title.languages)
    count_items(definition["pages"], report)
    return store_in_study(study, spec, definition, report, source_name=str(_("template: %(name)s") % {"name": name}))


@transaction.atomic
def store_in_study(study: Study, spec, definition, report: ConversionReport, source_name: str) -> ImportResult:
    """Store a converted questionnaire as the study's questionnaire (its first version or the next one)."""
    study = Study.objects.select_for_update().get(pk=study.pk)
    code = study.instrument.code if study.instrument_id else free_instrument_code(spec.code)
    if code != spec.code:
        report.notes.append(_("the file's code “%(found)s” became “%(code)s”, the code of this study's questionnaire")
                            % {"found": spec.code, "code": code})
        spec, definition = recoded(spec, definition, code)
    result = store_instrument(spec, definition, source_name)
    if study.instrument_id is None:
        study.instrument = result.version.instrument
        study.save(update_fields=["instrument"])
    report.source = source_name
    return result


# --- the questionnaire on paper: the browser editor's preview and the printable PDF ----------------


@dataclass
class PrintedQuestion:
    text: str
    help: str
    conditional: bool
    choices: list[str]  # options, scale points with their labels; empty for free answers
    multiple: bool
    rows: list[str]  # a matrix's statements, each answered on the scale in `choices`
    blank: str  # what a free answer expects ("number", "short text", "long text"); empty for choices


@dataclass
class PrintedPage:
    number: int
    title: str
    intro: str
    conditional: bool
    questions: list[PrintedQuestion]


def page_title(instrument, page, language: str) -> str:
    """What a researcher reads for a page: its title in `language`, else "Page 3" (a page code is for files, not people)."""
    if page.title:
        return page.title.get(language)
    return _("Page %(number)s") % {"number": instrument.pages.index(page) + 1}


def printed_pages(instrument, language: str) -> list[PrintedPage]:
    """Every page and question of a (resolved) instrument in one language, as on paper; conditions are marked, not applied."""
    pages = []
    for number, page in enumerate(instrument.pages, start=1):
        questions = [_printed(instrument, item, language) for item in page.items]
        pages.append(PrintedPage(number, page_title(instrument, page, language), page.intro.get(language) if page.intro else "",
                                 page.show_if is not None, questions))
    return pages


def _printed(instrument, item, language) -> PrintedQuestion:
    text, help_text = item.text.get(language), item.help.get(language) if item.help else ""
    choices, rows, blank = [], [], ""
    if isinstance(item, ChoiceItem):
        choices = [option.label.get(language) for option in item.options]
        choices += [item.other.get(language)] if item.other else []
    elif isinstance(item, (Likert, LikertMatrix)):
        labels = instrument.likert_labels(item)
        choices = [f"{point} – {labels[point - 1].get(language)}" for point in range(1, item.points + 1)]
        choices += [item.not_applicable.get(language)] if item.not_applicable else []
        rows = [row.text.get(language) for row in getattr(item, "rows", [])]
    elif isinstance(item, Scale010):
        choices = [str(point) for point in range(11)]
    else:
        blank = str(FREE_ANSWERS[item.type])
    multiple = isinstance(item, ChoiceItem) and item.type == "multiple_choice"
    return PrintedQuestion(text, help_text, item.show_if is not None, choices, multiple, rows, blank)


FREE_ANSWERS = {"number": gettext_lazy("a number"), "text": gettext_lazy("a short text"),
                "textarea": gettext_lazy("a longer text")}


# --- editing in the browser and downloads ------------------------------------------------------------


def check_edited(text: str):
    """The instrument an edited YAML text describes, with standard instruments written out; raises InstrumentError."""
    spec, _definition = parse_instrument_yaml(text, source=str(_("the questionnaire")))
    return expand(spec)


def save_edited(study: Study, text: str) -> ImportResult:
    """Store the YAML text edited in the browser as the study's next version (or replace an unanswered one)."""
    spec, definition = parse_instrument_yaml(text, source=str(_("the questionnaire")))
    report = ConversionReport(source="", source_format="yaml", languages=spec.title.languages)
    return store_in_study(study, spec, definition, report, source_name=str(_("edited in the browser")))


DOWNLOADS = {
    "yaml": ("application/yaml", "yaml"),
    "xlsform": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


def questionnaire_file(version, kind: str, language: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a version as Uptake YAML, XLSForm or a printable PDF in `language`."""
    content_type, suffix = DOWNLOADS[kind]
    name = f"{version.instrument.code}-v{version.number}{f'-{language}' if kind == 'pdf' else ''}.{suffix}"
    if kind == "yaml":
        return dump_yaml(version.definition).encode("utf-8"), content_type, name
    if kind == "xlsform":
        out = io.BytesIO()
        write_xlsform(version.spec, out)
        return out.getvalue(), content_type, name
    from weasyprint import HTML  # only for this download: web workers serving respondents never load it

    with translation.override(language):
        html = render_to_string("studies/questionnaire_print.html", {
            "version": version, "title": version.spec.title.get(language), "language": language,
            "pages": printed_pages(version.spec, language)})
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(), content_type, name


def _no_fetching(url, *args, **kwargs):
    """The printable questionnaire is self-contained; it loads nothing from anywhere."""
    raise ValueError(f"not fetched: {url}")
