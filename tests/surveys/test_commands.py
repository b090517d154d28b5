import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from surveys.demo import DEMO_RESPONDENTS, DEMO_WAVE
from surveys.models import Instrument, Invitation, Response, Wave
from tests.surveys.builders import make_wave


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_prints_how_to_get_in():
    first = run("load_demo")
    second = run("load_demo")

    wave = Wave.objects.get(slug=DEMO_WAVE)
    assert wave.responses.count() == DEMO_RESPONDENTS
    assert Instrument.objects.count() == 1 and Invitation.objects.filter(wave=wave).count() == 1
    assert first == second
    assert "/i/demo-invitation/" in first and "researcher / uptake-demo" in first and "/admin/" in first
    assert wave.responses.filter(status="completed").count() > DEMO_RESPONDENTS * 0.7


@pytest.mark.django_db
def test_the_demo_invitation_link_opens_the_demo_survey():
    run("load_demo")

    page = Client().get("/i/demo-invitation/", follow=True)

    assert page.redirect_chain[-1][0] == f"/s/{DEMO_WAVE}/"
    assert "AI platform" in page.text


@pytest.mark.django_db
def test_create_invitations_prints_working_links_once(tmp_path):
    wave = make_wave(tmp_path)

    links = run("create_invitations", wave.slug, count=3).split()

    assert len(links) == 3 and len(set(links)) == 3
    assert Invitation.objects.filter(wave=wave).count() == 3
    assert Client().get(links[0].replace("http://127.0.0.1:8000", ""), follow=True).status_code == 200


@pytest.mark.django_db
def test_personal_invitations_carry_a_pseudonym_and_never_the_identifier(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    people = tmp_path / "people.txt"
    people.write_text("alice@example.org\nbob@example.org\n")

    output = run("create_invitations", wave.slug, identifiers=str(people))

    assert output.splitlines()[0] == "identifier,link"
    assert output.splitlines()[1].startswith("alice@example.org,http")
    stored = list(Invitation.objects.values_list("pseudonym", flat=True))
    assert len(stored) == 2 and all(len(value) == 64 for value in stored)
    assert "example.org" not in str(list(Invitation.objects.values()))


@pytest.mark.django_db
def test_create_invitations_for_an_unknown_wave_names_the_existing_ones(tmp_path):
    make_wave(tmp_path, slug="spring")

    with pytest.raises(CommandError, match=r"no wave 'autumn'; existing waves: spring"):
        run("create_invitations", "autumn", count=1)


@pytest.mark.django_db
def test_admin_monitoring_shows_counts_per_status_and_page_reached(admin_client):
    run("load_demo")
    wave = Wave.objects.get(slug=DEMO_WAVE)
    completed = wave.responses.filter(status="completed").count()

    changelist = admin_client.get("/admin/surveys/wave/")
    monitoring = admin_client.get(f"/admin/surveys/wave/{wave.pk}/monitoring/")

    assert changelist.status_code == monitoring.status_code == 200
    assert f"<td>completed</td><td>{completed}</td>" in monitoring.text.replace("\n", "")
    dropped = wave.responses.exclude(status="completed").values_list("last_page", flat=True)
    assert set(dropped) and all(f"<td>{page}</td>" in monitoring.text for page in dropped)


@pytest.mark.django_db
def test_admin_has_no_response_page_to_edit_or_read(admin_client):
    """Responses are read in the workspace only, where every view is audited."""
    run("load_demo")
    response = Response.objects.first()

    page = admin_client.get(f"/admin/surveys/response/{response.pk}/change/")

    assert page.status_code == 404


@pytest.mark.django_db
def test_demo_answers_follow_the_instruments_conditions():
    from surveys import flow
    from surveys.services import answers_of

    run("load_demo")
    wave = Wave.objects.get(slug=DEMO_WAVE)
    instrument = wave.instrument_version.spec
    completed = wave.responses.filter(status="completed").prefetch_related("answers")

    never_users = [r for r in completed if answers_of(r).get("frequency") == "never"]
    assert never_users, "the demo should include people who never use the platform"
    assert all("sus_01" not in answers_of(r) and "non_use_reasons" in answers_of(r) for r in never_users)
    assert all(flow.hidden_answer_codes(instrument, answers_of(r)) == [] for r in completed)


@pytest.mark.django_db
def test_prepare_demo_loads_the_demo_and_queues_its_four_reports_before_the_server_starts(tmp_path):
    from coding.models import CodingSample
    from platform_logs.models import PlatformRequest, UsageEvent
    from reports.models import ReportJob
    from studies.models import Membership

    welcome = tmp_path / "demo-welcome.txt"
    printed = run("prepare_demo", welcome=str(welcome))

    text = welcome.read_text(encoding="utf-8")
    assert "/i/demo-invitation/" in text and "researcher / uptake-demo" in text and f"/studies/{DEMO_WAVE}/" in text
    wave = Wave.objects.get(slug=DEMO_WAVE)
    assert wave.responses.count() == DEMO_RESPONDENTS
    assert Membership.objects.filter(study__slug=DEMO_WAVE, user__username="researcher", role="owner").exists()
    assert UsageEvent.objects.count() > 10_000 and PlatformRequest.objects.count() > 10_000
    assert CodingSample.objects.filter(wave=wave).count() == 1
    jobs = ReportJob.objects.filter(wave=wave)
    assert sorted(jobs.values_list("kind", "language")) == [("publication", "de"), ("publication", "en"),
                                                            ("strategy", "de"), ("strategy", "en")]
    assert set(jobs.values_list("status", flat=True)) == {ReportJob.Status.QUEUED}
    assert "Demo data ready: migrate" in printed
