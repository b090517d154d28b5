"""A respondent takes the demo survey in a real browser, through an invitation link.

Everything is done as a person would: clicking labels, the Back button, closing the browser and
opening the link again later, on a phone without JavaScript, and with the keyboard only. Answers
are chosen by their English wording in surveys/demo/ai_platform_survey.yaml; the expected stored
values are written out by hand.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys import services
from surveys.models import Answer, Response, Wave
from tests.browser import chromium_browser, new_visitor  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_INSTRUMENT = Path(__file__).resolve().parents[2] / "surveys" / "demo" / "ai_platform_survey.yaml"
CONSENT = "I have read the information and take part in the survey voluntarily."
LINKAGE = "I agree that my answers are linked with my usage records"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36",
}

ROLE = "Which of these best describes your main role?"
DEPARTMENT = "In which area do you mainly work?"
EXPERIENCE = "How much experience do you have with generative AI in general"
FREQUENCY = "How often do you use the AI platform?"
USE_CASES = "What do you use the AI platform for?"
CHANNEL = "How do you access the AI platform? You can choose more than one answer."
MODELS = "Which language models have you used on the platform?"
DATA_KINDS = "Which kinds of data have you entered into or uploaded to the AI platform?"
RULES_CLARITY = "I know which data I am allowed to enter into the AI platform."
PRIVACY = "I am confident that what I enter into the AI platform does not leave the hospital."
SENSITIVE_PURPOSE = "What did you enter these data for?"
OTHER_PURPOSE = "Other purpose, please specify:"

# Matrix rows are fieldsets named by the row's text; every row offers the same labels.
SUS_ROWS = {
    "I think that I would like to use this system frequently.": "Agree",
    "I found the system unnecessarily complex.": "Disagree",
    "I thought the system was easy to use.": "Strongly agree",
    "I think that I would need the support of a technical person": "Strongly disagree",
    "I found the various functions in this system were well integrated.": "Neither agree nor disagree",
    "I thought there was too much inconsistency in this system.": "Disagree",
    "I would imagine that most people would learn to use this system very quickly.": "Agree",
    "I found the system very cumbersome to use.": "Strongly disagree",
    "I felt very confident using the system.": "Agree",
    "I needed to learn a lot of things before I could get going with this system.": "Disagree",
}
RELIABILITY_ROWS = {
    "The platform is available when I need it.": "Agree",
    "The platform responds fast enough for my work.": "Neither agree nor disagree",
    "The quality of the answers meets my needs.": "Can't say",
}
USEFULNESS_ROWS = {
    "I would find the AI platform useful in my job.": "Strongly agree",
    "Using the AI platform enables me to accomplish tasks more quickly.": "Agree",
    "Using the AI platform increases my productivity.": "Somewhat agree",
    "Using the AI platform would improve my job performance.": "Neither agree nor disagree",
}
TRUST_ROWS = {
    "The system is capable of interpreting situations correctly.": "Rather agree",
    "The system works reliably.": "Rather agree",
    "A system malfunction is likely.": "Rather disagree",
    "The system is capable of taking over complicated tasks.": "Neither disagree nor agree",
    "The system might make sporadic errors.": "Strongly agree",
    "I am confident about the system's capabilities.": "Rather agree",
    "I trust the system.": "Rather agree",
    "I can rely on the system.": "Neither disagree nor agree",
}

# What the full walk-through below must leave in the database (lists sorted: their order is the
# display order, and use_cases is shown in a per-respondent random order).
EXPECTED_ANSWERS = {
    "role": "physician",
    "department": "internal_medicine",
    "experience_ai": 4,
    "frequency": "several_weekly",
    "channel": ["chat"],
    "perceived_privacy": 4,
    "use_cases": ["summarising", "translation"],
    "models_used": ["llama", "qwen"],
    "data_kinds": ["patient_pseudonymized", "public"],
    "rules_clarity": 4,
    "sensitive_purpose": ["other", "research"],
    "checked_rules": "partly",
    "aware_onprem": 5,
    "sus_01": 4, "sus_02": 2, "sus_03": 5, "sus_04": 1, "sus_05": 3,
    "sus_06": 2, "sus_07": 4, "sus_08": 1, "sus_09": 4, "sus_10": 2,
    "overall_satisfaction": 4,
    "compare_commercial": "same",
    "nps": 8,
    "rel_availability": 4,
    "rel_speed": 3,
    "rel_answer_quality": "na",
    "hallucinations": 2,
    "slow_times": "sometimes",
    "pe_1": 7, "pe_2": 6, "pe_3": 5, "pe_4": 4,
    "trust_1": 4, "trust_2": 4, "trust_3": 2, "trust_4": 3,
    "trust_5": 5, "trust_6": 4, "trust_7": 4, "trust_8": 3,
    "missing_features": ["training"],
    "wishes": "Please add a model that writes good German discharge letters.",
}


@pytest.fixture
def demo_wave():
    version = services.import_instrument(DEMO_INSTRUMENT).version
    now = timezone.now()
    return Wave.objects.create(
        slug="demo-spring",
        title="Demo, spring",
        instrument_version=version,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        privacy_mode=Wave.PrivacyMode.ANONYMOUS,
    )


@pytest.fixture
def invitation_link(live_server, demo_wave):
    [(_identifier, token)] = services.create_invitations(demo_wave, count=1)
    return f"{live_server.url}/i/{token}/"


def question(page, text):
    """The fieldset of a question (or of a matrix row), found by its legend."""
    return page.get_by_role("group", name=text)


def choose(page, text, *labels):
    for label in labels:
        question(page, text).get_by_label(label, exact=True).check()


def choose_rows(page, rows):
    for row, label in rows.items():
        choose(page, row, label)


def expect_page(page, title):
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def next_page(page):
    page.get_by_role("button", name="Next").click()


def back(page):
    page.get_by_role("button", name="Back").click()


def start(page, invitation_link):
    page.goto(invitation_link)
    expect_page(page, "AI platform user survey")
    expect(page.get_by_label(LINKAGE)).to_have_count(0)  # an anonymous link has nothing to link
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Start").click()


def stored_answers(response):
    return {
        answer.item: sorted(answer.value) if isinstance(answer.value, list) else answer.value
        for answer in response.answers.all()
    }


def test_respondent_leaves_midway_resumes_from_the_link_and_every_answer_is_stored(
    chromium_browser, invitation_link  # noqa: F811
):
    page = new_visitor(chromium_browser)
    start(page, invitation_link)

    expect_page(page, "About you")
    choose(page, ROLE, "Physician")
    page.get_by_label(DEPARTMENT).select_option(label="Internal medicine")
    choose(page, EXPERIENCE, "Considerable")
    next_page(page)

    expect_page(page, "Your use of the AI platform")
    choose(page, FREQUENCY, "Several times a week")
    next_page(page)

    expect_page(page, "What you use the platform for")
    choose(page, CHANNEL, "Through the chat interface in the browser")
    choose(page, USE_CASES, "Summarising texts", "Translation")
    choose(page, MODELS, "Llama (Meta)", "Qwen")
    back(page)

    expect_page(page, "Your use of the AI platform")
    expect(question(page, FREQUENCY).get_by_label("Several times a week")).to_be_checked()
    next_page(page)

    expect_page(page, "What you use the platform for")  # what was ticked before going back is kept
    expect(question(page, USE_CASES).get_by_label("Summarising texts")).to_be_checked()
    expect(question(page, MODELS).get_by_label("Qwen")).to_be_checked()
    next_page(page)

    expect_page(page, "The data you enter")
    choose(page, DATA_KINDS, "Pseudonymised patient data (without name, date of birth, patient or case number)")
    choose(page, DATA_KINDS, "Publicly available information (e.g. published literature, guidelines)")
    choose(page, RULES_CLARITY, "Agree")
    choose(page, PRIVACY, "Agree")
    next_page(page)

    expect_page(page, "Personal data")  # shown only because patient data were entered
    page.context.close()  # the respondent closes the browser: session and cookies are gone

    page = new_visitor(chromium_browser)
    page.goto(invitation_link)

    expect(page).to_have_url(re.compile(r"/p/sensitive_data/$"))
    expect_page(page, "Personal data")
    back(page)
    expect_page(page, "The data you enter")
    expect(question(page, RULES_CLARITY).get_by_label("Agree", exact=True)).to_be_checked()
    expect(question(page, DATA_KINDS).get_by_label("Pseudonymised patient data")).to_be_checked()
    expect(question(page, DATA_KINDS).get_by_label("Publicly available information")).to_be_checked()
    next_page(page)

    expect_page(page, "Personal data")
    choose(page, SENSITIVE_PURPOSE, "Research (e.g. analysing study data)")
    question(page, SENSITIVE_PURPOSE).get_by_role("checkbox", name=OTHER_PURPOSE).check()
    question(page, SENSITIVE_PURPOSE).get_by_role("textbox", name=f"Details for “{OTHER_PURPOSE.rstrip(' :')}”").fill("Preparing a tumour board")
    choose(page, "did you check whether the platform's rules for use allow entering them?", "Partly")
    choose(page, "I was aware that the AI platform runs on the hospital's own servers", "Strongly agree")
    next_page(page)

    expect_page(page, "Usability and satisfaction")
    choose_rows(page, SUS_ROWS)
    choose(page, "Overall, how satisfied are you with the AI platform?", "Somewhat satisfied")
    choose(page, "how does the AI platform compare with commercial AI tools", "About the same")
    choose(page, "How likely is it that you would recommend the AI platform to a colleague?", "8")
    next_page(page)

    expect_page(page, "Availability and quality")
    choose_rows(page, RELIABILITY_ROWS)
    choose(page, "How often have you received answers that were wrong or made up", "Rarely")
    choose(page, "Have you noticed that the platform responds more slowly", "Yes, occasionally")
    next_page(page)

    expect_page(page, "Usefulness of the AI platform")
    choose_rows(page, USEFULNESS_ROWS)
    next_page(page)

    expect_page(page, "Trust in the answers")
    choose_rows(page, TRUST_ROWS)
    next_page(page)

    expect_page(page, "Your wishes")
    choose(page, "Which features would make working with the AI platform easier for you?", "Training and guides")
    page.get_by_label("What should we improve about the AI platform?").fill(EXPECTED_ANSWERS["wishes"])
    page.get_by_role("button", name="Submit").click()

    expect_page(page, "Thank you")
    expect(page.get_by_text("Thank you for taking part!")).to_be_visible()
    page.context.close()

    response = Response.objects.get()
    assert response.status == Response.Status.COMPLETED
    assert response.completed_at is not None
    assert stored_answers(response) == EXPECTED_ANSWERS
    assert Answer.objects.get(response=response, item="sensitive_purpose").other_text == "Preparing a tumour board"
    visits = list(response.page_visits.all())
    assert [visit.page for visit in visits] == [
        "about_you", "usage", "use", "usage", "use", "data", "sensitive_data",  # left here
        "data", "sensitive_data",  # resumed, went back once
        "satisfaction", "reliability", "acceptance", "trust_in_answers", "wishes",
    ]
    assert all(visit.left_at is not None for visit in visits)


def test_the_survey_works_on_a_phone_without_javascript(chromium_browser, invitation_link):  # noqa: F811
    page = new_visitor(chromium_browser, java_script_enabled=False, **PHONE)
    page.goto(invitation_link)

    page.get_by_role("button", name="Start").click()  # without consent: the server says why
    expect(page.get_by_role("alert")).to_contain_text("Please confirm that you agree to take part.")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Start").click()

    expect_page(page, "About you")
    choose(page, ROLE, "Nursing")
    page.get_by_label(DEPARTMENT).select_option(label="Anaesthesiology and intensive care")
    choose(page, EXPERIENCE, "Little")
    next_button = page.get_by_role("button", name="Next")
    box = next_button.bounding_box()
    assert box["x"] + box["width"] <= PHONE["viewport"]["width"], "the Next button is off-screen on a phone"
    next_page(page)

    expect_page(page, "Your use of the AI platform")
    choose(page, FREQUENCY, "I have never used it")
    next_page(page)

    expect_page(page, "Reasons for not using the platform")  # the non-users' branch
    back(page)
    expect(question(page, FREQUENCY).get_by_label("I have never used it")).to_be_checked()
    back(page)
    expect_page(page, "About you")
    expect(question(page, ROLE).get_by_label("Nursing")).to_be_checked()
    expect(page.get_by_label(DEPARTMENT)).to_have_value("anaesthesiology_icu")
    expect(question(page, EXPERIENCE).get_by_label("Little")).to_be_checked()
    page.context.close()

    response = Response.objects.get()
    assert response.status == Response.Status.IN_PROGRESS
    assert response.device == "phone"
    assert stored_answers(response) == {
        "role": "nursing", "department": "anaesthesiology_icu", "experience_ai": 2, "frequency": "never",
    }


def tab_to(page, name, value=None, limit=40):
    """Press Tab until the focused element has this name (and value); fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.name, document.activeElement.value]")
        if focused[0] == name and value in (None, focused[1]):
            return
    pytest.fail(f"Tab never reached the field {name!r}")


