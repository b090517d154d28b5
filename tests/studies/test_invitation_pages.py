"""The workspace's invitation pages: only a study's owners handle its participant list."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from studies.models import MailTemplate, Membership, Participant, Study
from surveys.models import Invitation
from tests.studies.mail_builders import participant_csv
from tests.surveys.builders import make_wave

ANNA, BEN = "anna.schmidt@klinikum.example", "ben.meyer@klinikum.example"


@pytest.fixture
def wave(tmp_path):
    return make_wave(tmp_path)


def member(wave, name, role):
    user = get_user_model().objects.create_user(name, password="pw-" + name)
    study, _created = Study.objects.get_or_create(slug="study", defaults={
        "title": "Study", "instrument": wave.instrument_version.instrument})
    if role:
        Membership.objects.create(study=study, user=user, role=role)
    return user


def invitations_url(wave, rest=""):
    """The wave's invitation pages in the workspace (the study `member` creates)."""
    return f"/studies/study/waves/{wave.slug}/invitations/{rest}"


def upload(client, wave, text):
    csv_file = SimpleUploadedFile("participants.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(invitations_url(wave, "upload/"), {"participants": csv_file})


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [(None, 404), ("viewer", 403), ("analyst", 403), ("owner", 200)])
def test_only_owners_reach_the_invitation_pages(client, wave, role, status):
    client.force_login(member(wave, "someone", role))

    for url in (invitations_url(wave), invitations_url(wave, "progress/"),
                invitations_url(wave, "texts/invitation/de/")):
        assert client.get(url).status_code == status, url


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(client, wave):
    response = client.get(invitations_url(wave))

    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_an_upload_with_a_broken_row_names_the_line_and_stores_nothing(client, wave):
    client.force_login(member(wave, "owner", "owner"))

    page = upload(client, wave, participant_csv([(ANNA, "de", "physician"), (BEN, "es", "nurse")]))

    assert page.status_code == 400
    assert "line 3: unknown language &#x27;es&#x27;; expected one of de, en" in page.content.decode()
    assert Participant.objects.count() == 0 and Invitation.objects.count() == 0


@pytest.mark.django_db
def test_the_list_shows_only_masked_addresses(client, wave):
    client.force_login(member(wave, "owner", "owner"))

    upload(client, wave, participant_csv([(ANNA, "de", "physician"), (BEN, "en", "nurse")]))
    page = client.get(invitations_url(wave)).content.decode()

    assert "a***@k***.example" in page and "b***@k***.example" in page
    assert "anna" not in page and "ben.meyer" not in page


@pytest.mark.django_db
def test_a_text_with_an_unknown_placeholder_is_refused_and_the_preview_fills_a_sample(client, wave):
    client.force_login(member(wave, "owner", "owner"))
    url = invitations_url(wave, "texts/reminder/en/")

    refused = client.post(url, {"subject": "Reminder {name}", "body": "{link} {opt_out_link}"})
    saved = client.post(url, {"subject": "Still time: {survey}", "body": "Go to {link}\nStop: {opt_out_link}\n"})
    preview = client.get(url).content.decode()

    assert refused.status_code == 400 and "Unknown placeholder: name" in refused.content.decode()
    assert saved.status_code == 302
    assert MailTemplate.objects.get(wave=wave, kind="reminder", language="en").subject == "Still time: {survey}"
    assert "Still time: wave-1" in preview
    assert "/i/EXAMPLE-personal-link-token/" in preview


@pytest.mark.django_db
@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r"])
def test_a_subject_with_a_line_break_is_refused_with_a_form_error(client, wave, line_break):
    client.force_login(member(wave, "owner", "owner"))

    refused = client.post(invitations_url(wave, "texts/reminder/en/"),
                          {"subject": f"Reminder{line_break}Bcc: all@klinikum.example", "body": "{link} {opt_out_link}"})

    assert refused.status_code == 400 and "The subject must be one line" in refused.content.decode()
    assert not MailTemplate.objects.exists()


@pytest.mark.django_db
def test_the_mail_text_page_explains_the_placeholders_in_the_page_language(client, wave):
    client.force_login(member(wave, "owner", "owner"))
    url = invitations_url(wave, "texts/invitation/en/")

    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Reiner Text oder Markdown. Platzhalter: {survey}" in german
    assert "Plain text or Markdown. Placeholders: {survey}" in english and "Reiner Text" not in english


@pytest.mark.django_db(transaction=True)
def test_send_now_runs_in_the_task_worker_and_the_page_shows_its_progress(client, wave, smtp_server, tmp_path):
    client.force_login(member(wave, "owner", "owner"))
    upload(client, wave, participant_csv([(ANNA, "de", "physician"), (BEN, "en", "nurse")]))

    client.post(invitations_url(wave, "send/"), {"kind": "invitation", "send_at": ""})
    queued = json.loads(client.get(invitations_url(wave, "progress/")).content)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    done = json.loads(client.get(invitations_url(wave, "progress/")).content)

    assert queued["mailouts"][0]["status"] == "scheduled"
    assert sorted(message.to for message in smtp_server.messages) == [ANNA, BEN]
    invitation_run = next(mailout for mailout in done["mailouts"] if mailout["id"] == queued["mailouts"][0]["id"])
    assert (invitation_run["status"], invitation_run["sent"], invitation_run["failed"], invitation_run["total"]) == (
        "finished", 2, 0, 2)
    assert done["counts"]["invited"] == "< 5"  # two, below the small-cell threshold as on the dashboard


@pytest.mark.django_db
def test_the_opt_out_page_speaks_german_to_a_german_browser(client):
    page = client.get("/studies/opt-out/some-token/", HTTP_ACCEPT_LANGUAGE="de")

    assert "Keine E-Mails mehr zu dieser Umfrage?" in page.content.decode()


@pytest.mark.django_db
def test_owners_can_invite_every_active_platform_account(client, wave, settings):
    settings.UPTAKE_OPENWEBUI_DB = "/work/shared/samples/platform_logs/webui.db"
    client.force_login(member(wave, "owner", "owner"))

    assert "Add all platform accounts" in client.get(invitations_url(wave)).content.decode()
    added = client.post(invitations_url(wave, "platform-accounts/"))
    again = client.post(invitations_url(wave, "platform-accounts/"))

    assert added.status_code == 302
    assert Participant.objects.filter(wave=wave).count() == 6  # the sample's six active accounts
    assert again.status_code == 400 and "already on the participant list" in again.content.decode()


@pytest.mark.django_db
def test_a_list_saved_in_another_encoding_is_refused_with_how_to_save_it(client, wave):
    client.force_login(member(wave, "owner", "owner"))
    latin1 = SimpleUploadedFile("teilnehmende.csv", "email,language,role\njörg@klinikum.example,de,Ärztin\n".encode("latin-1"))

    page = client.post(invitations_url(wave, "upload/"), {"participants": latin1})

    assert page.status_code == 400
    assert "teilnehmende.csv is not UTF-8 text; save it as CSV UTF-8." in page.content.decode()
    assert Participant.objects.count() == 0
