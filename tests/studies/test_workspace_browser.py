"""A researcher runs a study in Chromium: log in, upload, preview, open a wave, watch, export, report.

Every workspace page on the way is scanned with axe-core (tests/axe, installed by `make axe`);
serious and critical violations fail the test.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from studies.models import Study
from surveys import services
from surveys.demo import DEMO_INSTRUMENT, add_synthetic_responses
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.reports.conftest import DEMO_PLAN
from tests.studies.builders import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
REPORT_TIMEOUT_MS = 180_000


@pytest.fixture
def workspace_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPTAKE_REPORTS_DIR = tmp_path / "reports"
    settings.UPTAKE_EXPORTS_DIR = tmp_path / "exports"
    settings.UPTAKE_ANALYSIS_PLAN = DEMO_PLAN
    settings.UPTAKE_DASHBOARD_REFRESH_SECONDS = 1
    # One respondent must show as 1, not "< 5": this test watches a single response arrive.
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}; `make axe` installs it")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document)).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""")


class Scanned:
    """Records axe-core's findings for every page the researcher sees."""

    def __init__(self, page):
        self.page, self.findings = page, {}

    def check(self):
        found = serious_violations(self.page)
        if found:
            self.findings[self.page.url] = found


def test_a_researcher_runs_a_study_from_the_browser(chromium_browser, live_server, workspace_settings):  # noqa: F811
    make_user("researcher-b", can_create_studies=True)
    page = new_visitor(chromium_browser)
    scan = Scanned(page)

    # Log in (locally; SSO goes through the same allauth login) and create a study.
    page.goto(f"{live_server.url}/studies/")
    page.get_by_label("Username").fill("researcher-b")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your studies")).to_be_visible()
    scan.check()
    page.get_by_label("Title").fill("AI platform survey")
    page.get_by_label("Short name (used in addresses)").fill("ai-survey")
    page.get_by_role("button", name="Create study").click()
    expect(page.get_by_role("heading", name="AI platform survey", level=1)).to_be_visible()
    scan.check()

    # Upload the demo questionnaire.
    page.get_by_role("link", name="Upload a questionnaire file").click()
    scan.check()
    page.get_by_label("Questionnaire file", exact=False).set_input_files(str(DEMO_INSTRUMENT))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Questionnaire version 1: created.")).to_be_visible()
    scan.check()

    # Preview two pages in both languages, one of them shown only for some earlier answers.
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.get_by_role("group", name="Which of these best describes your main role?")).to_be_visible()
    scan.check()
    page.get_by_role("link", name="Diese Seite auf Deutsch").click()
    expect(page.get_by_role("group", name="Welche Tätigkeit beschreibt Ihre Hauptaufgabe am besten?")).to_be_visible()
    scan.check()
    page.locator(".preview-bar summary").click()  # "Vorschau als": the preview speaks the page's language
    page.locator("#as-frequency").select_option("never")
    page.locator(".preview-as button").click()
    page.get_by_role("link", name="Gründe für die Nichtnutzung").click()  # pages are listed by title, not code
    expect(page.locator(".respondent-preview h2")).to_have_text("Gründe für die Nichtnutzung")
    expect(page.get_by_text("Befragte mit diesen Antworten sehen diese Seite nicht.")).to_have_count(0)
    scan.check()
    page.get_by_role("link", name="This page in English").click()
    expect(page.locator(".respondent-preview h2")).to_have_text("Reasons for not using the platform")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    scan.check()

    # Create and open a wave (scheduled first, then opened by hand).
    page.goto(f"{live_server.url}/studies/ai-survey/waves/new/")
    page.get_by_label("Title").fill("Spring 2026")
    page.get_by_label("Short name (used in the survey address)").fill("spring-2026")
    page.get_by_label("Opens at").fill("2030-01-01T09:00")
    page.get_by_label("Closes at").fill("2030-03-01T09:00")
    page.get_by_role("button", name="Create wave").click()
    expect(page.get_by_text("(scheduled)")).to_be_visible()
    page.get_by_role("button", name="Open now").click()
    expect(page.get_by_text("The wave is open.")).to_be_visible()
    scan.check()
    expect(page.locator("dd[data-count='2']")).to_have_text("0")  # started

    # A respondent in another browser answers the first page; the dashboard counts them without a reload.
    wave = Study.objects.get(slug="ai-survey").waves().get()
    [(_identifier, token)] = services.create_invitations(wave, count=1)
    respondent = new_visitor(chromium_browser)
    respondent.goto(f"{live_server.url}/i/{token}/")
    respondent.get_by_label("I have read the information and take part in the survey voluntarily.").check()
    respondent.get_by_role("button", name="Start").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.locator("dd[data-count='0']")).to_have_text("1")  # invited
    expect(page.locator("dd[data-count='2']")).to_have_text("1", timeout=10_000)  # started
    respondent.context.close()

    # Enough synthetic responses for the statistics of a report.
    add_synthetic_responses(wave, 40, seed=11)

    # Export as SPSS and download it.
    page.get_by_role("link", name="Exports").click()
    page.get_by_label("Format").select_option("sav")
    page.get_by_role("button", name="Start export").click()
    scan.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (zip)").click()
    assert download.value.suggested_filename.endswith(".zip")

    # Start a publication report and download it; the list names who built it and its hashes.
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Report", exact=True).select_option("publication")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Build in the background").click(timeout=REPORT_TIMEOUT_MS)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible(timeout=REPORT_TIMEOUT_MS)
    expect(page.locator("#jobs")).to_contain_text("researcher-b")
    scan.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # The other workspace pages: responses, one response, members, audit log (which lists the downloads).
    page.get_by_role("link", name="Responses", exact=True).click()
    scan.check()
    page.locator("tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Response #")
    scan.check()
    page.get_by_role("link", name="Members", exact=True).click()
    scan.check()
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("file downloaded")
    expect(page.locator("tbody")).to_contain_text("single response viewed")
    scan.check()
    assert scan.findings == {}