def test_keyboard_only_answers_a_page_and_errors_are_tied_to_their_question(
    chromium_browser, invitation_link  # noqa: F811
):
    page = new_visitor(chromium_browser)
    start(page, invitation_link)
    expect_page(page, "About you")

    tab_to(page, "role")  # Tab enters the radio group on its first option
    page.keyboard.press("ArrowDown")  # and the arrow keys move the choice: Physician -> Nursing
    tab_to(page, "department")
    page.keyboard.press("ArrowDown")  # a closed select changes its value with the arrow keys
    tab_to(page, "experience_ai")
    page.keyboard.press("Space")  # the first option: None
    tab_to(page, "next")
    page.keyboard.press("Enter")

    expect_page(page, "Your use of the AI platform")
    response = Response.objects.get()
    assert stored_answers(response) == {"role": "nursing", "department": "internal_medicine", "experience_ai": 1}

    page.get_by_role("button", name="Next").click()  # the required frequency left unanswered

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check your answers")
    expect(summary.get_by_role("link")).to_have_text(f"{FREQUENCY}: This field is required.")
    fieldset = question(page, FREQUENCY)
    error = page.locator(".field-error")
    expect(error).to_contain_text("This field is required.")
    error_id = error.get_attribute("id")
    assert error_id in fieldset.get_attribute("aria-describedby").split()
    expect(fieldset).to_have_accessible_description(re.compile("This field is required."))
    assert summary.get_by_role("link").get_attribute("href") == f"#{fieldset.get_attribute('id')}"
    expect(page).to_have_url(re.compile(r"/p/usage/$"))
    page.context.close()


def test_pressing_enter_in_a_text_field_moves_forward_not_back(chromium_browser, invitation_link):  # noqa: F811
    page = new_visitor(chromium_browser)
    start(page, invitation_link)
    choose(page, ROLE, "Physician")
    page.get_by_label(DEPARTMENT).select_option(label="Internal medicine")
    choose(page, EXPERIENCE, "Considerable")
    next_page(page)
    choose(page, FREQUENCY, "Several times a week")
    next_page(page)
    expect_page(page, "What you use the platform for")

    choose(page, CHANNEL, "Through the chat interface in the browser")
    question(page, USE_CASES).get_by_role("checkbox", name="Other, please specify:").check()
    other = question(page, USE_CASES).get_by_role("textbox", name="Details for “Other, please specify”")
    other.fill("Writing SOPs")
    with page.expect_navigation():
        other.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "The data you enter"
    page.context.close()
