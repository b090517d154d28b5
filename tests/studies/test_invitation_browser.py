"""A participant follows the link in the invitation they received and lands in their own survey."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from studies.models import Membership, Participant, Study
from surveys.models import Response
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.studies.mail_builders import participant_csv, send_invitations
from tests.surveys.builders import make_wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNA, BEN = "anna.schmidt@klinikum.example", "ben.meyer@klinikum.example"


def test_the_link_in_a_received_mail_opens_that_participants_survey(
    tmp_path, smtp_server, settings, live_server, chromium_browser  # noqa: F811
):
    settings.UPTAKE_BASE_URL = live_server.url
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ANNA, "de", "physician"), (BEN, "en", "nurse")])
    ben_mail = smtp_server.to(BEN)[0]

    page = new_visitor(chromium_browser)
    page.goto(ben_mail.link)

    expect(page.get_by_text("Information about the study.")).to_be_visible()
    page.get_by_label("I agree to take part.").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    ben = Participant.objects.get(language="en")
    assert Response.objects.get(wave=wave).invitation_id == ben.invitation_id
    assert Response.objects.get(wave=wave).status == "in_progress"
    page.context.close()


def test_the_workspace_page_follows_a_mailout_without_reloading(
    tmp_path, smtp_server, settings, live_server, chromium_browser, client  # noqa: F811
):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1  # two invitations must show as 2, not "< 5"
    wave = make_wave(tmp_path)
    owner = get_user_model().objects.create_user("owner", password="pw-owner")
    study = Study.objects.create(slug="study", title="Study", instrument=wave.instrument_version.instrument)
    Membership.objects.create(study=study, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    page = new_visitor(chromium_browser)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(f"{live_server.url}/studies/{study.slug}/waves/{wave.slug}/invitations/")

    page.get_by_label("Participant list (CSV)").set_input_files(files=[{
        "name": "participants.csv", "mimeType": "text/csv",
        "buffer": participant_csv([(ANNA, "de", "physician"), (BEN, "en", "nurse")]).encode("utf-8")}])
    page.get_by_role("button", name="Add participants").click()
    expect(page.get_by_text("2 participants added.")).to_be_visible()
    expect(page.get_by_text("a***@k***.example")).to_be_visible()
    page.get_by_role("button", name="Send in the background").click()
    mailout_row = page.locator("#mailouts tbody tr", has_text="invitation")
    expect(mailout_row).to_contain_text("scheduled")

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    expect(mailout_row.locator('[data-field="sent"]')).to_have_text("2")
    expect(mailout_row.locator('[data-field="status_display"]')).to_have_text("finished")
    expect(page.locator('[data-count="invited"]')).to_have_text("2")
    assert sorted(message.to for message in smtp_server.messages) == [ANNA, BEN]
    page.context.close()
