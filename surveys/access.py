"""Who may answer a wave: the one place the wave's access setting is checked.

- open: anyone with an invitation link or a login;
- invitations: personal invitation links only (surveys.views picks no signed-in user for these);
- sign_in: accounts of the institution's identity provider only, optionally only members of
  `Wave.required_group` as listed in the token's `groups` claim.

A researcher's test link admits them to any wave: what they answer is a test response.
"""

from allauth.socialaccount.models import SocialAccount
from django.conf import settings

from surveys.models import Wave

GROUPS_CLAIM = "groups"


def admits(wave: Wave, participant, user) -> bool:
    if participant.is_test:
        return True  # a test link is only made for the study's members (studies.views.wave_test)
    if wave.access == Wave.Access.OPEN:
        return True
    if wave.access == Wave.Access.INVITATIONS:
        return participant.invitation is not None
    if participant.invitation is not None or not user.is_authenticated:
        return False
    account = SocialAccount.objects.filter(user=user, provider=settings.OIDC_PROVIDER_ID).first()
    if account is None:
        return False
    return not wave.required_group or wave.required_group in _groups(account)


def oidc_claims(account: SocialAccount) -> dict:
    """The account's OpenID Connect claims; allauth keeps them under "id_token" and "userinfo"."""
    return {**account.extra_data.get("id_token", {}), **account.extra_data.get("userinfo", {})}


def _groups(account: SocialAccount) -> list[str]:
    groups = oidc_claims(account).get(GROUPS_CLAIM) or []
    return [groups] if isinstance(groups, str) else [str(group) for group in groups]
