"""Invitation tokens, closed waves, and respondents kept apart from each other's responses."""

import pytest
from django.test import Client

from surveys.models import Answer, Invitation, Response
from surveys.services import hash_token
from tests.surveys.builders import invite, make_wave, post_page, start, stored_answers


def complete(client, wave, role="nurse"):
    post_page(client, wave, "about", {"role": role})
    post_page(client, wave, "data", {"data_kinds": ["public"]})
    post_page(client, wave, "rating", {"satisfaction": "4"})


@pytest.mark.django_db
def test_only_the_hash_of_an_invitation_token_is_stored(tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)

    invitation = Invitation.objects.get()

    assert invitation.token_hash == hash_token(token) != token
    assert token not in str(Invitation.objects.values().get())


@pytest.mark.django_db
def test_a_reused_invitation_token_cannot_start_a_second_response(client, tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)
    start(client, wave, token)
    complete(client, wave)

    someone_else = Client()
    reuse = someone_else.get(f"/i/{token}/", follow=True)
    someone_else.get(f"/i/{token}/")  # the thank-you page ended the session: open the link again
    resubmit = someone_else.post(f"/s/{wave.slug}/", {"consent": "yes"})
    overwrite = post_page(someone_else, wave, "about", {"role": "physician"})

    assert reuse.redirect_chain[-1][0] == f"/s/{wave.slug}/thanks/"
    assert resubmit["Location"] == overwrite["Location"] == f"/s/{wave.slug}/thanks/"
    assert Response.objects.count() == 1
    assert stored_answers(Response.objects.get())["role"] == "nurse"


@pytest.mark.django_db
def test_a_guessed_token_is_refused_and_opens_nothing(client, tmp_path):
    wave = make_wave(tmp_path)
    invite(wave)

    guess = client.get("/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
    survey = client.get(f"/s/{wave.slug}/")

    assert guess.status_code == 404 and "not valid" in guess.text
    assert survey.status_code == 302 and "/accounts/login/" in survey["Location"]
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_respondent_cannot_read_or_change_another_response(tmp_path):
    wave = make_wave(tmp_path)
    alice, bob = Client(), Client()
    start(alice, wave, invite(wave))
    post_page(alice, wave, "about", {"role": "other", "role_other": "Alice's secret job"})
    start(bob, wave, invite(wave))
    alice_response = Response.objects.get(answers__item="role")

    bobs_view = bob.get(f"/s/{wave.slug}/p/about/")
    by_id = bob.get(f"/s/{wave.slug}/p/about/?response={alice_response.pk}")
    bob_answers = post_page(bob, wave, "about", {"role": "physician", "response": alice_response.pk, "id": alice_response.pk})

    assert "Alice's secret job" not in bobs_view.text and "Alice&#x27;s secret job" not in bobs_view.text
    assert "Alice" not in by_id.text
    assert bob_answers.status_code == 302
    assert stored_answers(alice_response) == {"role": "other"}
    assert alice_response.answers.get().other_text == "Alice's secret job"
    assert Answer.objects.filter(item="role", value="physician").exclude(response=alice_response).count() == 1


@pytest.mark.django_db
def test_an_invitation_to_one_wave_opens_no_other_wave(client, tmp_path):
    wave = make_wave(tmp_path)
    other = make_wave(tmp_path, slug="wave-2", version=wave.instrument_version)
    start(client, wave, invite(wave))

    elsewhere = client.get(f"/s/{other.slug}/")

    assert elsewhere.status_code == 302 and "/accounts/login/" in elsewhere["Location"]
    assert not other.responses.exists()


@pytest.mark.django_db
def test_a_closed_wave_says_so_in_the_past_tense_names_the_contact_and_saves_nothing(client, tmp_path, settings):
    settings.UPTAKE_MAIL_CONTACT = "studie@klinikum.example"
    wave = make_wave(tmp_path, opens_in_days=-30, closes_in_days=-1)
    token = invite(wave)

    page = client.get(f"/i/{token}/", follow=True)
    consent = client.post(f"/s/{wave.slug}/", {"consent": "yes"})

    assert page.status_code == consent.status_code == 403
    assert "This survey has closed" in page.text and "Nothing was saved" in page.text
    assert "It accepted answers until" in page.text and "studie@klinikum.example" in page.text
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_answers_sent_after_the_wave_closed_are_not_saved(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    wave.closes_at = wave.opens_at + (wave.closes_at - wave.opens_at) / 1000
    wave.save()

    late = post_page(client, wave, "data", {"data_kinds": ["public"]})

    assert late.status_code == 403
    assert stored_answers(Response.objects.get()) == {"role": "nurse"}
