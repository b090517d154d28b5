"""Anonymous waves: once submitted, a response cannot be traced back to the person who gave it.

The attacker here is the operator: they hold the database and the key file and know every
account and invitation, so they can recompute every keyed hash the code could have stored.
"""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from surveys import services
from surveys.anonymity import answered_key
from surveys.models import AnsweredAccount, Invitation, Response, Wave
from surveys.pseudonyms import keyed_hash, pseudonymize
from tests.surveys.builders import invite, make_wave, post_page, start


def complete(client, wave):
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})
    return post_page(client, wave, "rating", {"satisfaction": "4"})


def signed_in_respondent(subject):
    user = get_user_model().objects.create_user(subject, email=f"{subject}@example.org")
    SocialAccount.objects.create(user=user, provider=settings.OIDC_PROVIDER_ID, uid=subject, extra_data={})
    client = Client()
    client.force_login(user)
    return user, client


def everything_the_operator_can_derive(wave, users, invitations):
    """Every keyed hash of an account or invitation the code computes, recomputed with the key."""
    participants = [services.participant_for_user(wave, user) for user in users]
    participants += [services.participant_for_invitation(invitation) for invitation in invitations]
    derived = {participant.key for participant in participants}
    derived |= {answered_key(participant.key) for participant in participants}
    derived |= {pseudonymize(user.username) for user in users} | {pseudonymize(user.email, "email") for user in users}
    derived |= {invitation.token_hash for invitation in invitations}
    derived |= {keyed_hash(f"participant:{wave.slug}:user:{user.pk}") for user in users}
    return derived


@pytest.fixture
def answered_wave(tmp_path):
    """An anonymous wave with one response by invitation and one by sign-in, both submitted."""
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    token = invite(wave)
    by_link = Client()
    start(by_link, wave, token)
    complete(by_link, wave)
    user, signed_in = signed_in_respondent("bob")
    signed_in.post(f"/s/{wave.slug}/", {"consent": "yes"})
    complete(signed_in, wave)
    return wave, token, user


@pytest.mark.django_db
def test_the_operator_with_database_and_key_cannot_link_a_submitted_anonymous_response(answered_wave):
    wave, _token, user = answered_wave
    invitation = Invitation.objects.get()
    derived = everything_the_operator_can_derive(wave, [user], [invitation])

    responses = list(Response.objects.filter(wave=wave).values())

    assert [row["status"] for row in responses] == ["completed", "completed"]
    assert all(row["invitation_id"] is None for row in responses)
    stored = {str(value) for row in responses for value in row.values()}
    assert stored.isdisjoint(derived)
    # What is left says only *that* they answered, with no time and nothing pointing at a response.
    assert invitation.has_answered and invitation.used_at is None
    assert AnsweredAccount.objects.filter(key__in=derived).count() == 1
    assert [field.name for field in AnsweredAccount._meta.get_fields()] == ["key", "wave"]


@pytest.mark.django_db
def test_after_submitting_neither_the_link_nor_the_account_can_answer_again(answered_wave):
    wave, token, user = answered_wave

    again_by_link = Client()
    link = again_by_link.get(f"/i/{token}/", follow=True)
    again_by_link.get(f"/i/{token}/")
    consent = again_by_link.post(f"/s/{wave.slug}/", {"consent": "yes"})
    again_signed_in = Client()
    again_signed_in.force_login(user)
    account = again_signed_in.post(f"/s/{wave.slug}/", {"consent": "yes"})

    assert link.redirect_chain[-1][0] == f"/s/{wave.slug}/thanks/" and "can no longer be withdrawn" in link.text
    assert consent["Location"] == account["Location"] == f"/s/{wave.slug}/thanks/"
    assert Response.objects.filter(wave=wave).count() == 2


@pytest.mark.django_db
def test_a_response_in_progress_keeps_its_link_so_the_respondent_can_resume(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    token = invite(wave)
    client = Client()
    start(client, wave, token)
    post_page(client, wave, "about", {"role": "nurse"})

    later = Client()
    resumed = later.get(f"/i/{token}/", follow=True)

    assert Response.objects.get().invitation == Invitation.objects.get()
    assert resumed.redirect_chain[-1][0] == f"/s/{wave.slug}/p/data/"


@pytest.mark.django_db
def test_pseudonymous_waves_keep_the_link_and_mark_the_invitation_answered_for_reminders(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    client = Client()
    start(client, wave, invite(wave))
    complete(client, wave)

    invitation = Invitation.objects.get()
    assert invitation.has_answered and Response.objects.get().invitation == invitation
