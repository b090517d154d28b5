import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from surveys.models import Answer, Invitation, PageVisit, Response, Wave
from tests.surveys.builders import invite, make_wave, post_page, start


@pytest.mark.django_db
def test_withdrawal_deletes_the_answers_and_keeps_only_the_fact(client, tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    token = invite(wave, identifiers=["alice@example.org"])[0]
    client.get(f"/i/{token}/")
    client.post(f"/s/{wave.slug}/", {"consent": "yes", "linkage": "yes"})
    post_page(client, wave, "about", {"role": "nurse"})
    assert Response.objects.get().pseudonym and Response.objects.get().linkage_consent

    confirmation = client.post(f"/s/{wave.slug}/withdraw/")

    assert confirmation.status_code == 200
    assert not Answer.objects.exists()
    assert not PageVisit.objects.exists()
    response = Response.objects.get()
    assert response.status == "withdrawn" and response.withdrawn_at is not None
    assert (response.pseudonym, response.linkage_consent, response.last_page, response.started_at) == ("", False, "", None)


@pytest.mark.django_db
def test_a_withdrawn_participant_cannot_answer_again_with_the_same_link(tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)
    first = Client()
    start(first, wave, token)
    first.post(f"/s/{wave.slug}/withdraw/")

    again = Client()
    page = again.get(f"/i/{token}/", follow=True)
    attempt = again.post(f"/s/{wave.slug}/p/about/", {"role": "nurse", "next": "1"})

    assert page.status_code == 410 and "withdrew" in page.text
    assert attempt.status_code == 410
    assert not Answer.objects.exists()


def complete(client, wave):
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})
    post_page(client, wave, "rating", {"satisfaction": "4"})


@pytest.mark.django_db
def test_a_submitted_response_is_withdrawn_by_opening_the_invitation_link_again(client, tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    token = invite(wave)
    start(client, wave, token)
    complete(client, wave)
    thanks = client.get(f"/s/{wave.slug}/thanks/")
    assert "open your invitation link again" in thanks.text

    back = client.get(f"/i/{token}/", follow=True)
    client.post(f"/s/{wave.slug}/withdraw/")

    assert back.redirect_chain[-1][0] == f"/s/{wave.slug}/withdraw/"
    assert Response.objects.get().status == "withdrawn"
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_a_session_left_open_after_submitting_cannot_withdraw(client, tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    start(client, wave, invite(wave))
    complete(client, wave)  # the thank-you page was never shown, so the session lives on

    attempt = client.post(f"/s/{wave.slug}/withdraw/")

    assert attempt.status_code == 403 and "invitation link again" in attempt.text
    assert Response.objects.get().status == "completed"


@pytest.mark.django_db
def test_a_withdrawn_response_leaves_no_pseudonym_on_its_invitation(client, tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    [token] = invite(wave, identifiers=["alice@example.org"])
    client.get(f"/i/{token}/", follow=True)
    assert Invitation.objects.get().pseudonym != ""  # needed until the respondent decides on linkage
    client.post(f"/s/{wave.slug}/withdraw/")  # withdrawn from the information page, before consenting

    response = Response.objects.get()
    assert response.status == "withdrawn"
    assert (response.pseudonym, response.wave_pseudonym) == ("", "")
    assert Invitation.objects.get().pseudonym == ""


@pytest.mark.django_db
def test_a_signed_in_respondent_withdraws_a_submitted_response_only_after_signing_in_again(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    user = get_user_model().objects.create_user("hana", email="hana@example.org")
    client = Client()
    client.force_login(user)
    client.post(f"/s/{wave.slug}/", {"consent": "yes"})
    complete(client, wave)

    stale = client.post(f"/s/{wave.slug}/withdraw/")
    client.force_login(user)  # signs in again: a fresh last_login
    fresh = client.post(f"/s/{wave.slug}/withdraw/")

    assert stale.status_code == 403
    assert fresh.status_code == 200 and Response.objects.get().status == "withdrawn"
