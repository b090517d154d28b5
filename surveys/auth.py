from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """No local sign-up: respondents come through the identity provider or an invitation link."""

    def is_open_for_signup(self, request):
        return False


class IdentityProviderSignupAdapter(DefaultSocialAccountAdapter):
    """Anyone the institution's identity provider lets in may answer a survey."""

    def is_open_for_signup(self, request, sociallogin):
        return True
