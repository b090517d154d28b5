"""Anonymous waves: once submitted, a response cannot be traced back to the person who gave it.

The attacker here is the operator: they hold the database and the key file and know every
account and invitation, so they can recompute every keyed hash the code could have stored.
"""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import connection
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from surveys import services
from surveys.anonymity import answered_key
from surveys.models import AnsweredSet, Invitation, Response, Wave
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
    assert len(set(AnsweredSet.objects.get(wave=wave).keys.split()) & derived) == 1
    assert [field.name for field in AnsweredSet._meta.get_fields()] == ["wave", "keys"]


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


def storage_of(table: str, where: str, params: list) -> list[dict]:
    """What the operator reads beside the columns: row order and, on PostgreSQL, the writing transaction."""
    physical = "ctid::text AS place, xmin::text AS xid" if connection.vendor == "postgresql" else "rowid AS place, NULL AS xid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {physical}, * FROM {table} WHERE {where}", params)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def place_order(rows: list[dict]) -> list[dict]:
    if connection.vendor == "postgresql":  # ctid "(page,item)"
        return sorted(rows, key=lambda row: tuple(int(part) for part in row["place"].strip("()").split(",")))
    return sorted(rows, key=lambda row: row["place"])


@pytest.mark.django_db(transaction=True)
def test_the_operator_cannot_pair_people_and_responses_by_row_order_transaction_ids_or_times(tmp_path):
    """Three accounts and three invitations finish one after another, each in its own transaction; the operator has
    the database with its rowids, ctids and xmins, the key, and every completion time."""
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    accounts = [signed_in_respondent(name) for name in ("ada", "ben", "cem")]
    tokens = [invite(wave) for _ in range(3)]
    invitations = list(Invitation.objects.filter(wave=wave).order_by("pk"))
    answered = {answered_key(services.participant_for_user(wave, user).key): user.username for user, _client in accounts}
    finishing = sorted(accounts, key=lambda pair: answered_key(services.participant_for_user(wave, pair[0]).key),
                       reverse=True)  # the reverse of the keys' order, so a list kept in finishing order would show
    for user, client in finishing:
        client.post(f"/s/{wave.slug}/", {"consent": "yes"})
        complete(client, wave)
    for token in reversed(tokens):  # the reverse of the invitations' creation order
        by_link = Client()
        start(by_link, wave, token)
        complete(by_link, wave)

    responses = storage_of("surveys_response", "wave_id = %s", [wave.pk])
    marker_rows = storage_of("surveys_answeredset", "wave_id = %s", [wave.pk])
    invitation_rows = storage_of("surveys_invitation", "wave_id = %s", [wave.pk])

    assert [row["status"] for row in responses] == ["completed"] * 6
    assert len({row["completed_at"] for row in responses}) == 6  # the operator knows when each response was finished
    # Accounts: one row for the wave, the keys sorted, so its place and transaction say nothing about the order.
    [marker] = marker_rows
    keys = marker["keys"].split()
    assert keys == sorted(answered) and keys != [answered_key(services.participant_for_user(wave, user).key)
                                                 for user, _client in finishing]
    assert set(marker) == {"place", "xid", "wave_id", "keys"}  # no time, no id, no response
    # Invitations: all answered, no time of use, and they keep the order they were created in, all written by one
    # transaction: row order and xmin are the same whoever finished first.
    assert all(row["has_answered"] and row["used_at"] is None for row in invitation_rows)
    assert [row["id"] for row in place_order(invitation_rows)] == [invitation.pk for invitation in invitations]
    assert len({row["xid"] for row in invitation_rows}) == 1
    # Responses: no key, no invitation the operator can recompute or follow.
    derived = everything_the_operator_can_derive(wave, [user for user, _client in accounts], invitations)
    assert {str(value) for row in responses for value in row.values()}.isdisjoint(derived)
    assert all(row["invitation_id"] is None for row in responses)
