"""A report names a method only where it shows the method's result (reports.claims): read back from the
demo publication reports `make demo` builds, in both languages."""

import json
import re
import subprocess

import pytest

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de"]

# A method named anywhere in the report -> what must then be on a page: the title of the table with its
# result, or the words of its result sentence. Written from the reader's side, not from the ledger.
EVIDENCE = {
    "en": {
        "Spearman": "Spearman correlations of the scales with platform usage",
        "eighted estimates": "Weighted beside unweighted estimates",
        "Dunn": "Pairwise comparisons (Dunn's test)",
        "Kruskal–Wallis": "H(",
        "Mann–Whitney": "U =",
        "Brant": "Brant test of proportional odds χ²",
        "standardised mean differences": "Respondents compared with nonrespondents",
        "personas": "Usage personas: stability and silhouette by number of clusters",
        "non-negative matrix factorisation": "Topics in the answers to",
        "parallel analysis": "Factor loadings",
    },
    "de": {
        "Spearman": "Spearman-Korrelationen der Skalen mit der Plattformnutzung",
        "Gewichtete Schätzungen": "Gewichtete neben ungewichteten Schätzungen",
        "Dunn": "Paarvergleiche (Dunn-Test)",
        "Kruskal-Wallis": "H(",
        "Mann-Whitney": "U =",
        "Brant": "Brant-Test auf proportionale Odds χ²",
        "standardisierten Mittelwertdifferenzen": "Teilnehmende im Vergleich mit Nichtteilnehmenden",
        "Personas": "Nutzungspersonas: Stabilität und Silhouette nach Zahl der Cluster",
        "Faktorisierung nichtnegativer Matrizen": "Themen in den Antworten zu",
        "Parallelanalyse": "Faktorladungen",
    },
}


# The A4 page and its top and bottom margins (templates/reports/pdf/base.html, @page), in points, less a little
# for glyphs reaching above their line box.
PAGE_HEIGHT, MARGIN_Y = 841.89, 24 * 72 / 25.4 - 2


def reading_text(pdf):
    """The PDF's body text in reading order (each table cell whole), hyphenated line ends joined, as one line.

    The running head and the page number are cropped away: a sentence that runs on to the next page is
    still one sentence, not one broken by "2 / 50 Institution Survey report"."""
    crop = ["-x", "0", "-y", f"{MARGIN_Y:.0f}", "-W", "1000", "-H", f"{PAGE_HEIGHT - 2 * MARGIN_Y:.0f}"]
    text = subprocess.run(["pdftotext", *crop, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(re.sub(r"(?<=[a-zäöüß])-\n(?=[a-zäöüß])", "", text).split())


def unbroken(text):
    """Text without spaces and hyphens, so that words broken across lines (WeasyPrint hyphenates with U+2010)
    compare equal to the words the ledger recorded."""
    return re.sub(r"[\s\-\u2010\u00ad]", "", text)


def before_appendix_b(text):
    cut = [i for i in (text.find("Appendix B:"), text.find("Anhang B:")) if i >= 0]
    return text[:min(cut)] if cut else text


@pytest.fixture(scope="module")
def publications(make_demo_reports):
    return {language: make_demo_reports[0]["publication", language] for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_named_method_has_its_table_or_sentence(publications, language):
    text = before_appendix_b(reading_text(publications[language].pdf))
    unshown = {method: evidence for method, evidence in EVIDENCE[language].items()
               if method in text and evidence not in text}
    assert unshown == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_claim_of_the_ledger_is_printed_beside_its_result(publications, language):
    report = publications[language]
    ledger = json.loads((report.assets / "claims.json").read_text(encoding="utf-8"))
    text = reading_text(report.pdf)
    assert len(ledger["claims"]) >= 10
    page = unbroken(text)
    missing = [claim for claim in ledger["claims"]
               if unbroken(claim["shown_as"])[:40] not in page or unbroken(claim["method"])[:25] not in page]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_cherries_claims_weighting_only_with_the_weighted_table(publications, language):
    text = reading_text(publications[language].pdf)
    claimed = {"en": "Weighted estimates reported beside unweighted ones",
               "de": "Gewichtete Schätzungen neben ungewichteten berichtet"}[language]
    table = EVIDENCE[language]["eighted estimates" if language == "en" else "Gewichtete Schätzungen"]
    assert (claimed in text) == (table in text)


# The analysis's English words that reached the German report before (issue 22, point 6).
ENGLISH_SENTENCES = ["Proportional-odds model", "Linear model", "family of", "English edition", "English version",
                     "rank-biserial", "resamples", "likelihood-ratio", "adjusted R²", "SEs)", "How p was computed",
                     "Weighted means", "Spearman's rank correlation", "exact when both groups"]


def test_the_german_report_is_german_throughout(publications):
    text = before_appendix_b(reading_text(publications["de"].pdf))
    assert [phrase for phrase in ENGLISH_SENTENCES if phrase in text] == []
    assert re.search(r"R² = ,\d\d", text)  # model sentences with German decimal commas


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_name_per_scale_and_correct_plurals(publications, language):
    text = reading_text(publications[language].pdf)
    assert "(TAM)" not in text and "(UTAUT)" in text
    assert not re.search(r"\b1 (personal invitation links|persönliche Einladungslinks)", text)


def test_families_reference_categories_and_standard_errors_are_stated(publications):
    # Issue 22, point 7: the families were never defined, a planned family shrank without a word, the linear
    # model named neither its reference category nor its standard errors. Point 8: a Monte Carlo test is
    # not called exact.
    text = before_appendix_b(reading_text(publications["en"].pdf))
    assert re.search(r"Family 1 \(p adjusted with Holm over its \d+ tests\): \S", text)
    assert re.search(r"\d+ of \d+ planned tests had too few answers for a test and are not in the family: \S", text)
    assert "Reference category of Frequency of use: " in text and "(HC3 SEs)" in text
    assert "Fisher–Freeman–Halton test with a Monte Carlo p" in text and "Fisher's exact test" not in text
