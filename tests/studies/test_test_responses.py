"""Test mode from the wave page: a researcher answers as a test respondent; the answers reach no count, export,
analysis, report or coding sample, and the owner deletes them in one confirmed, audited step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coding.services import coded_answers
from reports.services import recruitment
from studies.dashboard import wave_dashboard
from studies.models import AuditEntry
from surveys.export import wave_table
from surveys.models import Answer, Invitation, Response, Wave
from tests.studies.builders import small_study_with_members
from tests.surveys.builders import complete_until_last_page, post_page, submitted_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tmp_path):
    return small_study_with_members(tmp_path)


def wave_url(cast, name="studies:wave_test"):
    return reverse(name, args=[cast.study.slug, cast.wave.slug])


def answer_as_test(client, cast, wishes="a test wish"):
    """Press "Test" on the wave page and answer the whole questionnaire; returns the thank-you page."""
    assert client.post(wave_url(cast))["Location"] == f"/s/{cast.wave.slug}/"
    assert client.post(f"/s/{cast.wave.slug}/", {"consent": "yes"}).status_code == 302
    complete_until_last_page(client, cast.wave)
    post_page(client, cast.wave, "rating", {"satisfaction": "2", "wishes": wishes})
    return client.get(f"/s/{cast.wave.slug}/thanks/")


def shown(board, label):
    return next(bar.count.value for bar in board.totals if str(bar.label) == label)


def test_a_researcher_tests_a_scheduled_sign_in_wave_and_stays_signed_in(client, cast):
    Wave.objects.filter(pk=cast.wave.pk).update(opens_at=timezone.now() + timedelta(days=3), access=Wave.Access.SIGN_IN)
    client.force_login(cast.analyst)

    thanks = answer_as_test(client, cast)

    assert thanks.status_code == 200 and "Test mode" in thanks.content.decode()
    test = Response.all_objects.get(wave=cast.wave)
    assert test.is_test and test.status == Response.Status.COMPLETED and test.pseudonym == ""
    assert client.get(reverse("studies:study", args=[cast.study.slug])).status_code == 200  # still signed in
    assert client.get(f"/s/{cast.wave.slug}/").status_code in (302, 403)  # the test link ended with the thank-you page


def test_test_responses_stay_out_of_dashboard_export_analysis_report_and_coding(client, cast):
    submitted_response(cast.wave, satisfaction=5, wishes="real one")
    submitted_response(cast.wave, satisfaction=5, wishes="real two")
    client.force_login(cast.owner)
    answer_as_test(client, cast, wishes="typed while testing")
    answer_as_test(client, cast, wishes="typed while testing again")

    board = wave_dashboard(cast.wave)
    table, _codebook = wave_table(cast.wave)
    page = client.get(reverse("studies:dashboard", args=[cast.study.slug, cast.wave.slug])).content.decode()

    assert Response.all_objects.filter(wave=cast.wave).count() == 4
    assert shown(board, "viewed the information") == 2 and shown(board, "completed") == 2
    assert shown(board, "invited") == 2  # the two real links, not the test links
    assert len(table) == 2 and sorted(table["satisfaction"]) == [5, 5]  # the tests answered 2
    assert recruitment(cast.wave)["invitations_created"] == 2
    assert recruitment(cast.wave)["responses_via_invitation"] == 2
    assert sorted(answer.value for answer in coded_answers(cast.wave, "wishes")) == ["real one", "real two"]
    assert "2 test responses" in page


def test_the_owner_deletes_test_responses_after_confirming_and_it_is_audited(client, cast):
    submitted_response(cast.wave)
    client.force_login(cast.owner)
    answer_as_test(client, cast)
    answer_as_test(client, cast)
    client.force_login(cast.owner)
    delete = wave_url(cast, "studies:test_responses_delete")

    client.post(delete)  # without ticking the confirmation: nothing happens
    assert Response.all_objects.filter(wave=cast.wave, is_test=True).count() == 2
    client.post(delete, {"confirm": "yes"})

    assert Response.all_objects.filter(wave=cast.wave).count() == 1 and Response.objects.filter(wave=cast.wave).count() == 1
    assert Answer.objects.filter(response__is_test=True).count() == 0
    assert not Invitation.objects.filter(wave=cast.wave, is_test=True).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TEST_DELETION)
    assert entry.study == cast.study and entry.actor == cast.owner and entry.detail == "2 test response(s)"


def test_only_members_make_test_responses_and_only_owners_delete_them(client, cast):
    for who, status in (("respondent", 404), ("other_researcher", 404), ("viewer", 403)):
        client.force_login(getattr(cast, who))
        assert client.post(wave_url(cast)).status_code == status, who
    client.logout()
    assert "/accounts/login/" in client.post(wave_url(cast))["Location"]
    assert not Invitation.objects.filter(is_test=True).exists()

    client.force_login(cast.analyst)
    answer_as_test(client, cast)
    client.force_login(cast.analyst)
    assert client.post(wave_url(cast, "studies:test_responses_delete"), {"confirm": "yes"}).status_code == 403
    assert Response.all_objects.filter(is_test=True).count() == 1
