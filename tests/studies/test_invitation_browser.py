"""A participant follows the link in the invitation they received and lands in their own survey."""

import pytest
from playwright.sync_api import expect

from studies.models import Participant
from surveys.models import Response
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.studies.builders import send_invitations
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
