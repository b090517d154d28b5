"""A new researcher's first study, end to end in Chromium, the way a LimeSurvey or REDCap user tries it:
a study from the demo template with one question edited in the browser, a pseudonymous wave, three e-mail addresses, the mails through a
real SMTP server, one participant answering from their mail, the participant table following, the
wave closed (with confirmation) and its list gone, then export, report and the Word manuscript.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from studies.models import Mailout, Participant, Study
from surveys.demo import add_synthetic_responses
from surveys.models import Response
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.reports.conftest import DEMO_PLAN
from tests.studies.builders import PASSWORD, make_user
from tests.studies.mail_builders import participant_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNA, BEN, CARLA = "anna.schmidt@klinikum.example", "ben.meyer@klinikum.example", "carla.vogel@klinikum.example"
REPORT_TIMEOUT_MS = 180_000


def run_task_worker() -> None:
    """What `manage.py db_worker` does in production: run every task that is due, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


def test_a_new_researcher_runs_a_pseudonymous_wave_by_e_mail_from_start_to_manuscript(
    chromium_browser, live_server, smtp_server, settings, tmp_path  # noqa: F811
):
    settings.UPTAKE_BASE_URL = live_server.url
    settings.UPTAKE_REPORTS_DIR = tmp_path / "reports"
    settings.UPTAKE_EXPORTS_DIR = tmp_path / "exports"
    settings.UPTAKE_ANALYSIS_PLAN = DEMO_PLAN
    make_user("new-researcher", can_create_studies=True)
    page = new_visitor(chromium_browser)

    # Log in, create a study from the demo template, edit one question, check it in both languages.
    page.goto(f"{live_server.url}/studies/")
    page.get_by_label("Username").fill("new-researcher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Title").fill("KI-Plattform 2026")
    page.get_by_label("Short name (used in addresses)").fill("ki-2026")
    page.get_by_label("Start with").select_option("demo")
    page.get_by_role("button", name="Create study").click()
    page.get_by_role("link", name="Edit the questionnaire in the browser").click()
    editor = page.get_by_label("Questionnaire (YAML)")
    text = editor.input_value()
    assert "In which area do you mainly work?" in text
    editor.fill(text.replace("In which area do you mainly work?", "In which area do you work?", 1))
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator("section[lang=en]")).to_contain_text("In which area do you work?")
    expect(page.locator("section[lang=de]")).to_contain_text("In welchem Bereich arbeiten Sie überwiegend?")
    page.get_by_role("button", name="Save as new version").click()
    assert Study.objects.get(slug="ki-2026").instrument.latest_version().spec.item("department").text.en == \
        "In which area do you work?"

    # A pseudonymous wave, open now.
    page.goto(f"{live_server.url}/studies/ki-2026/waves/new/")
    page.get_by_label("Title").fill("Welle 1")
    page.get_by_label("Short name (used in the survey address)").fill("welle-1")
    page.get_by_label("Privacy mode").select_option("pseudonymous")
    page.get_by_label("Opens at").fill("2030-01-01T09:00")
    page.get_by_label("Closes at").fill("2030-03-01T09:00")
    page.get_by_role("button", name="Create wave").click()
    page.get_by_role("button", name="Open now").click()
    expect(page.get_by_text("The wave is open.")).to_be_visible()

    # Three people by e-mail address and language only; the platform knows none of them.
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.get_by_label("Participant list (CSV)").set_input_files(files=[{
        "name": "teilnehmende.csv", "mimeType": "text/csv",
        "buffer": participant_csv([(ANNA, "de"), (BEN, "en"), (CARLA, "de")], header="email,language").encode()}])
    page.get_by_role("button", name="Add participants").click()
    expect(page.get_by_text("3 participants added.")).to_be_visible()
    expect(page.get_by_text("have no account on the AI platform")).to_be_visible()
    table = page.locator("#participants tbody")
    expect(table.locator("tr")).to_have_count(3)
    expect(table).to_contain_text("Not invited yet")

    # Send; the task worker delivers to the SMTP server, each mail in its person's language.
    page.get_by_role("button", name="Send in the background").click()
    run_task_worker()
    assert sorted(message.to for message in smtp_server.messages) == [ANNA, BEN, CARLA]
    anna_mail = smtp_server.to(ANNA)[0]
    assert anna_mail.subject == "Einladung zur Umfrage: Welle 1"
    page.reload()
    expect(table.locator("[data-field=status]", has_text="Invited")).to_have_count(3)

    # Anna answers the first page from the link in her mail; her row says so.
    anna = new_visitor(chromium_browser, locale="de-DE")
    anna.goto(anna_mail.link)
    anna.get_by_label("Ich habe die Informationen gelesen", exact=False).check()
    anna.get_by_role("button", name="Beginnen").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Zu Ihrer Person")
    anna.get_by_role("group", name="Welche Tätigkeit beschreibt Ihre Hauptaufgabe am besten?").get_by_label("Pflege").check()
    anna.get_by_label("In welchem Bereich arbeiten Sie überwiegend?").select_option(label="Chirurgie")
    anna.get_by_role("group", name=re.compile("^Wie viel Erfahrung haben Sie")).get_by_role("radio").nth(1).check()
    anna.get_by_role("button", name="Weiter").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Ihre Nutzung der KI-Plattform")
    anna.context.close()
    page.reload()
    expect(table.locator("tr", has_text="a***@k***.example").locator("[data-field=status]")).to_contain_text("Started")
    response = Response.objects.get()
    assert response.status == "in_progress" and response.language == "de"
    assert set(response.answers.values_list("item", flat=True)) == {"role", "department", "experience_ai"}

    # Close the wave: asked first, then the addresses are gone and the reminders cancelled.
    page.get_by_role("link", name="Dashboard", exact=False).click()
    page.get_by_role("link", name="Close now").click()
    expect(page.get_by_text("The participant list (3 people) is deleted now")).to_be_visible()
    expect(page.get_by_text("2 scheduled mailings (reminders) are cancelled.")).to_be_visible()
    assert Participant.objects.count() == 3  # nothing happens before the confirmation
    page.get_by_role("button", name="Close the wave and delete the list").click()
    expect(page.get_by_text("The participant list (3 people) was deleted and 2 scheduled mailings were cancelled"))\
        .to_be_visible()
    assert Participant.objects.count() == 0
    assert list(Mailout.objects.filter(kind="reminder").values_list("status", flat=True)) == ["cancelled"] * 2
    page.get_by_role("link", name="Invitations", exact=True).click()
    expect(page.get_by_text("The participant list was deleted when the wave closed")).to_be_visible()
    expect(page.locator("#participants")).to_have_count(0)
    expect(page.locator("#mailouts")).to_contain_text("cancelled")

    # Export, report, Word manuscript (synthetic answers stand in for the rest of the sample).
    add_synthetic_responses(Study.objects.get(slug="ki-2026").waves().get(), 40, seed=5)
    page.get_by_role("link", name="Exports").click()
    page.get_by_role("button", name="Start export").click()
    run_task_worker()
    page.reload()
    with page.expect_download() as export:
        page.get_by_role("link", name="Download (zip)").click()
    assert export.value.suggested_filename.endswith(".zip")
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Report", exact=True).select_option("publication")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Build in the background").click()
    run_task_worker()
    page.reload()
    expect(page.get_by_role("link", name="Word manuscript")).to_be_visible(timeout=REPORT_TIMEOUT_MS)
    with page.expect_download() as manuscript:
        page.get_by_role("link", name="Word manuscript").click()
    assert manuscript.value.suggested_filename.endswith(".docx")
    assert Path(manuscript.value.path()).read_bytes().startswith(b"PK")
    page.context.close()
