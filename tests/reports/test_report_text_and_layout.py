"""Both demo reports in both languages, read back from the PDF as a reviewer or a director reads them.

Words and their boxes come from poppler (`pdftotext -bbox`), the running text from `pdftotext -layout`:
what is checked is what is printed, not what the templates meant to print.
"""

import html
import re
import subprocess
from dataclasses import dataclass

import pytest

from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
MARGIN_X, MARGIN_Y = 21 * MM, 24 * MM  # templates/reports/pdf/base.html: @page margin
TOLERANCE = 1.0  # points: glyph boxes may reach a hair beyond their line box

# Phrases that give away English (or the analysis's own words) in a German report.
ENGLISH_IN_GERMAN = ["missing code", "not answered", "-adjusted p", "holm-adjusted", "95% CI", "vendor list",
                     "Availability quality", " by ", "grade ", "not computable", "interim report", "Data as of",
                     "Report built on", "Respondents per analysis", "The wave was", "Linking answers", "Weekly active",
                     "Active users", "Tokens (millions)", "Intercept", "Factor loadings", "Topics in"]
GERMAN_IN_ENGLISH = ["Anmerkung", "Tabelle ", "Abbildung ", "der gültigen", "nicht beantwortet", "Zwischenbericht",
                     "Datenstand", "Aktive Nutzende"]
# What the analysis says to its operators (the analysis log beside the PDF), never to readers.
INTERNAL = ["not computable", "shown as null", "p_adj", "could not be computed", "NMF stopped", "dropped constant",
            "Hinweise aus der Auswertung", "Analysis notes", "no variance or too few values"]
# Columns whose rows are exclusive categories: their percentages add up to 100.
EXCLUSIVE_PERCENT_HEADERS = ("% of valid", "% der gültigen")


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list


def pages(pdf):
    """Every page with its word boxes, in reading order as poppler gives them."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout
    found = []
    for number, match in enumerate(re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xhtml, re.S), 1):
        words = [Word(number, *map(float, w[:4]), html.unescape(w[4])) for w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', match.group(3))]
        found.append(Page(number, float(match.group(1)), float(match.group(2)), words))
    return found


def body_words(page):
    """Words inside the page's top and bottom margin are the running head and the page number."""
    return [w for w in page.words if w.y0 >= MARGIN_Y - TOLERANCE and w.y1 <= page.height - MARGIN_Y + TOLERANCE]


def running_words(page):
    return [w for w in page.words if w not in body_words(page)]


def flowing(text):
    """The text as one line: words hyphenated at a line end joined again."""
    return " ".join(re.sub(r"[‐-]\n\s*(?=[a-zäöüß])", "", text).split())


def before_appendix_b(text):
    """The body up to the instrument appendix, which reproduces the respondents' own wording."""
    cut = min(i for i in (text.find("Appendix B:"), text.find("Anhang B:"), len(text)) if i >= 0)
    return text[:cut]


@pytest.fixture(scope="module")
def built(make_demo_reports):
    return make_demo_reports


@pytest.fixture(scope="module")
def reports(built):
    return built[0]


@pytest.fixture(scope="module")
def variable_names(reports):
    """Every codebook variable, derived score and plan name the analysis knew (results.json meta.labels)."""
    import json

    meta = json.loads((reports["publication", "en"].assets / "results.json").read_text(encoding="utf-8"))["meta"]
    names = set(meta["labels"]["variables"]) | {"speeder", "any_flag", "straightliner_sus", "sus_score"}
    # Names that are also plain words of the report's text ("role", "wishes") cannot tell a code from prose;
    # codes with an underscore can, and are the ones the issue found on the page.
    return sorted(name for name in names if "_" in name)


KINDS = [("publication", "en"), ("publication", "de"), ("strategy", "en"), ("strategy", "de")]


@pytest.mark.parametrize("kind, language", KINDS)
def test_no_variable_code_and_no_internal_message_in_the_body(reports, variable_names, kind, language):
    text = flowing(before_appendix_b(pdf_text(reports[kind, language].pdf)))
    codes = [name for name in variable_names if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text)]
    assert codes == []
    assert [phrase for phrase in INTERNAL if phrase in text] == []


