"""What a respondent's browser carries between requests: which invitation links it opened, and when.

A signed cookie instead of a server-side session. A respondent request then reads no session row
(one query on every page view and submit), opening a link writes none, and a survey announced to
5,000 people leaves no 5,000 sessions behind. The cookie holds no personal data: invitation ids
(numbers) per wave and times. It is signed with SECRET_KEY, so a changed or made-up cookie is
ignored. It expires UPTAKE_RESPONDENT_SESSION_SECONDS after it was last signed and is signed again
at most every REFRESH_SECONDS while the respondent is active; the thank-you page deletes it. The
browser keeps an expired cookie for KEPT_EXPIRED_SECONDS more, admitting nobody, so that someone
who comes back to a page left open is told their session ended instead of being turned away.

Signing in (sign-in waves, the workspace) still uses Django's database sessions.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "uptake_respondent"
SALT = "uptake.surveys.respondent"
REFRESH_SECONDS = 5 * 60
KEPT_EXPIRED_SECONDS = 7 * 24 * 60 * 60


@dataclass
class RespondentCookie:
    invitations: dict[str, int] = field(default_factory=dict)  # wave slug -> invitation id
    opened: dict[str, float] = field(default_factory=dict)  # wave slug -> when its link was last opened (epoch s)
    signed_at: float = 0.0
    changed: bool = False
    ended: bool = False
    expired: bool = False  # the browser sent a genuine cookie that is too old: its links admit nobody now

    def open_link(self, invitation) -> None:
        slug = invitation.wave.slug
        self.invitations[slug] = invitation.pk
        self.opened[slug] = time.time()
        self.changed = True

    def end(self) -> None:
        """Forget every link: a shared computer keeps no way back into the survey."""
        self.invitations, self.opened, self.ended = {}, {}, True


def read(request: HttpRequest) -> RespondentCookie:
    """The browser's cookie if it is genuine and not expired, else an empty one (marked `expired`
    if it was genuine but too old)."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return RespondentCookie()
    try:
        data = signing.loads(value, salt=SALT, max_age=settings.UPTAKE_RESPONDENT_SESSION_SECONDS)
        return RespondentCookie(
            invitations={str(slug): int(pk) for slug, pk in data["invitations"].items()},
            opened={str(slug): float(moment) for slug, moment in data["opened"].items()},
            signed_at=float(data["signed_at"]),
        )
    except signing.SignatureExpired:
        return RespondentCookie(expired=True)
    # changed or made up (BadSignature), or signed by an older version of this module
    except (signing.BadSignature, ValueError, KeyError, TypeError, AttributeError):
        return RespondentCookie()


def write(cookie: RespondentCookie, response: HttpResponse) -> None:
    """Send the cookie if it changed or is due to be pushed forward; delete it once ended."""
    if cookie.ended:
        response.delete_cookie(COOKIE, samesite="Lax")
        return
    now = time.time()
    if not cookie.invitations or (not cookie.changed and now - cookie.signed_at < REFRESH_SECONDS):
        return
    value = signing.dumps({"invitations": cookie.invitations, "opened": cookie.opened, "signed_at": now}, salt=SALT)
    response.set_cookie(COOKIE, value, max_age=settings.UPTAKE_RESPONDENT_SESSION_SECONDS + KEPT_EXPIRED_SECONDS,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
