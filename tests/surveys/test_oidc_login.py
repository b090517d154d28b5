"""Respondents sign in through the institution's OpenID Connect provider and start a survey.

A real provider (tests/oidc_provider, panva's oidc-provider) and a real browser: discovery,
PKCE, the client's secret, the signed ID token and userinfo all go over HTTP as with Keycloak.
The provider's development sign-in page accepts any login; the login name becomes the subject.
"""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from surveys.models import Response, Wave
from surveys.pseudonyms import pseudonymize
from tests.browser import chromium_page  # noqa: F401 (fixture)
from tests.oidc_fixtures import PROVIDER_ID, oidc_provider  # noqa: F401 (fixture)
from tests.surveys.builders import make_wave

pytestmark = [pytest.mark.oidc, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN = "alice"


@pytest.fixture
def identity_provider(settings, oidc_provider):  # noqa: F811
    """Point django-allauth at the test provider, in the shape config/settings.py builds from OIDC_* variables."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Keycloak",
                    "client_id": oidc_provider.client_id,
                    "secret": oidc_provider.secret,
                    "settings": {"server_url": oidc_provider.issuer},
                }
            ],
        }
    }
    return oidc_provider


@pytest.fixture
def wave(tmp_path):
    return make_wave(tmp_path, slug="spring", privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)


def sign_in_at_provider(page, issuer, login):
    expect(page).to_have_url(re.compile(rf"^{re.escape(issuer)}/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent to openid, email and profile


def test_signing_in_through_the_provider_returns_to_the_waves_consent_page(
    live_server, identity_provider, wave, chromium_page  # noqa: F811
):
    page = chromium_page
    page.goto(f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/?process=login&next=/s/{wave.slug}/")

    sign_in_at_provider(page, identity_provider.issuer, LOGIN)

    expect(page).to_have_url(f"{live_server.url}/s/{wave.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Small survey")
    expect(page.get_by_label("I agree to take part.")).not_to_be_checked()
    account = SocialAccount.objects.get(provider=PROVIDER_ID)
    assert account.uid == LOGIN
    assert account.user.email == "alice@example.org"


def test_linkage_consent_after_signing_in_stores_the_subjects_usage_pseudonym(
    live_server, identity_provider, wave, chromium_page  # noqa: F811
):
    page = chromium_page
    page.goto(f"{live_server.url}/s/{wave.slug}/")  # not signed in: straight on to the provider

    sign_in_at_provider(page, identity_provider.issuer, LOGIN)
    page.get_by_label("I agree to take part.").check()
    page.get_by_label("I agree to linking my usage records.").check()
    page.get_by_role("button", name="Start").click()

    expect(page).to_have_url(f"{live_server.url}/s/{wave.slug}/p/about/")
    expect(page.get_by_text("Your role?")).to_be_visible()
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.IN_PROGRESS
    # The same pseudonym platform_logs computes for this subject, so answers can join usage.
    assert response.pseudonym == pseudonymize(LOGIN)
    assert response.linkage_consent and response.wave_pseudonym not in ("", response.pseudonym)
