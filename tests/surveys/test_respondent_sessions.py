"""A respondent's session ends at the thank-you page and after a while without requests."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.surveys.builders import complete_until_last_page, invite, make_wave, post_page, start


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
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]
    assert not Session.objects.exists()


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
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_a_respondent_session_expires_after_two_hours_without_a_request(tmp_path, settings):
    wave = make_wave(tmp_path)
    client = Client()
    start(client, wave, invite(wave))

    assert client.session.get_expiry_age() == settings.UPTAKE_RESPONDENT_SESSION_SECONDS == 2 * 60 * 60
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))  # two idle hours later
    after = client.get(f"/s/{wave.slug}/p/about/")

    assert after.status_code == 302 and "/accounts/login/" in after["Location"]
