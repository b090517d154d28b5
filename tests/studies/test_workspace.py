"""The workspace as a researcher uses it, through the Django test client."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportJob
from studies import copies, services
from studies.audit import audit
from studies.dashboard import wave_dashboard
from studies.models import AuditEntry, AuditLogIsAppendOnly, ExportJob, Membership, Study
from surveys.demo import DEMO_INSTRUMENT, add_synthetic_responses
from surveys import services as survey_services
from surveys.models import Answer, InstrumentVersion, PageVisit, Response
from tests.studies.builders import make_user, study_with_members
from tests.surveys.interop_builders import clinic_dictionary


@pytest.fixture
def immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPTAKE_REPORTS_DIR = tmp_path / "reports"
    settings.UPTAKE_EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def cast():
    return study_with_members()


@pytest.mark.django_db
def test_a_wave_that_closes_before_it_opens_gets_a_sentence_not_a_constraint_name(client, cast):
    client.force_login(cast.owner)
    version = cast.wave.instrument_version
    page = client.post(reverse("studies:wave_new", args=[cast.study.slug]), {
        "title": "Second", "slug": "second", "instrument_version": version.pk, "privacy_mode": "anonymous",
        "opens_at": "2026-05-10T09:00", "closes_at": "2026-05-01T09:00",
    }).content.decode()
    assert "The wave must close after it opens" in page
    assert "wave_closes_after_it_opens" not in page and "Constraint" not in page
    assert not cast.study.waves().filter(slug="second").exists()


@pytest.mark.django_db
def test_a_wave_cannot_open_on_a_questionnaire_that_fails_validation(client, cast):
    client.force_login(cast.owner)
    broken = dict(cast.wave.instrument_version.definition)
    broken["pages"] = [{**broken["pages"][0], "show_if": {"item": "no_such_item", "equals": "x"}}] + broken["pages"][1:]
    version = InstrumentVersion.objects.create(instrument=cast.study.instrument, number=2, definition=broken,
                                               resolved=cast.wave.instrument_version.resolved, checksum="x" * 64)
    cast.wave.instrument_version = version
    cast.wave.opens_at = timezone.now() + timedelta(days=2)
    cast.wave.save()
    response = client.post(reverse("studies:wave_open", args=[cast.study.slug, cast.wave.slug]), follow=True)
    assert "cannot open: its questionnaire fails validation" in response.content.decode()
    cast.wave.refresh_from_db()
    assert cast.wave.opens_at > timezone.now()


@pytest.mark.django_db
def test_an_invalid_upload_names_the_line_shows_it_and_stores_nothing(client, cast):
    client.force_login(cast.owner)
    text = DEMO_INSTRUMENT.read_text(encoding="utf-8").replace("points: 5", "points: 6", 1)
    bad_line = next(number for number, line in enumerate(text.splitlines(), 1) if "points: 6" in line)
    versions = InstrumentVersion.objects.count()
    response = client.post(reverse("studies:upload", args=[cast.study.slug]),
                           {"file": SimpleUploadedFile("survey.yaml", text.encode())})
    page = response.content.decode()
    assert response.status_code == 400
    assert f"survey.yaml line {bad_line}" in page
    assert f'<span class="problem-line">{bad_line:4d}  ' in page
    assert InstrumentVersion.objects.count() == versions


def table_counts() -> dict:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db
def test_preview_shows_a_conditional_page_for_chosen_answers_in_both_languages_and_stores_nothing(client, cast):
    client.force_login(cast.analyst)
    client.get(reverse("studies:study", args=[cast.study.slug]))  # the session exists before counting
    before = table_counts()
    url = reverse("studies:preview", args=[cast.study.slug, 1])
    hidden = client.get(url, {"lang": "en", "page": "use", "as-frequency": "never"}).content.decode()
    shown = client.get(url, {"lang": "en", "page": "use", "as-frequency": "daily"}).content.decode()
    german = client.get(url, {"lang": "de", "page": "use", "as-frequency": "daily"}).content.decode()
    assert "Respondents with these answers do not see this page." in hidden
    assert "do not see this page" not in shown
    assert "What do you use the AI platform for? You can choose more than one answer." in shown
    assert "Wofür nutzen Sie die KI-Plattform?" in german and '<html lang="de">' in german
    assert table_counts() == before


@pytest.mark.django_db
def test_the_diff_shows_the_changed_line_of_two_versions_side_by_side(client, cast):
    client.force_login(cast.analyst)
    add_synthetic_responses(cast.wave, 1, seed=1)  # version 1 is frozen; the changed file becomes version 2
    changed = DEMO_INSTRUMENT.read_text(encoding="utf-8").replace("Which of these best describes your main role?", "Which of these best describes your KI role?")
    client.force_login(cast.owner)
    client.post(reverse("studies:upload", args=[cast.study.slug]), {"file": SimpleUploadedFile("survey.yaml", changed.encode())})
    page = client.get(reverse("studies:diff", args=[cast.study.slug]), {"a": 1, "b": 2}).content.decode()
    assert '<tr class="diff-replace">' in page and "KI role" in page


@pytest.mark.django_db
def test_dashboard_counts_by_status_and_suppresses_small_cells(cast, settings):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 5
    add_synthetic_responses(cast.wave, 40, seed=3)
    statuses = {status: cast.wave.responses.filter(status=status).count() for status in Response.Status.values}
    board = wave_dashboard(cast.wave)
    shown = {bar.label: str(bar.count) for bar in board.totals}
    assert shown["completed"] == str(statuses["completed"])
    assert shown["withdrawn"] == "0"
    Response.objects.filter(pk__in=cast.wave.responses.filter(status="completed").values("pk")[:2]).update(
        status="withdrawn", pseudonym="", wave_pseudonym="", linkage_consent=False, completed_at=None)
    shown = {bar.label: str(bar.count) for bar in wave_dashboard(cast.wave).totals}
    assert shown["withdrawn"] == "< 5"
    assert shown["invited"] == "0"


@pytest.mark.django_db
def test_median_completion_time_is_the_middle_duration(cast):
    add_synthetic_responses(cast.wave, 0, seed=1)
    start = timezone.now() - timedelta(hours=5)
    for index, minutes in enumerate([4, 10, 6, 30, 8]):  # sorted 4 6 8 10 30: median 8
        Response.objects.create(wave=cast.wave, instrument_version=cast.wave.instrument_version, participant_key=f"p{index}",
                                status="completed", started_at=start, completed_at=start + timedelta(minutes=minutes))
    assert wave_dashboard(cast.wave).median_minutes == "8.0"


@pytest.mark.django_db
def test_a_single_response_reads_as_questions_and_answers_and_the_view_is_audited(client, cast):
    add_synthetic_responses(cast.wave, 3, seed=5)
    response = cast.wave.responses.filter(status="completed").first()
    response.language = "de"
    response.save(update_fields=["language"])
    client.force_login(cast.analyst)
    page = client.get(reverse("studies:response", args=[cast.study.slug, cast.wave.slug, response.pk])).content.decode()
    assert "Wie häufig nutzen Sie die KI-Plattform?" in page
    entry = AuditEntry.objects.get(action="response_view")
    assert entry.actor == cast.analyst and entry.target == f"response {response.pk} of wave {cast.wave.slug}"


@pytest.mark.django_db
def test_the_audit_log_refuses_changes_and_deletion(cast):
    entry = audit(cast.owner, AuditEntry.Action.DOWNLOAD, "file.zip", study=cast.study)
    entry.target = "something else"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.update(target="x")
    assert AuditEntry.objects.get().target == "file.zip"


@pytest.mark.django_db
def test_the_database_refuses_to_change_the_audit_log_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the model")
    from django.db import DatabaseError, transaction

    entry = audit(cast.owner, AuditEntry.Action.DOWNLOAD, "file.zip", study=cast.study)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE studies_auditentry SET target = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM studies_auditentry WHERE id = %s", [entry.pk])


@pytest.mark.django_db
def test_audit_csv_is_for_owners_and_neutralises_formulas(client, cast):
    audit(cast.owner, AuditEntry.Action.DOWNLOAD, '=HYPERLINK("http://x","y")', study=cast.study)
    audit(None, AuditEntry.Action.KEY_ROTATION, "pseudonym key", "fingerprint 1a2b -> 3c4d")  # site-wide
    audit(cast.other_researcher, AuditEntry.Action.DOWNLOAD, "other.zip", study=Study.objects.get(slug="other-study"))
    client.force_login(cast.owner)
    text = client.get(reverse("studies:audit_csv", args=[cast.study.slug])).content.decode()
    assert text.splitlines()[0] == "at,actor,action,target,detail"
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
    assert "key_rotation,pseudonym key" in text and "other.zip" not in text


@pytest.mark.django_db
def test_role_changes_are_audited_and_the_last_owner_stays(client, cast):
    client.force_login(cast.owner)
    client.post(reverse("studies:members", args=[cast.study.slug]), {"username": "respondent", "role": "viewer"})
    assert Membership.objects.get(study=cast.study, user=cast.respondent).role == "viewer"
    assert AuditEntry.objects.filter(action="role_change", target="respondent", detail="- -> viewer").exists()
    page = client.post(reverse("studies:members", args=[cast.study.slug]), {"username": "owner-user", "role": "analyst"}, follow=True)
    assert "A study needs at least one owner." in page.content.decode()


@pytest.mark.django_db
def test_the_audit_log_names_what_was_touched_in_the_readers_language_and_the_wave_by_its_title(client, cast):
    """Issue 23: targets were printed as stored ("response 12 of wave ai-wave", "- -> viewer") on German pages."""
    add_synthetic_responses(cast.wave, 1, seed=5)
    response = cast.wave.responses.get()
    client.force_login(cast.owner)
    client.get(reverse("studies:response", args=[cast.study.slug, cast.wave.slug, response.pk]))
    client.post(reverse("studies:members", args=[cast.study.slug]), {"username": "respondent", "role": "viewer"})
    client.post(reverse("studies:exports", args=[cast.study.slug, cast.wave.slug]), {"format": "csv", "with_usage": "on", "language": "de"})
    client.post(reverse("studies:reports", args=[cast.study.slug, cast.wave.slug]), {"kind": "publication", "language": "de"})
    client.get(reverse("studies:audit_csv", args=[cast.study.slug]))
    audit(None, AuditEntry.Action.KEY_ROTATION, "pseudonym key", "new fingerprint 1a2b3c…")
    copies.copy_study(cast.owner, cast.study, "KI-Studie 2027")
    services.delete_test_responses(cast.owner, cast.study, cast.wave)
    export, report = ExportJob.objects.get(), ReportJob.objects.get()

    page = client.get(reverse("studies:audit", args=[cast.study.slug]), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    title = cast.wave.title
    for shown in (f"Antwort {response.pk} der Welle „{title}“", "Betrachter*in", "– → Betrachter*in", f"Welle „{title}“",
                  f"CSV mit Nutzungsmerkmalen, Auftrag {export.pk}", f"Publikationsbericht (Deutsch), Auftrag {report.pk}",
                  "dieses Protokoll", "Pseudonym-Schlüssel", "neuer Fingerabdruck 1a2b3c…",
                  f"Studie „{cast.study.slug}“", "kopiert in die Studie „", "0 Testantwort(en)"):
        assert shown in page, shown
    for stored in ("of wave", "->", "job ", "with usage", "publication (de)", "audit log of", "fingerprint 1a", "copied to",
                   "test response"):
        assert stored not in page, stored
    assert f"response {response.pk} of wave {cast.wave.slug}" in client.get(
        reverse("studies:audit_csv", args=[cast.study.slug])).content.decode()  # the CSV keeps the stored wording


@pytest.mark.django_db
def test_an_spss_export_runs_as_a_job_and_its_download_is_audited(client, cast, immediate_tasks):
    add_synthetic_responses(cast.wave, 12, seed=7)
    client.force_login(cast.analyst)
    client.post(reverse("studies:exports", args=[cast.study.slug, cast.wave.slug]), {"format": "sav", "language": "en"})
    job = ExportJob.objects.get()
    assert job.status == "finished" and job.rows == 12 and len(job.file_hash) == 64
    download = client.get(reverse("studies:export_download", args=[cast.study.slug, job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert f"{cast.wave.slug}_responses.sav" in names
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["export", "download"]


@pytest.mark.django_db
def test_a_study_created_in_the_browser_is_owned_by_its_creator(client):
    user = make_user("new-researcher", can_create_studies=True)
    client.force_login(user)
    client.post(reverse("studies:create"), {"title": "Pilot", "slug": "pilot"})
    assert Membership.objects.get(study__slug="pilot").user == user


@pytest.mark.django_db
def test_withdrawal_on_request_deletes_answers_and_is_audited(client, cast):
    add_synthetic_responses(cast.wave, 2, seed=9)
    response = cast.wave.responses.filter(status="completed").first()
    client.force_login(cast.owner)
    client.post(reverse("studies:response_withdraw", args=[cast.study.slug, cast.wave.slug, response.pk]))
    assert not Answer.objects.filter(response=response).exists() and not PageVisit.objects.filter(response=response).exists()
    assert AuditEntry.objects.filter(action="withdrawal").count() == 1


@pytest.mark.django_db
def test_a_redcap_dictionary_uploads_into_a_new_study_and_says_what_came_across(client, tmp_path):
    owner = make_user("redcap-owner", can_create_studies=True)
    client.force_login(owner)
    client.post(reverse("studies:create"), {"title": "Clinic", "slug": "clinic"})
    path = clinic_dictionary(tmp_path / "clinic_dictionary.csv")
    page = client.post(reverse("studies:upload", args=["clinic"]),
                       {"file": SimpleUploadedFile("clinic_dictionary.csv", path.read_bytes())}, follow=True).content.decode()
    study = Study.objects.get(slug="clinic")
    assert study.instrument is not None and study.instrument.versions.count() == 1
    assert "Questionnaire version 1: created." in page
    assert "dropped: 2" in page and "calculated field" in page  # the record id and the calculated field are not asked


@pytest.mark.django_db
def test_respondents_who_withdraw_after_an_export_are_listed_for_deletion_from_it(client, cast, immediate_tasks):
    add_synthetic_responses(cast.wave, 3, seed=7)
    before, after, kept = cast.wave.responses.order_by("pk")[:3]
    survey_services.withdraw_response(before)  # before any export: in no file
    client.force_login(cast.analyst)
    exports_url = reverse("studies:exports", args=[cast.study.slug, cast.wave.slug])
    client.post(exports_url, {"format": "csv", "language": "en"})
    job = ExportJob.objects.get()
    no_notice = client.get(exports_url).content.decode()

    survey_services.withdraw_response(after)  # e.g. the respondent, through their invitation link
    notice = client.get(exports_url).content.decode()

    assert 'id="late-withdrawals"' not in no_notice
    listed = notice.split('id="late-withdrawals"', 1)[1].split("</section>", 1)[0]
    assert "Withdrawn after an export" in listed and "delete the rows with these response IDs" in listed
    assert f"<td>{after.pk}</td>" in listed and job.file_hash[:12] in listed
    assert f"<td>{before.pk}</td>" not in listed and f"<td>{kept.pk}</td>" not in listed
