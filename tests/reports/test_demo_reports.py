"""Both reports for the demo wave, read back through poppler as a reader (or a journal's system) would."""

import json
import re
import subprocess

import pytest

from tests.reports.conftest import pdf_info, pdf_objects, pdf_text

pytestmark = pytest.mark.django_db


def results_of(report):
    document = json.loads((report.assets / "results.json").read_text(encoding="utf-8"))
    return {result["id"]: result for result in document["results"]}, document["meta"]


def test_publication_report_has_every_section_in_order(demo_reports):
    text = pdf_text(demo_reports["publication", "en"].pdf)
    headings = ["Methods", "Statistical methods", "Results", "Nonresponse and limitations",
                "Appendix A: CHERRIES checklist", "Appendix B: The instrument as respondents saw it"]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions, dict(zip(headings, positions))
    assert positions == sorted(positions)
    assert "[authors to complete]" in text


def test_publication_numbers_are_those_of_results_json(demo_reports):
    report = demo_reports["publication", "en"]
    results, meta = results_of(report)
    text = pdf_text(report.pdf)
    completed = results["sample/rates"]["table"][0]["completed"]
    sus = results["scores/sus"]["table"][0]
    assert re.search(rf"Completed\s+{completed}\b", text)
    assert f"{meta['responses_analysed']} responses were analysed" in " ".join(text.split())
    assert re.search(rf"System Usability Scale \(0–100\)\s+{sus['n']}\s+{sus['mean']:.1f}\s+{sus['sd']:.1f}", text)
    alpha = results["reliability/sus"]["table"][0]["alpha"]
    assert f"{alpha:.2f}".lstrip("0") in text
    assert meta["software"]["pandas"] in text


def test_small_cells_of_the_demo_are_printed_as_suppressed(demo_reports):
    report = demo_reports["publication", "en"]
    results, _meta = results_of(report)
    text = pdf_text(report.pdf)
    suppressed = [row["label"] for result_id, result in results.items() if result_id.startswith("descriptives/")
                  for row in result.get("table") or [] if row.get("suppressed") and row.get("label")]
    assert suppressed, "the demo wave should have at least one small cell"
    for label in suppressed[:5]:
        assert re.search(rf"{re.escape(label[:40])}.*\s(<5\b|\(s\))", text), label  # primary or secondary suppression
    assert "Cells with fewer than 5 people are shown as “<5” (suppressed)." in " ".join(text.split())


def test_pdf_is_a4_with_title_language_outline_and_embedded_fonts(demo_reports):
    path = demo_reports["publication", "en"].pdf
    info = pdf_info(path)
    assert "A4" in info["Page size"]
    assert info["Title"].strip() == "Survey report: AI platform user survey 2026"  # the instrument title in English
    objects = pdf_objects(path)
    assert b"/Outlines" in objects and b"/Lang (en)" in objects
    assert objects.count(b"/Title") >= 10  # one outline entry per h1-h3 heading, and the document title
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts


def test_page_numbers_are_printed(demo_reports):
    path = demo_reports["publication", "en"].pdf
    pages = int(pdf_info(path)["Pages"])
    assert f"2 / {pages}" in pdf_text(path)


def test_strategy_update_is_two_to_four_pages_with_three_numbered_messages(demo_reports):
    report = demo_reports["strategy", "en"]
    results, _meta = results_of(report)
    text = pdf_text(report.pdf)
    assert 2 <= int(pdf_info(report.pdf)["Pages"]) <= 4
    for heading in ("Key messages", "Adoption", "Use cases", "Data sensitivity", "Satisfaction and reliability",
                    "Cost per 1M tokens"):
        assert heading in text
    sus_mean = results["scores/sus"]["table"][0]["mean"]
    assert f"{sus_mean:.1f}" in text
    assert "is the usability score" in " ".join(text.split())
    assert "No usage data" in text  # platform_logs offers no summary for the demo wave
    assert "first wave of this survey" in " ".join(text.split())


def test_german_reports_use_german_text_and_instrument_wording(demo_reports):
    publication = " ".join(pdf_text(demo_reports["publication", "de"].pdf).split())
    assert "Methoden" in publication and "Anhang A: CHERRIES-Checkliste" in publication
    assert "Wie häufig nutzen Sie die KI-Plattform?" in publication  # the instrument's own German wording
    assert "[von den Autor*innen zu ergänzen]" in publication
    strategy_report = demo_reports["strategy", "de"]
    results, _meta = results_of(strategy_report)
    strategy = " ".join(pdf_text(strategy_report.pdf).split())
    assert "Kernaussagen" in strategy
    assert f"{results['scores/sus']['table'][0]['mean']:.1f}".replace(".", ",") in strategy
    assert b"/Lang (de)" in pdf_objects(strategy_report.pdf)


def test_every_figure_and_table_is_exported_for_the_journal(demo_reports):
    assets = demo_reports["publication", "en"].assets
    figures = sorted(p.name for p in (assets / "figures").iterdir())
    stems = {name.rsplit(".", 1)[0] for name in figures}
    assert stems and all({f"{stem}.svg", f"{stem}.pdf", f"{stem}.png"} <= set(figures) for stem in stems)
    png = next((assets / "figures").glob("*.png"))
    dpi = subprocess.run(["file", str(png)], capture_output=True, text=True).stdout
    assert png.stat().st_size > 10_000, dpi
    tables = {p.suffix for p in (assets / "tables").iterdir()}
    assert tables == {".csv", ".tex"}
    table_1 = (assets / "tables" / "table_01_sample_rates.tex").read_text(encoding="utf-8")
    assert r"\toprule" in table_1 and r"\caption{Participant flow}" in table_1


def test_publication_shows_the_sus_distribution_and_diverging_likert_figures(demo_reports):
    text = " ".join(pdf_text(demo_reports["publication", "en"].pdf).split())
    assert "Distribution of SUS scores with the grade bands" in text
    assert "Answers per item, neutral centred:" in text
    assert "Diverging stacked bars: the lower answers of the scale left of zero" in text


def test_strategy_update_shows_the_use_case_figure(demo_reports):
    text = " ".join(pdf_text(demo_reports["strategy", "en"].pdf).split())
    assert "Use cases, most frequent first" in text
    figures = {p.stem for p in (demo_reports["strategy", "en"].assets / "figures").glob("*.svg")}
    assert any(stem.endswith("_use_cases") for stem in figures), figures
