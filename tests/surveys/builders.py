"""Small builders for survey tests: a four-page instrument and open waves using it."""

from html.parser import HTMLParser

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from surveys import services
from surveys.models import Response, Wave

SMALL_INSTRUMENT = """
code: small
title: {de: Kleine Umfrage, en: Small survey}
information: {de: Informationen zur Studie., en: Information about the study.}
consent:
  agree: {de: Ich bin einverstanden., en: I agree to take part.}
  linkage: {de: Verknüpfung erlaubt., en: I agree to linking my usage records.}
thanks: {de: Danke!, en: Thank you!}
label_sets:
  agree5:
    - {de: stimme gar nicht zu, en: strongly disagree}
    - {de: stimme nicht zu, en: disagree}
    - {de: teils/teils, en: neutral}
    - {de: stimme zu, en: agree}
    - {de: stimme voll zu, en: strongly agree}
pages:
  - code: about
    title: {de: Über Sie, en: About you}
    items:
      - code: role
        type: single_choice
        required: true
        text: {de: "Ihre Rolle?", en: "Your role?"}
        options:
          - {code: physician, label: {de: Ärztin/Arzt, en: Physician}}
          - {code: nurse, label: {de: Pflege, en: Nursing}}
        other: {de: "Andere, bitte angeben", en: "Other, please specify"}
  - code: data
    title: {de: Daten, en: Data}
    items:
      - code: data_kinds
        type: multiple_choice
        required: true
        text: {de: "Welche Daten?", en: "Which data do you enter?"}
        options:
          - {code: public, label: {de: Öffentliche, en: Public}}
          - {code: patient, label: {de: Patientendaten, en: Patient data}}
          - {code: none, label: {de: Keine, en: None}, exclusive: true}
  - code: sensitive
    title: {de: Sensible Daten, en: Sensitive data}
    show_if: {item: data_kinds, includes: patient}
    items:
      - code: sensitive_purpose
        type: text
        required: true
        text: {de: "Wofür?", en: "What for?"}
  - code: rating
    title: {de: Bewertung, en: Rating}
    items:
      - code: satisfaction
        type: likert
        points: 5
        labels: agree5
        not_applicable: {de: weiß nicht, en: don't know}
        required: true
        text: {de: Ich bin zufrieden., en: I am satisfied.}
      - code: hours
        type: number
        min: 0
        max: 80
        text: {de: Stunden pro Woche, en: Hours per week}
      - code: wishes
        type: textarea
        text: {de: Wünsche, en: Wishes}
"""


def make_instrument_version(tmp_path, text=SMALL_INSTRUMENT, name="small.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return services.import_instrument(path).version


def make_wave(tmp_path, slug="wave-1", privacy_mode=Wave.PrivacyMode.ANONYMOUS, opens_in_days=-1, closes_in_days=30,
              version=None):
    now = timezone.now()
    return Wave.objects.create(
        slug=slug,
        title=slug,
        instrument_version=version or make_instrument_version(tmp_path),
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
        privacy_mode=privacy_mode,
    )


def invite(wave, identifiers=()):
    """One invitation token (or one per identifier) for the wave."""
    created = services.create_invitations(wave, count=0 if identifiers else 1, identifiers=identifiers)
    return [token for _identifier, token in created] if identifiers else created[0][1]


def start(client, wave, token):
    """Open an invitation link and consent; returns the URL of the first page."""
    client.get(f"/i/{token}/")
    response = client.post(f"/s/{wave.slug}/", {"consent": "yes"})
    assert response.status_code == 302, response.content
    return response["Location"]


def post_page(client, wave, page, data, direction="next"):
    return client.post(f"/s/{wave.slug}/p/{page}/", {**data, direction: "1"})


def complete_until_last_page(client, wave):
    """Answer the small instrument's first two pages; the next page is the last."""
    post_page(client, wave, "about", {"role": "physician"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})


def answer_page(response, page, values, direction="next", language="en"):
    """Enter the page and send it as the page view does (one transaction, the response locked);
    values maps code -> value or (value, other text). Returns where the respondent goes next."""
    values = {code: value if isinstance(value, tuple) else (value, "") for code, value in values.items()}
    with transaction.atomic():
        locked = services.locked(response)
        services.enter_page(locked, page)
        return services.record_page_answers(locked, services.answers_of(locked), page, values, direction, language)


def enter_page(response, page):
    """Open the page as a GET of it does, without answering."""
    with transaction.atomic():
        services.enter_page(services.locked(response), page)


def stored_answers(response):
    return {answer.item: answer.value for answer in response.answers.all()}


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def checked_values(html, name):
    """Values of the checked radio buttons / checkboxes called name, as a respondent sees them."""
    parser = _Inputs()
    parser.feed(html)
    return [field.get("value") for field in parser.inputs if field.get("name") == name and "checked" in field]


def input_value(html, name):
    parser = _Inputs()
    parser.feed(html)
    return next((field.get("value") for field in parser.inputs if field.get("name") == name), None)


def submitted_response(wave, invitation=None, role="nurse", satisfaction=4, wishes=None):
    """A response to the small instrument sent through every page, by a new invitation (or the one given)."""
    invitation = invitation or services.find_invitation(invite(wave))
    participant = services.participant_for_invitation(invitation)
    response = services.open_response(wave, participant, language="en")
    services.give_consent(response, participant)
    answer_page(response, "about", {"role": role})
    answer_page(response, "data", {"data_kinds": ["public"]})
    answer_page(response, "rating", {"satisfaction": satisfaction, "wishes": wishes})
    return Response.all_objects.get(pk=response.pk)
