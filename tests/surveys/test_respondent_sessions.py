"""A respondent's session (the signed invitation cookie) ends at the thank-you page and after a while
without requests; it cannot be forged, and it carries nothing about the person."""

import time
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client

from surveys.models import Wave
from surveys.respondent_cookie import COOKIE, SALT
from tests.surveys.builders import complete_until_last_page, invite, make_wave, post_page, start

TWO_HOURS = 2 * 60 * 60


def later(seconds):
    """The clock `seconds` from now, for the server's expiry check."""
    return mock.patch("time.time", return_value=time.time() + seconds)


@pytest.mark.django_db
def test_the_thank_you_page_ends_the_session(tmp_path):
    wave = make_wave(tmp_path)
    client = Client()
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    post_page(client, wave, "rating", {"satisfaction": "4"})

    thanks = client.get(f"/s/{wave.slug}/thanks/")
    after = client.get(f"/s/{wave.slug}/p/about/")

    assert thanks.status_code == 200
    assert thanks.cookies[COOKIE].value == "" and thanks.cookies[COOKIE]["max-age"] == 0
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]
    assert not Session.objects.exists()  # respondents never had a session row


@pytest.mark.django_db
def test_reloading_the_thank_you_page_after_the_session_ended_thanks_again_instead_of_asking_to_log_in(tmp_path):
    wave = make_wave(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    post_page(client, wave, "rating", {"satisfaction": "4"})
    client.get(f"/s/{wave.slug}/thanks/")

    reloaded = client.get(f"/s/{wave.slug}/thanks/")  # or a retry after the first reply was lost

    assert reloaded.status_code == 200
    assert "This survey session has ended" in reloaded.text
    assert "Your answers have been saved" not in reloaded.text  # nobody is known now to have answered


@pytest.mark.django_db
@pytest.mark.parametrize("access", [Wave.Access.OPEN, Wave.Access.INVITATIONS])
def test_a_respondent_session_expires_after_two_hours_without_a_request(tmp_path, settings, access):
    wave = make_wave(tmp_path)
    wave.access = access
    wave.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})

    assert settings.UPTAKE_RESPONDENT_SESSION_SECONDS == TWO_HOURS
    with later(TWO_HOURS + 1):  # back at the page left open
        sent = post_page(client, wave, "data", {"data_kinds": ["public"]})

    assert sent.status_code == 403
    assert "Your survey session has ended" in sent.text and "open your personal invitation link again" in sent.text
    assert "not open to you" not in sent.text
    assert list(wave.responses.get().answers.values_list("item", flat=True)) == ["role"]  # nothing taken from the expired cookie


@pytest.mark.django_db
def test_after_an_expired_session_the_invitation_link_continues_where_the_respondent_left_off(tmp_path):
    wave = make_wave(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = invite(wave)
    start(client, wave, token)
    post_page(client, wave, "about", {"role": "nurse"})

    with later(TWO_HOURS + 1):
        client.get(f"/s/{wave.slug}/p/data/")
        reopened = client.get(f"/i/{token}/", follow=True)

    assert reopened.redirect_chain[-1][0] == f"/s/{wave.slug}/p/data/"
    assert reopened.status_code == 200


@pytest.mark.django_db
def test_an_expired_cookie_stays_in_the_browser_a_week_but_admits_nobody(tmp_path):
    wave = make_wave(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    start(client, wave, invite(wave))

    with later(TWO_HOURS + 1):
        after = client.get(f"/s/{wave.slug}/p/about/")

    assert client.cookies[COOKIE]["max-age"] == TWO_HOURS + 7 * 24 * 60 * 60
    assert after.status_code == 403 and "Your role?" not in after.text


@pytest.mark.django_db
def test_a_respondent_who_keeps_answering_stays_in_past_two_hours(tmp_path):
    wave = make_wave(tmp_path)
    client = Client()
    start(client, wave, invite(wave))

    with later(TWO_HOURS - 60):
        first = client.get(f"/s/{wave.slug}/p/about/")
    with later(2 * TWO_HOURS - 120):
        second = client.get(f"/s/{wave.slug}/p/about/")

    assert first.status_code == 200 and COOKIE in first.cookies  # pushed forward
    assert second.status_code == 200


@pytest.mark.django_db
def test_a_forged_cookie_naming_another_invitation_admits_nobody(tmp_path):
    wave = make_wave(tmp_path)
    victim = Client()
    start(victim, wave, invite(wave))
    post_page(victim, wave, "about", {"role": "nurse"})
    attacker = Client()
    start(attacker, wave, invite(wave))
    victims = _content(victim)["invitations"]
    payload = signing.b64_encode(signing.JSONSerializer().dumps({"invitations": victims, "opened": {}})).decode()
    timestamp_and_signature = attacker.cookies[COOKIE].value.split(":", 1)[1]  # the attacker's own, valid

    for forged in (payload, f"{payload}:{timestamp_and_signature}", signing.dumps({"invitations": victims})):
        attacker.cookies[COOKIE] = forged
        seen = attacker.get(f"/s/{wave.slug}/p/about/")
        assert seen.status_code == 302 and "/accounts/login/" in seen["Location"]
        assert b"nurse" not in seen.content


@pytest.mark.django_db
def test_the_cookie_carries_no_identifier_token_or_pseudonym(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    [token] = invite(wave, identifiers=["ada.lovelace@klinikum.example"])
    client = Client()
    client.get(f"/i/{token}/")
    client.post(f"/s/{wave.slug}/", {"consent": "yes", "linkage": "on"})

    value = client.cookies[COOKIE].value
    invitation = wave.invitations.get()
    response = wave.responses.get()

    assert response.linkage_consent and response.pseudonym
    for secret in ("ada", "lovelace", "klinikum", token, response.pseudonym, response.participant_key):
        assert secret not in value
    content = _content(client)
    assert set(content) == {"invitations", "opened", "signed_at"}
    assert content["invitations"] == {wave.slug: invitation.pk}


def _content(client):
    """What the browser's cookie says (it is signed, not encrypted: anyone holding it can read it)."""
    return signing.loads(client.cookies[COOKIE].value, salt=SALT)