def test_the_analysis_messages_go_to_the_log_beside_the_pdf(reports):
    pdf = reports["publication", "de"].pdf
    log = pdf.with_name(pdf.name + ".analysis-log.txt").read_text(encoding="utf-8")
    assert "not computable" in log and "comparisons/data_kinds__none__by__role" in log


@pytest.mark.parametrize("kind", ["publication", "strategy"])
def test_a_german_report_has_no_english_and_an_english_report_no_german(reports, kind):
    german = flowing(before_appendix_b(pdf_text(reports[kind, "de"].pdf)))
    english = flowing(before_appendix_b(pdf_text(reports[kind, "en"].pdf)))
    assert [phrase for phrase in ENGLISH_IN_GERMAN if phrase in german] == []
    assert [phrase for phrase in GERMAN_IN_ENGLISH if phrase in english] == []


def test_numbers_follow_the_report_language(reports):
    german = flowing(pdf_text(reports["publication", "de"].pdf))
    english = flowing(pdf_text(reports["publication", "en"].pdf))
    # one decimal throughout (mean, SD and CI alike: issue 10)
    assert re.search(r"SUS M = \d+,\d, SD = \d+,\d, 95%-KI \[\d+,\d; \d+,\d\], N = \d+; Note", german)
    assert re.search(r"SUS M = \d+\.\d, SD = \d+\.\d, 95% CI \[\d+\.\d, \d+\.\d\], N = \d+; grade", english)
    assert "Holm-adjustiertes p" in german and "Holm-adjusted p" in english
    strategy = flowing(pdf_text(reports["strategy", "de"].pdf))
    assert not re.search(r"(?<![\w.,])\d{5,}(?![\w.,])", strategy), "five digits or more without a thousands separator"


@pytest.mark.parametrize("kind, language", KINDS)
def test_no_word_outside_the_content_box_and_none_over_another(reports, kind, language):
    for page in pages(reports[kind, language].pdf):
        # The publication's cover band is printed edge to edge on purpose.
        left = 10 * MM if kind == "publication" and page.number == 1 else MARGIN_X
        outside = [w.text for w in page.words if w.x0 < left - TOLERANCE or w.x1 > page.width - MARGIN_X + TOLERANCE]
        assert outside == [], f"page {page.number}: words past the side margins"
        head = " ".join(w.text for w in running_words(page))
        assert re.fullmatch(r"(.*Universitätsklinikum \(Demo\).*)?\s*(\d+ / \d+)?", head) or page.number == 1, \
            f"page {page.number}: body text in the top or bottom margin: {head!r}"
        words = sorted(body_words(page), key=lambda w: w.x0)
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b.x0 >= a.x1 - TOLERANCE:
                    break
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
                assert not (overlap_x > TOLERANCE and overlap_y > TOLERANCE
                            and overlap_x * overlap_y > 0.2 * smaller), \
                    f"page {page.number}: {a.text!r} overprints {b.text!r}"


def exclusive_percent_columns(text):
    """Per table with a "% of valid" column: the percentages of its rows, or None when a cell is suppressed."""
    tables, current = [], None
    for line in text.splitlines():
        if any(header in line for header in EXCLUSIVE_PERCENT_HEADERS) and line.strip().startswith(("Answer", "Antwort")):
            current = []
            tables.append(current)
            continue
        if current is None:
            continue
        cells = re.findall(r"(<\d+|\(s\)|–|\d+(?:[.,]\d)?\s%)\s*$", line)
        if not line.strip():
            continue  # poppler's layout leaves a blank line under the header
        if not cells:
            current = None
            continue
        if cells[0].startswith(("<", "(s)")):  # a suppressed share, small or secondary: the rest cannot add up
            tables[-1] = None
            current = None
        elif cells[0] != "–":
            current.append(float(cells[0].rstrip(" %").replace(",", ".")))
    return tables


