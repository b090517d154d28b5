from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import admin
from django.http import HttpRequest, HttpResponse


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """No local sign-up: respondents come through the identity provider or an invitation link."""

    def is_open_for_signup(self, request):
        return False


class IdentityProviderSignupAdapter(DefaultSocialAccountAdapter):
    """Anyone the institution's identity provider lets in may answer a survey."""

    def is_open_for_signup(self, request, sociallogin):
        return True


def rate_limited_admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin login under allauth's `login_failed` rate limit, the one the site's own login uses.

    Failed attempts count per IP and per username (ACCOUNT_RATE_LIMITS, default 10 a minute per IP,
    5 per 5 minutes per username); beyond them the form answers 429 without trying the password.
    """
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = request.POST.get("username", "").strip().lower()
    refused = ratelimit.consume_or_429(request, action="login_failed", key=username, dry_run=True)
    if refused is not None:
        return refused
    response = admin.site.login(request, extra_context)
    if request.user.is_authenticated:
        ratelimit.clear(request, action="login_failed", key=username)
    else:
        ratelimit.consume(request, action="login_failed", key=username)
    return response
