"""Who may answer a wave: anyone, personal invitations only, or the institution's sign-in (optionally one group)."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from surveys.models import Response, Wave
from tests.surveys.builders import invite, make_wave


def signed_in(username, groups=None, identity_provider=True):
    user = get_user_model().objects.create_user(username, email=f"{username}@example.org")
    if identity_provider:
        claims = {"id_token": {"groups": groups}} if groups is not None else {}
        SocialAccount.objects.create(user=user, provider=settings.OIDC_PROVIDER_ID, uid=username, extra_data=claims)
    client = Client()
    client.force_login(user)
    return client


def wave_with_access(tmp_path, access, required_group=""):
    wave = make_wave(tmp_path)
    wave.access, wave.required_group = access, required_group
    wave.save()
    return wave


@pytest.mark.django_db
def test_an_open_wave_takes_any_signed_in_account(tmp_path):
    wave = wave_with_access(tmp_path, Wave.Access.OPEN)

    page = signed_in("local", identity_provider=False).get(f"/s/{wave.slug}/")

    assert page.status_code == 200 and Response.objects.count() == 1


@pytest.mark.django_db
def test_an_invitations_only_wave_refuses_a_signed_in_account_without_a_link(tmp_path):
    wave = wave_with_access(tmp_path, Wave.Access.INVITATIONS)
    by_link = Client()
    by_link.get(f"/i/{invite(wave)}/")

    refused = signed_in("carol").get(f"/s/{wave.slug}/")
    admitted = by_link.get(f"/s/{wave.slug}/")

    assert refused.status_code == 403 and "personal invitation link" in refused.text
    assert admitted.status_code == 200
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_a_sign_in_wave_refuses_invitation_links_and_local_accounts(tmp_path):
    wave = wave_with_access(tmp_path, Wave.Access.SIGN_IN)
    by_link = Client()
    by_link.get(f"/i/{invite(wave)}/")

    link = by_link.get(f"/s/{wave.slug}/")
    local = signed_in("local", identity_provider=False).get(f"/s/{wave.slug}/")
    institutional = signed_in("dana").get(f"/s/{wave.slug}/")

    assert link.status_code == 302 and "/accounts/login/" in link["Location"]
    assert local.status_code == 403
    assert institutional.status_code == 200
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_a_sign_in_wave_can_require_a_group_claim_from_the_identity_provider(tmp_path):
    wave = wave_with_access(tmp_path, Wave.Access.SIGN_IN, required_group="nursing")

    outsider = signed_in("erin", groups=["radiology"]).get(f"/s/{wave.slug}/")
    member = signed_in("finn", groups=["radiology", "nursing"]).get(f"/s/{wave.slug}/")
    no_claim = signed_in("gus").get(f"/s/{wave.slug}/")

    assert outsider.status_code == no_claim.status_code == 403
    assert member.status_code == 200
    assert Response.objects.count() == 1
