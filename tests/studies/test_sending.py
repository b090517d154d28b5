"""Invitations and reminders go through a real SMTP server on localhost, one personal link each."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studies.mailing import sampling_frame_counts
from studies.models import Mailout, Participant
from surveys.models import Response
from tests.studies.mail_builders import OPT_OUT, complete, participant_csv, send_invitations
from tests.surveys.builders import make_wave

pytestmark = pytest.mark.django_db

ANNA, BEN, CARLA, DORA = (f"{name}@klinikum.example" for name in ("anna.schmidt", "ben.meyer", "carla.vogel", "dora.lang"))


def test_each_participant_gets_one_invitation_in_their_language_with_their_own_link(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    wave.title = "KI-Plattform 2026"
    wave.save()

    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse"), (CARLA, "de", "nurse")])

    assert sorted(message.to for message in smtp_server.messages) == [ANNA, BEN, CARLA]
    assert smtp_server.to(ANNA)[0].subject == "Einladung zur Umfrage: KI-Plattform 2026"
    assert "Ihr persönlicher Link" in smtp_server.to(ANNA)[0].body
    assert smtp_server.to(BEN)[0].subject == "Invitation to the survey: KI-Plattform 2026"
    assert "Your personal link" in smtp_server.to(BEN)[0].body
    tokens = {message.token for message in smtp_server.messages}
    assert len(tokens) == 3
    for message in smtp_server.messages:
        assert message.opt_out_token != message.token  # its own token (test_the_opt_out_link_...)
        assert message.link.startswith("http://survey.example/i/")
    assert sampling_frame_counts(wave)["invited"] == 3


def test_a_link_from_a_mail_opens_the_survey_as_that_invitation(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse")])
    anna = Participant.objects.get(language="de")

    Client().get(f"/i/{smtp_server.to(ANNA)[0].token}/", follow=True)

    response = Response.objects.get(wave=wave)
    assert response.invitation_id == anna.invitation_id
    assert sampling_frame_counts(wave) == {
        "listed": 2, "invited": 2, "delivered": 2, "delivery_failures": 0, "bounced": 0, "opted_out": 0,
        "opened": 1, "started": 0, "completed": 0, "not_linkable": 0,
    }


def test_reminders_go_only_to_those_who_neither_completed_nor_opted_out(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse"),
                                      (CARLA, "de", "nurse"), (DORA, "en", "nurse")])
    complete(wave, smtp_server.to(ANNA)[0].token)
    opt_out_page = Client().post(f"/studies/opt-out/{smtp_server.to(BEN)[0].opt_out_token}/")
    assert opt_out_page.status_code == 200
    invitation_links = {message.to: message.link for message in smtp_server.messages}
    smtp_server.clear()

    call_command("send_reminders", wave.slug, stdout=StringIO())

    assert sorted(message.to for message in smtp_server.messages) == [CARLA, DORA]
    assert smtp_server.to(CARLA)[0].subject.startswith("Erinnerung")
    assert smtp_server.to(DORA)[0].subject.startswith("Reminder")
    # The reminder carries the same personal link as the invitation: the token is derived, not stored.
    assert smtp_server.to(CARLA)[0].link == invitation_links[CARLA]
    counts = sampling_frame_counts(wave)
    assert (counts["completed"], counts["opted_out"], counts["started"]) == (1, 1, 1)


def test_an_opted_out_participant_gets_nothing_more_and_their_address_is_gone(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician")])
    token = smtp_server.to(ANNA)[0].opt_out_token

    confirm = Client().get(f"/studies/opt-out/{token}/")
    Client().post(f"/studies/opt-out/{token}/")
    smtp_server.clear()
    call_command("send_reminders", wave.slug, stdout=StringIO())

    assert b"No more e-mails about this survey?" in confirm.content
    assert smtp_server.messages == []
    assert Participant.objects.get().encrypted_address == ""


def test_the_opt_out_link_and_list_unsubscribe_carry_their_own_token_stored_hashed_never_the_survey_token(
        tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician")])
    mail = smtp_server.to(ANNA)[0]

    survey_token_post = Client().post(f"/studies/opt-out/{mail.token}/")
    opted_in_still = Participant.objects.get().opted_out_at is None
    survey_by_opt_out_token = Client().get(f"/i/{mail.opt_out_token}/")
    stored = str(Participant.objects.values().get())
    Client().post(f"/studies/opt-out/{mail.opt_out_token}/")

    assert mail.opt_out_token != mail.token
    assert mail.list_unsubscribe == f"<{OPT_OUT.search(mail.body).group(0)}>" and mail.token not in mail.list_unsubscribe
    assert survey_token_post.status_code == 200 and opted_in_still  # the survey token stops nobody's mail
    assert survey_by_opt_out_token.status_code == 404  # and the opt-out token answers no survey
    assert mail.opt_out_token not in stored and hashlib.sha256(mail.opt_out_token.encode()).hexdigest() in stored
    assert Participant.objects.get().opted_out_at is not None


def test_a_refused_recipient_is_counted_as_a_delivery_failure(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    smtp_server.refuse.add(BEN)

    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse"), (CARLA, "de", "nurse")])

    mailout = Mailout.objects.get(kind="invitation", status="finished")
    assert (mailout.sent, mailout.failed, mailout.total) == (2, 1, 3)
    counts = sampling_frame_counts(wave)
    assert (counts["invited"], counts["delivered"], counts["delivery_failures"]) == (3, 2, 1)


def test_bounces_reported_back_are_counted_and_get_no_reminder(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse")])
    bounces = tmp_path / "bounces.txt"
    bounces.write_text(f"{BEN.upper()}\nnobody@elsewhere.example\n", encoding="utf-8")
    call_command("mark_bounced", wave.slug, str(bounces), stdout=StringIO())
    smtp_server.clear()

    call_command("send_reminders", wave.slug, stdout=StringIO())

    assert [message.to for message in smtp_server.messages] == [ANNA]
    assert (sampling_frame_counts(wave)["bounced"], sampling_frame_counts(wave)["delivered"]) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_invitations_scheduled_for_later_wait_for_their_time_in_the_task_worker(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    path = tmp_path / "participants.csv"
    path.write_text(participant_csv([(ANNA, "de", "physician")]), encoding="utf-8")
    later = (timezone.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")

    call_command("send_invitations", wave.slug, "--participants", str(path), "--at", later,
                 stdout=StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    assert smtp_server.messages == []
    # The invitation brings its reminders, +7 and +14 days after it.
    assert [(mailout.kind, mailout.status) for mailout in Mailout.objects.all()] == [
        ("invitation", "scheduled"), ("reminder", "scheduled"), ("reminder", "scheduled")]
    invitation_time = Mailout.objects.get(kind="invitation").send_at
    assert [mailout.send_at - invitation_time for mailout in Mailout.objects.filter(kind="reminder")] == [
        timedelta(days=7), timedelta(days=14)]
    waiting = DBTaskResult.objects.filter(status="READY").order_by("run_after").values_list("task_path", "run_after")
    assert [(path.rsplit(".", 1)[1], run_after) for path, run_after in waiting] == [
        ("send_mailout", invitation_time), ("send_mailout", invitation_time + timedelta(days=7)),
        ("send_mailout", invitation_time + timedelta(days=14)), ("purge_wave_addresses", wave.closes_at)]


def test_a_mailout_can_go_only_to_participants_with_an_attribute_and_its_reminders_follow(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    path = tmp_path / "participants.csv"
    path.write_text(participant_csv([(ANNA, "de", "physician"), (BEN, "en", "nurse"), (CARLA, "de", "Nurse")]),
                    encoding="utf-8")

    call_command("send_invitations", wave.slug, "--participants", str(path), "--only", "role=nurse", stdout=StringIO())

    assert [message.to for message in smtp_server.messages] == [BEN]
    assert [mailout.only for mailout in Mailout.objects.filter(kind="reminder")] == [{"role": "nurse"}] * 2
    with pytest.raises(CommandError, match="--only 'role': expected attribute=value, e.g. role=nurse"):
        call_command("send_reminders", wave.slug, "--only", "role", stdout=StringIO())


def test_the_dashboard_counts_against_the_mailed_frame(tmp_path, smtp_server, settings):
    from studies.dashboard import wave_dashboard

    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse"), (CARLA, "de", "nurse")])

    shown = {bar.label: str(bar.count) for bar in wave_dashboard(wave).totals}

    assert (shown["invited"], shown["delivered"], shown["opted out"]) == ("3", "3", "0")
