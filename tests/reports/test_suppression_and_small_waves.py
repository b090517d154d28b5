"""Small cells and small waves: numbers that could identify people never reach the page."""

import json

import pytest
from django.utils import timezone

from reports.render import render_report
from reports.services import build_report
from surveys.models import Response, Wave
from tests.reports.conftest import pdf_info, pdf_text


def write_bundle(directory, rows, analysed=40, threshold=5):
    """A hand-made bundle: one categorical table, as the analysis would write it."""
    (directory / "tables").mkdir(parents=True)
    (directory / "figures").mkdir()
    results = {
        "meta": {"responses_analysed": analysed, "responses_in_file": analysed, "disclosure_threshold": threshold,
                 "inputs": {"data_sha256": "d" * 64, "plan_sha256": "p" * 64}, "seed": 1, "software": {"python": "3.11"},
                 "title": "Hand-made"},
        "results": [
            {"id": "sample/rates", "section": "sample", "title": "rates", "messages": [], "values": {}, "text": "",
             "table": [{"invited": None, "viewed": analysed, "consented": analysed, "completed": analysed,
                        "view_rate": None, "participation_rate": 1.0, "completion_rate": 1.0}]},
            {"id": "descriptives/categorical/role", "section": "descriptives", "title": "Your role", "messages": [],
             "values": {}, "text": "", "table": rows},
        ],
    }
    (directory / "results.json").write_text(json.dumps(results), encoding="utf-8")
    context = {"language": "en", "threshold": threshold,
               "wave": {"title": "Hand-made wave", "slug": "hand", "opens_at": "2026-01-01", "closes_at": "2026-02-01",
                        "privacy_mode": "anonymous", "instrument_code": "x", "instrument_version": 1},
               "branding": {"institution": "Test hospital"}}
    (directory / "context.json").write_text(json.dumps(context), encoding="utf-8")
    return directory


def role(label, n, percent, suppressed=False):
    return {"kind": "valid", "label": label, "n": n, "percent": percent, "suppressed": suppressed, "value": 1}


def test_marked_and_unmarked_small_counts_are_both_shown_as_suppressed(tmp_path):
    bundle = write_bundle(tmp_path / "bundle", [
        role("Physician", 30, 75.0),
        role("Nurse", "<5", "<5", suppressed=True),   # suppressed by the analysis
        role("Midwife", 3, 7.5),                      # a count that arrived unmarked: the renderer hides it
        role("Student", 0, 0.0),
    ])
    rendered = render_report(bundle, "publication", tmp_path / "report.pdf")
    text = pdf_text(rendered.pdf)
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()[:1].isalpha()}
    assert lines["Nurse"] == ["<5", "<5"]
    assert lines["Midwife"][0] == "<5"
    assert lines["Student"][0] == "0"  # zero reveals no one and is shown
    csv = next((rendered.assets / "tables").glob("*role.csv")).read_text(encoding="utf-8")
    assert "Midwife,<5" in csv and ",3," not in csv


@pytest.mark.django_db
def test_an_empty_wave_gives_a_short_report_saying_why(tmp_path, demo_plan):
    from surveys import services
    from surveys.demo import DEMO_INSTRUMENT

    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    wave = Wave.objects.create(slug="empty", title="Empty wave", instrument_version=version,
                               opens_at=now, closes_at=now + timezone.timedelta(days=7))
    for kind in ("publication", "strategy"):
        built = build_report(wave, kind, "en", tmp_path / f"{kind}.pdf")
        text = " ".join(pdf_text(built.pdf).split())
        assert "Why no results are shown" in text
        assert "No completed responses could be analysed for this wave" in text
    assert Response.objects.filter(wave=wave).count() == 0
    assert int(pdf_info(tmp_path / "strategy.pdf")["Pages"]) == 1


@pytest.mark.django_db
def test_a_wave_below_the_threshold_withholds_every_number(tmp_path, demo_plan):
    from surveys.demo import add_synthetic_responses, load_demo

    wave = load_demo().wave
    tiny = Wave.objects.create(slug="tiny", title="Tiny wave", instrument_version=wave.instrument_version,
                               opens_at=wave.opens_at, closes_at=wave.closes_at)
    add_synthetic_responses(tiny, 3, seed=1)
    built = build_report(tiny, "publication", "de", tmp_path / "tiny.pdf")
    text = " ".join(pdf_text(built.pdf).split())
    assert "Weniger als 5 Antworten konnten ausgewertet werden" in text
    assert "Tabelle" not in text


def test_a_nonresponse_table_with_every_cell_suppressed_becomes_a_sentence_and_links_are_counted(tmp_path):
    bundle = write_bundle(tmp_path / "bundle", [role("Physician", 30, 75.0), role("Nurse", 10, 25.0)])
    results = json.loads((bundle / "results.json").read_text(encoding="utf-8"))
    results["results"].append({"id": "sample/dropout", "section": "sample", "title": "dropout", "messages": [],
                               "values": {}, "text": "", "table": [
                                   {"page": "use", "n": "<5", "percent": "<5", "suppressed": True},
                                   {"page": "data", "n": "<5", "percent": "<5", "suppressed": True}]})
    (bundle / "results.json").write_text(json.dumps(results), encoding="utf-8")
    context = json.loads((bundle / "context.json").read_text(encoding="utf-8"))
    context["recruitment"] = {"invitations_created": 3, "invitations_used": 2, "responses_via_sign_in": 38}
    (bundle / "context.json").write_text(json.dumps(context), encoding="utf-8")
    text = " ".join(pdf_text(render_report(bundle, "publication", tmp_path / "report.pdf").pdf).split())
    assert "Fewer than 5 unfinished responses stopped on any one page" in text
    assert "Last page reached by unfinished responses" not in text
    # Invitation links are not people: three links are three links, not "<5".
    assert "Access was closed: 3 personal invitation links were created and 2 used" in text
