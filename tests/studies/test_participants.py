"""Participants as REDCap shows them: e-mail-only lists in every privacy mode, a per-person table with
resend, add one and opt out on request, the same small-cell counts as the dashboard, and closing a wave."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from platform_logs.services import import_source
from studies.mailing import run_mailout
from studies.models import Mailout, Participant, ParticipantFrame
from surveys.models import Invitation, Wave
from surveys.pseudonyms import pseudonymize
from tests.platform_logs.builders import sample
from tests.studies.mail_builders import complete, participant_csv
from tests.surveys.builders import make_wave, start
from tests.studies.test_invitation_pages import invitations_url, member, upload

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "invitations.md"
ANNA, BEN = "anna.schmidt@klinikum.example", "ben.meyer@klinikum.example"
PERSON4_SUBJECT = "77216e9e-e7a4-4309-973f-798626b1cffc"  # oauth_sub of person4 in the sample webui.db
needs_sample = pytest.mark.skipif(not sample("openwebui-db").exists(), reason="../shared/samples is absent")


def docs_first_example() -> str:
    """The first code block of docs/invitations.md, exactly as a researcher would copy it."""
    return re.search(r"```\n(email,language.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)


@pytest.fixture
def pseudonymous(tmp_path):
    return make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)


def test_the_first_example_of_the_docs_imports_as_written_into_a_pseudonymous_wave_linked_by_subject(
    client, pseudonymous, settings
):
    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "subject"
    client.force_login(member(pseudonymous, "owner", "owner"))

    added = upload(client, pseudonymous, docs_first_example())

    assert added.status_code == 302
    assert Participant.objects.filter(wave=pseudonymous).count() == 2
    # No platform account is known for either address: invited all the same, counted as not linkable.
    assert Participant.objects.filter(wave=pseudonymous, not_linkable=True).count() == 2
    assert set(Invitation.objects.filter(wave=pseudonymous).values_list("pseudonym", flat=True)) == {""}
    page = client.get(invitations_url(pseudonymous)).content.decode()
    assert "have no account on the AI platform" in page


@needs_sample
def test_an_address_with_an_imported_platform_account_gets_that_accounts_pseudonym(client, pseudonymous, settings):
    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "subject"
    import_source("openwebui-db", sample("openwebui-db"))
    client.force_login(member(pseudonymous, "owner", "owner"))

    upload(client, pseudonymous, participant_csv([("Person4@Example.org", "de"), (ANNA, "en")], header="email,language"))

    person4 = Invitation.objects.get(participant__not_linkable=False)
    assert person4.pseudonym == pseudonymize(PERSON4_SUBJECT, "subject")
    assert Invitation.objects.get(participant__not_linkable=True).pseudonym == ""


def test_a_subject_column_still_wins_where_a_list_has_one(client, pseudonymous, settings):
    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "subject"
    client.force_login(member(pseudonymous, "owner", "owner"))

    upload(client, pseudonymous, participant_csv([(ANNA, "de", "sub-anna")], header="email,language,subject"))

    assert Invitation.objects.get().pseudonym == pseudonymize("sub-anna", "subject")
    assert not Participant.objects.get().not_linkable


def test_an_anonymous_wave_takes_the_same_list_and_stores_no_pseudonym(client, tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    client.force_login(member(wave, "owner", "owner"))

    assert upload(client, wave, docs_first_example()).status_code == 302
    assert set(Invitation.objects.filter(wave=wave).values_list("pseudonym", flat=True)) == {""}
    assert not Participant.objects.filter(not_linkable=True).exists()


def test_errors_of_a_list_are_german_on_a_german_page_in_line_order(client, pseudonymous):
    client.force_login(member(pseudonymous, "owner", "owner"))
    rows = "email,language\nanna.schmidt@klinikum.example,de\nben.meyer@klinikum,en\nanna.schmidt@klinikum.example,fr,x\n"
    csv_file = SimpleUploadedFile("liste.csv", rows.encode("utf-8"), content_type="text/csv")

    page = client.post(invitations_url(pseudonymous, "upload/"), {"participants": csv_file}, HTTP_ACCEPT_LANGUAGE="de")

    text = page.content.decode()
    assert page.status_code == 400
    assert "liste.csv: nichts importiert" in text
    assert "Zeile 3: &#x27;ben.meyer@klinikum&#x27; ist keine gültige E-Mail-Adresse" in text
    assert "Zeile 4: 2 Spalten erwartet, 3 gefunden" in text
    assert text.index("Zeile 3") < text.index("Zeile 4")
    assert "expected" not in text and "line 3" not in text
    assert Participant.objects.count() == 0


def test_the_table_shows_each_persons_status_and_last_mail(client, pseudonymous, smtp_server):
    client.force_login(member(pseudonymous, "owner", "owner"))
    people = [(f"person{n}@klinikum.example", "de" if n % 2 else "en") for n in range(6)]
    upload(client, pseudonymous, participant_csv(people, header="email,language"))
    smtp_server.refuse.add("person5@klinikum.example")
    rows = list(Participant.objects.filter(wave=pseudonymous).order_by("pk"))
    for person in rows:
        client.post(invitations_url(pseudonymous, f"participants/{person.pk}/resend/"))
    invitation_of = {message.to: message.token for message in smtp_server.messages}
    client.post(invitations_url(pseudonymous, f"participants/{rows[1].pk}/resend/"))  # a reminder now
    complete(pseudonymous, invitation_of["person2@klinikum.example"])
    start(Client(), pseudonymous, invitation_of["person3@klinikum.example"])
    client.post(invitations_url(pseudonymous, f"participants/{rows[4].pk}/opt-out/"))
    Participant.objects.filter(pk=rows[0].pk).update(bounced_at=timezone.now())

    page = client.get(invitations_url(pseudonymous)).content.decode()

    statuses = re.findall(r'data-field="status">([^<·]+)', page)
    assert [status.strip() for status in statuses] == [
        "Bounced", "Reminded", "Completed", "Started", "Opted out", "Not delivered"]
    assert "p***@k***.example" in page and "person1" not in page
    assert Participant.objects.get(pk=rows[1].pk).last_mailed_at is not None
    assert Participant.objects.get(pk=rows[4].pk).encrypted_address == ""
    assert [message.subject.split(":")[0] for message in smtp_server.to("person1@klinikum.example")] == [
        "Einladung zur Umfrage", "Erinnerung"]


def test_one_address_can_be_added_and_is_checked_like_a_line_of_a_list(client, pseudonymous):
    client.force_login(member(pseudonymous, "owner", "owner"))

    added = client.post(invitations_url(pseudonymous, "add/"), {"email": ANNA, "language": "de"})
    again = client.post(invitations_url(pseudonymous, "add/"), {"email": ANNA.upper(), "language": "en"})
    broken = client.post(invitations_url(pseudonymous, "add/"), {"email": "anna@", "language": "de"})

    assert added.status_code == 302
    assert again.status_code == 400 and "already on the participant list" in again.content.decode()
    assert broken.status_code == 400 and "Enter a valid email address." in broken.content.decode()
    assert Participant.objects.filter(wave=pseudonymous).count() == 1


def test_nothing_is_resent_to_someone_who_opted_out(client, pseudonymous, smtp_server):
    client.force_login(member(pseudonymous, "owner", "owner"))
    upload(client, pseudonymous, participant_csv([(ANNA, "de")], header="email,language"))
    anna = Participant.objects.get()

    client.post(invitations_url(pseudonymous, f"participants/{anna.pk}/opt-out/"))
    refused = client.post(invitations_url(pseudonymous, f"participants/{anna.pk}/resend/"), follow=True)

    assert smtp_server.messages == []
    assert "Nothing was sent" in refused.content.decode()


def test_counts_below_the_threshold_are_suppressed_on_the_invitations_page_as_on_the_dashboard(
    client, pseudonymous, smtp_server, settings
):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 5
    client.force_login(member(pseudonymous, "owner", "owner"))
    upload(client, pseudonymous, participant_csv([(ANNA, "de"), (BEN, "en")], header="email,language"))
    for person in Participant.objects.all():
        client.post(invitations_url(pseudonymous, f"participants/{person.pk}/resend/"))

    page = client.get(invitations_url(pseudonymous)).content.decode()
    progress = client.get(invitations_url(pseudonymous, "progress/")).json()
    dashboard = client.get(f"/studies/study/waves/{pseudonymous.slug}/").content.decode()

    assert re.search(r'data-count="invited">&lt; 5<', page) and re.search(r'data-count="listed">&lt; 5<', page)
    assert progress["counts"]["invited"] == "< 5" and progress["counts"]["started"] == "0"
    assert "&lt; 5" in dashboard


def test_closing_a_wave_asks_first_then_deletes_the_addresses_and_cancels_the_reminders(client, pseudonymous, smtp_server):
    client.force_login(member(pseudonymous, "owner", "owner"))
    upload(client, pseudonymous, participant_csv([(ANNA, "de"), (BEN, "en")], header="email,language"))
    client.post(invitations_url(pseudonymous, "send/"), {"kind": "invitation", "send_at": ""})
    assert Mailout.objects.filter(status=Mailout.Status.SCHEDULED).count() == 3  # the invitations and two reminders
    close_url = f"/studies/study/waves/{pseudonymous.slug}/close/"

    asked = client.get(close_url).content.decode()
    assert Participant.objects.count() == 2 and pseudonymous.is_open(timezone.now())
    closed = client.post(close_url, follow=True).content.decode()

    assert "The participant list (2 people) is deleted now" in asked
    assert "3 scheduled mailings (reminders) are cancelled" in asked
    assert "The participant list (2 people) was deleted and 3 scheduled mailings were cancelled" in closed
    assert Participant.objects.count() == 0
    assert set(Mailout.objects.values_list("status", flat=True)) == {Mailout.Status.CANCELLED}
    assert ParticipantFrame.objects.get(wave=pseudonymous).listed == 2
    page = client.get(invitations_url(pseudonymous)).content.decode()
    assert "The participant list was deleted when the wave closed" in page
    assert "Cancelled" in page or "cancelled" in page


def test_the_invitations_pages_sit_in_the_workspace_with_the_study_navigation(client, pseudonymous):
    client.force_login(member(pseudonymous, "owner", "owner"))

    for url in (invitations_url(pseudonymous), invitations_url(pseudonymous, "texts/invitation/de/")):
        page = client.get(url).content.decode()
        assert 'class="workspace-nav"' in page and 'href="/studies/study/"' in page, url
        assert f'href="/studies/study/waves/{pseudonymous.slug}/invitations/"' in page, url


def test_the_mail_text_heading_names_kind_and_language_in_words(client, pseudonymous):
    client.force_login(member(pseudonymous, "owner", "owner"))

    page = client.get(invitations_url(pseudonymous, "texts/invitation/de/"), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert ": Einladung (Deutsch)</h1>" in page and "(de)" not in page


def test_a_scheduled_reminder_is_never_sent_after_closing(client, pseudonymous, smtp_server):
    client.force_login(member(pseudonymous, "owner", "owner"))
    upload(client, pseudonymous, participant_csv([(ANNA, "de")], header="email,language"))
    client.post(invitations_url(pseudonymous, "send/"), {"kind": "reminder",
                                                        "send_at": timezone.localtime(timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    client.post(f"/studies/study/waves/{pseudonymous.slug}/close/")

    assert run_mailout(Mailout.objects.get().pk) is None
    assert smtp_server.messages == []
