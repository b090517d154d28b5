"""Details a LimeSurvey or REDCap user notices: break-offs from the paradata, mails that read right in
their language, and a reports page that offers every file a report produced, with its build time."""

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportJob
from studies.dashboard import wave_dashboard
from studies.demo import load_demo_study
from studies.mail_texts import placeholder_values
from studies.mailing import preview
from studies.models import AuditEntry
from surveys.demo import add_synthetic_responses, load_demo
from surveys.models import PageVisit, Response
from tests.studies.builders import study_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return study_with_members()


def response_last_seen(wave, key, days_ago, status="in_progress"):
    """A response whose last page visit was `days_ago` days ago; updated_at is now, as after any bulk load."""
    then = timezone.now() - timedelta(days=days_ago)
    response = Response.objects.create(wave=wave, instrument_version=wave.instrument_version, participant_key=key,
                                       status=status, started_at=then - timedelta(minutes=5), last_page="about_you")
    PageVisit.objects.create(response=response, page="about_you", entered_at=then - timedelta(minutes=1), left_at=then)
    return response


def break_offs(wave) -> int:
    return next(bar.count.value for bar in wave_dashboard(wave).flags if bar.label.startswith("break-offs"))


def test_break_offs_are_read_from_the_last_page_visit_not_from_updated_at(cast, settings):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1
    for index in range(3):
        response_last_seen(cast.wave, f"stalled-{index}", days_ago=3)
    response_last_seen(cast.wave, "active", days_ago=0)
    response_last_seen(cast.wave, "done", days_ago=3, status="viewed")

    assert break_offs(cast.wave) == 3  # stalled for three days, though every row was written just now


def test_a_response_without_page_visits_counts_from_its_start(cast, settings):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1
    Response.objects.create(wave=cast.wave, instrument_version=cast.wave.instrument_version, participant_key="k",
                            status="in_progress", started_at=timezone.now() - timedelta(days=2))

    assert break_offs(cast.wave) == 1


def test_the_closing_time_in_a_mail_ends_with_one_full_stop_in_either_language(cast):
    cast.wave.closes_at = datetime(2026, 12, 18, 17, 0, tzinfo=dt_timezone.utc)  # 18:00 in Berlin

    english = placeholder_values(cast.wave, "en", "L", "O")["closes"]
    german = placeholder_values(cast.wave, "de", "L", "O")["closes"]
    cast.wave.save()
    body = preview(cast.wave, "invitation", "en").body

    assert english == "18 December 2026, 18:00"
    assert german == "18. Dezember 2026, 18:00 Uhr"
    assert "open until 18 December 2026, 18:00. Please" in body and ".." not in body


def test_the_default_mails_state_no_duration_the_questionnaire_does_not_give(cast):
    for language in ("de", "en"):
        for kind in ("invitation", "reminder"):
            body = preview(cast.wave, kind, language).body
            assert "10 Minuten" not in body and "10 minutes" not in body


def test_a_german_recipient_gets_a_german_subject(cast):
    assert preview(cast.wave, "invitation", "de").subject.startswith("Einladung zur Umfrage: ")
    assert preview(cast.wave, "reminder", "de").subject.startswith("Erinnerung")


def finished_publication_report(cast, tmp_path) -> ReportJob:
    pdf = tmp_path / "wave-1_publication_de_1.pdf"
    pdf.write_bytes(b"%PDF-1.7 report")
    pdf.with_suffix(".docx").write_bytes(b"PK manuscript")
    assets = pdf.with_name(pdf.name + ".assets")
    (assets / "tables").mkdir(parents=True)
    (assets / "tables" / "table_1.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return ReportJob.objects.create(wave=cast.wave, kind="publication", language="de", status="finished",
                                    output_path=str(pdf), finished_at=timezone.now())


def test_the_reports_page_offers_pdf_word_and_assets_with_the_build_time(client, cast, tmp_path):
    job = finished_publication_report(cast, tmp_path)
    client.force_login(cast.analyst)
    download = reverse("studies:report_download", args=[cast.study.slug, job.pk])

    page = client.get(reverse("studies:reports", args=[cast.study.slug, cast.wave.slug]), HTTP_ACCEPT_LANGUAGE="de")
    word = client.get(download + "?file=docx")
    assets = client.get(download + "?file=assets")

    text = page.content.decode()
    assert "Word-Manuskript" in text and "Abbildungen und Tabellen (zip)" in text and "Erstellt am" in text
    assert timezone.localtime(job.finished_at).strftime("%d.%m.%Y") in text
    assert b"".join(word.streaming_content) == b"PK manuscript"
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert assets["Content-Type"] == "application/zip" and b"tables/table_1.csv" in assets.content
    assert AuditEntry.objects.filter(action="download").count() == 2


def test_the_demo_dashboard_counts_every_response_stalled_for_a_day_as_a_break_off(client):
    """Finding 9: the demo showed 0 break-offs beside its stalled responses (the load sets updated_at to now)."""
    wave = load_demo().wave
    study = load_demo_study()
    day_ago = timezone.now() - timedelta(days=1)
    stalled = [response for response in wave.responses.filter(status="in_progress").prefetch_related("page_visits")
               if max(visit.left_at or visit.entered_at for visit in response.page_visits.all()) < day_ago]
    client.force_login(get_user_model().objects.get(username="researcher"))

    page = client.get(reverse("studies:dashboard", args=[study.slug, wave.slug]), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert len(stalled) >= 5  # enough to be shown, not suppressed
    assert f"<dt>Abbrüche (einen Tag ohne Aktivität)</dt><dd>{len(stalled)}</dd>" in page


def test_a_german_dashboard_writes_decimal_commas_and_chart_labels_that_fit(client, cast, settings):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1
    add_synthetic_responses(cast.wave, 8, seed=3)
    client.force_login(cast.owner)

    page = client.get(reverse("studies:dashboard", args=[cast.study.slug, cast.wave.slug]), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert re.search(r"<dd>\d+,\d %</dd>", page) and not re.search(r"\d\.\d %", page)
    labels = re.findall(r'text-anchor="end">([^<]*)</text>', page)
    assert "Nutzen der KI-Plattform" in labels and all(len(label) <= 24 for label in labels)
    assert any(label.endswith("…") for label in labels)  # "Bedienbarkeit und Zufriedenheit" is cut, not clipped by the frame