@pytest.mark.parametrize("kind, language", KINDS)
def test_percentages_of_exclusive_rows_add_up_to_100(reports, kind, language):
    text = pdf_text(reports[kind, language].pdf)
    columns = [column for column in exclusive_percent_columns(text) if column]
    if kind == "publication":
        assert len(columns) >= 5  # role, frequency, ...: the check has tables to check
    for column in columns:
        assert sum(column) == pytest.approx(100, abs=0.5), column
    for promoters, passives, detractors in re.findall(
            r"Net Promoter Score\s+\d+\s+-?\d+\s+\[.*?\]\s+([\d.,]+) %\s+([\d.,]+) %\s+([\d.,]+) %", text):
        shares = [float(v.replace(",", ".")) for v in (promoters, passives, detractors)]
        assert sum(shares) == pytest.approx(100, abs=0.5), shares


@pytest.mark.parametrize("kind, language", KINDS)
def test_captions_stay_with_their_figure_or_table(reports, kind, language):
    label = {"en": ("Table", "Figure"), "de": ("Tabelle", "Abbildung")}[language]
    for page in pages(reports[kind, language].pdf):
        words = body_words(page)
        for i, word in enumerate(words[:-1]):
            if word.text in label and re.fullmatch(r"\d+", words[i + 1].text) and word.x0 < MARGIN_X + 2:
                below = {round(w.y0) for w in words if w.y0 > word.y1 + 1}
                assert len(below) >= 3, f"page {page.number}: {word.text} {words[i + 1].text} is left at the page end"


@pytest.mark.parametrize("kind, language", KINDS)
def test_no_page_is_less_than_a_quarter_full_except_the_last_of_a_section(reports, kind, language):
    found = pages(reports[kind, language].pdf)
    for page, following in zip(found[1:-1], found[2:]):
        words = body_words(page)
        used = (max(w.y1 for w in words) - MARGIN_Y) / (page.height - 2 * MARGIN_Y) if words else 0
        first = body_words(following)[:1]
        starts_section = bool(first) and first[0].y1 - first[0].y0 > 15  # an h1 (16 pt) opens the next page
        assert used >= 0.25 or starts_section, f"page {page.number} is {used:.0%} full"


def test_the_methods_state_the_linkage_numbers_of_the_export(built):
    reports, linkage = built
    text = flowing(pdf_text(reports["publication", "en"].pdf))
    assert (f"which {linkage['consenting_respondents']} respondents with a completed questionnaire gave; "
            f"the usage of {linkage['respondents_linked']} of them was found in the platform logs") in text
    assert f"{linkage['consenting_without_usage']} had no recorded usage" in text
    german = flowing(pdf_text(reports["publication", "de"].pdf))
    assert (f"die {linkage['consenting_respondents']} Teilnehmende mit abgeschlossenem Fragebogen gaben; "
            f"für {linkage['respondents_linked']} von ihnen") in german


def test_the_cover_says_interim_while_the_wave_is_open_with_build_date_and_data_cut_off(reports):
    cover = flowing(pdf_text(reports["publication", "en"].pdf).split("\f")[0])
    assert "interim report: fieldwork still running" in cover  # the demo wave closes after today
    assert "Data as of" in cover and "Report built on" in cover
    assert "Zwischenbericht" in flowing(pdf_text(reports["strategy", "de"].pdf).split("\f")[0])


def test_nps_shares_are_percentages_of_the_respondents(reports):
    import json

    results = json.loads((reports["publication", "en"].assets / "results.json").read_text(encoding="utf-8"))
    row = next(r for r in results["results"] if r["id"] == "scores/nps")["table"][0]
    expected = f"{row['promoters'] / row['n'] * 100:.1f} %"
    assert re.search(rf"Net Promoter Score\s+{row['n']}\s+.*?\s{re.escape(expected)}",
                     pdf_text(reports["publication", "en"].pdf))


def test_invitation_links_are_not_suppressed_like_respondents(reports):
    text = flowing(pdf_text(reports["publication", "en"].pdf))
    # The demo wave has one link: it is printed as 1, in the singular, not as "<5" (issue 22, point 8).
    assert re.search(r"Access was closed: \d+ personal invitation (links were|link was) created", text)
