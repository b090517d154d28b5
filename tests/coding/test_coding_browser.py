"""Two coders code a sample blind in Chromium, the model codes every answer through the real local
server, the disagreements view shows where they differ, and the report shows agreement and categories."""

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coding.services import draw_sample
from surveys.demo import add_synthetic_responses
from surveys.models import Answer
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)
from tests.coding.builders import add_wish_answers, flat, wishes_codebook
from tests.llm_fixtures import MODEL_ALIAS, llm_server  # noqa: F401 (fixture)
from tests.reports.conftest import DEMO_PLAN
from tests.studies.builders import PASSWORD, study_with_members
from tests.studies.test_workspace_browser import REPORT_TIMEOUT_MS, Scanned

pytestmark = [pytest.mark.browser, pytest.mark.llm, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "Schnellere Antworten am Vormittag wären gut.", "Please add a larger model for coding.",
    "Mehr Vorlagen für Arztbriefe.", "Integration with the hospital information system.",
    "Nichts, bin zufrieden.", "Timeouts bei größeren Dokumenten.",
]


@pytest.fixture
def coding_settings(settings, tmp_path, llm_server):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPTAKE_REPORTS_DIR = tmp_path / "reports"
    settings.UPTAKE_ANALYSIS_PLAN = DEMO_PLAN
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 1
    settings.UPTAKE_CODING_ENDPOINT = llm_server
    settings.UPTAKE_CODING_MODEL = MODEL_ALIAS
    settings.UPTAKE_CODING_MAX_TOKENS = 200


def sign_in(browser, live_server, username):
    page = new_visitor(browser)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    return page


def code_all(page, choices):
    """Code the sample's answers one by one: `choices` maps answer text to the code label to tick."""
    while page.locator("#answer-text").count():
        text = page.locator("#answer-text").inner_text()
        page.get_by_label(choices.get(text, "Speed"), exact=True).check()
        page.get_by_role("button", name="Save and next").click()
    expect(page.locator("#sample-done")).to_be_visible()


def test_two_coders_the_model_the_disagreements_and_the_report(chromium_browser, live_server, coding_settings):  # noqa: F811
    cast = study_with_members()
    add_wish_answers(cast.wave, TEXTS)
    draw_sample(cast.wave, wishes_codebook(), size=len(TEXTS), seed=3)  # the sample: exactly these answers
    add_synthetic_responses(cast.wave, 20, seed=5)  # enough responses for the report's statistics
    # The model run happens inside one click: only the sample's six answers go to the server, so the
    # click stays within its limit on a 2-core machine (the command-line tests code whole waves).
    Answer.objects.filter(response__wave=cast.wave, item="wishes").exclude(value__in=TEXTS).delete()
    base = f"{live_server.url}/studies/{cast.study.slug}/waves/{cast.wave.slug}"

    analyst = sign_in(chromium_browser, live_server, cast.analyst.username)
    scan = Scanned(analyst)
    analyst.goto(f"{base}/coding/")
    scan.check()
    analyst.get_by_role("link", name="Code this sample").first.click()
    expect(analyst.locator("#progress")).to_contain_text("You have coded 0 of")
    scan.check()
    code_all(analyst, {TEXTS[2]: "Training and templates"})

    owner = sign_in(chromium_browser, live_server, cast.owner.username)
    owner.goto(f"{base}/coding/")
    owner.get_by_role("link", name="Code this sample").first.click()
    expect(owner.locator("#progress")).to_contain_text("You have coded 0 of")  # blind: nothing of the analyst's
    code_all(owner, {TEXTS[2]: "Other"})

    # The site's model codes every answer in the background (immediate here), through the real server.
    analyst.goto(f"{base}/coding/")
    analyst.get_by_role("button", name="Code all answers with the site's model").click(timeout=REPORT_TIMEOUT_MS)
    expect(analyst.locator("body")).to_contain_text("finished", timeout=REPORT_TIMEOUT_MS)

    analyst.get_by_role("link", name="Agreement and disagreements").first.click()
    expect(analyst.locator("#disagreements")).to_contain_text(TEXTS[2])
    expect(analyst.locator("#disagreements")).to_contain_text("Training and templates")
    expect(analyst.locator("#disagreements")).to_contain_text("Other")
    expect(analyst.locator("#agreement")).to_contain_text("Krippendorff")
    expect(analyst.locator("#gate")).to_contain_text(MODEL_ALIAS)
    scan.check()

    analyst.get_by_role("link", name="Reports").click()
    analyst.get_by_label("Report", exact=True).select_option("publication")
    analyst.get_by_label("Language").select_option("en")
    analyst.get_by_role("button", name="Build in the background").click(timeout=REPORT_TIMEOUT_MS)
    expect(analyst.get_by_role("link", name="Download PDF")).to_be_visible(timeout=REPORT_TIMEOUT_MS)
    with analyst.expect_download() as download:
        analyst.get_by_role("link", name="Download PDF").click()
    text = flat(subprocess.run(["pdftotext", "-layout", str(Path(download.value.path())), "-"], capture_output=True,
                               text=True, check=True).stdout)
    assert "Agreement between coders per code" in text
    assert "Coded categories" in text
    assert MODEL_ALIAS in text
    for answer in TEXTS:
        assert answer not in text  # categories only, never the answers' wording
    assert scan.findings == {}
