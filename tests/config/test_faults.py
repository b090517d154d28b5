"""What a respondent sees when something breaks: a friendly "please try again" page in German and
English that says their answers so far are kept, never Django's bare "Server Error (500)"."""

from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from surveys import response_sql, services
from tests.surveys.builders import invite, make_wave, start

FAULT_PAGE = Path(__file__).resolve().parents[2] / "templates" / "500.html"


def assert_friendly(reply):
    text = reply.content.decode()
    assert "Bitte versuchen Sie es gleich noch einmal" in text
    assert "Ihre bisherigen Antworten sind gespeichert" in text
    assert "Please try again in a moment" in text
    assert "Your answers so far are kept" in text
    assert "Server Error" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError("terminating connection due to administrator command"),
                                   InterfaceError("connection already closed")])
def test_a_lost_database_connection_shows_try_again_with_retry_after(tmp_path, monkeypatch, error):
    wave = make_wave(tmp_path)
    browser = Client(raise_request_exception=False)
    start(browser, wave, invite(wave))

    def database_gone(*args):
        raise error

    monkeypatch.setattr(response_sql, "invited_response", database_gone)
    reply = browser.post(f"/s/{wave.slug}/p/about/", {"role": "physician", "next": "1"})

    assert reply.status_code == 503
    assert reply["Retry-After"] == "10"
    assert_friendly(reply)


@pytest.mark.django_db
def test_answers_saved_before_the_database_went_away_are_still_there_afterwards(tmp_path, monkeypatch):
    wave = make_wave(tmp_path)
    browser = Client(raise_request_exception=False)
    start(browser, wave, invite(wave))
    browser.post(f"/s/{wave.slug}/p/about/", {"role": "nurse", "next": "1"})

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patch:
        patch.setattr(services, "record_page_answers", database_gone)
        failed = browser.post(f"/s/{wave.slug}/p/data/", {"data_kinds": ["public"], "next": "1"})

    retried = browser.post(f"/s/{wave.slug}/p/data/", {"data_kinds": ["public"], "next": "1"})

    assert failed.status_code == 503
    assert retried["Location"] == f"/s/{wave.slug}/p/rating/"
    response = wave.responses.get()
    assert {answer.item: answer.value for answer in response.answers.all()} == {"role": "nurse", "data_kinds": ["public"]}


@pytest.mark.django_db
def test_an_unexpected_error_with_debug_off_shows_the_friendly_page_in_both_languages(tmp_path, monkeypatch, settings):
    settings.DEBUG = False
    wave = make_wave(tmp_path)
    browser = Client(raise_request_exception=False)
    start(browser, wave, invite(wave))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "enter_page", broken)
    reply = browser.get(f"/s/{wave.slug}/p/about/")

    assert reply.status_code == 500
    assert_friendly(reply)


def test_the_fault_page_is_plain_html_so_the_reverse_proxy_can_serve_the_same_file():
    text = FAULT_PAGE.read_text(encoding="utf-8")

    assert "{%" not in text and "{{" not in text
    assert "<link" not in text and "<script" not in text  # nothing to fetch from an application that is down
