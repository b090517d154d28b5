"""Respondent-facing pages: invitation link, information and consent, question pages, thanks, withdrawal.

No URL carries a response id: the response is found from the session's invitation or the signed-in
user, so nobody can open another person's answers by changing a number or guessing a token.
"""

import logging
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys import access, anonymity, flow, respondent_cookie, response_sql, services
from surveys.forms import ConsentForm, PageForm
from surveys.keys import verify_pseudonym_key
from surveys.models import Response, Wave
from surveys.pseudonyms import PseudonymKeyError

SESSION_REFRESHED = "uptake_refreshed"  # when a signed-in respondent's session expiry was last pushed forward
logger = logging.getLogger(__name__)


def home(request):
    return render(request, "surveys/home.html")


def invitation(request, token):
    found = services.find_invitation(token)
    if found is None:
        return render(request, "surveys/invalid_link.html", status=404)
    cookie = respondent_cookie.read(request)
    cookie.open_link(found)
    if found.has_answered and found.wave.is_pseudonymous:
        reply = redirect("surveys:withdraw", slug=found.wave.slug)
    else:
        reply = redirect("surveys:information", slug=found.wave.slug)
    respondent_cookie.write(cookie, reply)
    return reply


def closed_page(request, wave):
    """A wave not open: in the past tense once it has closed, with whom to ask."""
    context = {"wave": wave, "has_closed": wave.closes_at <= timezone.now(), "contact": services.study_contact()}
    return render(request, "surveys/closed.html", context, status=403)


def respondent_view(view):
    """Resolve the wave and the participant; turn survey errors into the page a respondent expects.

    The request runs in one transaction that holds the row lock on the participant's response, so
    a double submit, a reload or a second tab waits for this request and then sees what it stored.
    """

    @wraps(view)
    def wrapper(request, slug, **kwargs):
        request.respondent_cookie = respondent_cookie.read(request)
        try:
            with transaction.atomic():
                reply = _respondent_request(view, request, slug, kwargs)
        except services.WaveClosed as closed:
            reply = closed_page(request, closed.args[0])
        except services.ResponseFinished:
            reply = redirect("surveys:thanks", slug=slug)
        respondent_cookie.write(request.respondent_cookie, reply)
        return reply

    return wrapper


def _respondent_request(view, request, slug, kwargs):
    response, invitation, wave = _from_cookie(request.respondent_cookie, slug)
    if wave is None:
        return render(request, "surveys/invalid_link.html", status=404)
    try:
        verify_pseudonym_key()
        participant = _participant(request, wave, invitation)
    except PseudonymKeyError:
        logger.exception("respondent turned away: the pseudonym key is not usable")
        return render(request, "surveys/unavailable.html", {"wave": wave}, status=503)
    if participant is None:
        if request.resolver_match.url_name == "thanks":
            # The thank-you page ended the session; reloading it (or a retry after a lost reply)
            # must not turn into a login page.
            return _thanks_page(request, wave, session_ended=True)
        return _not_admitted(request, wave)
    if not access.admits(wave, participant, request.user):
        return render(request, "surveys/not_admitted.html", {"wave": wave}, status=403)
    if participant.invitation is None:
        _keep_session_alive(request)
    if response is None:
        response = services.response_for(wave, participant, lock=True)
    if response is not None and response.status == Response.Status.WITHDRAWN:
        return render(request, "surveys/withdrawn.html", {"wave": wave}, status=410)
    if response is None and anonymity.has_answered(wave, participant):
        # A submitted anonymous response, cut from its participant: only the thank-you page is left.
        if request.resolver_match.url_name == "thanks":
            return _thanks_page(request, wave, is_test=participant.is_test)
        return redirect("surveys:thanks", slug=wave.slug)
    return view(request, wave, participant, response, **kwargs)


@require_http_methods(["GET", "POST"])
@respondent_view
def information(request, wave, participant, response):
    if response is not None and response.status == Response.Status.COMPLETED:
        return redirect("surveys:thanks", slug=wave.slug)
    if response is not None and response.status == Response.Status.IN_PROGRESS:
        return _to_page(wave, response.current_page or response.last_page)
    services.require_open(wave, participant.is_test)
    response = response or services.open_response(wave, participant, language=_language(), device=_device(request))
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first_page = services.give_consent(response, participant, linkage_consent=form.cleaned_data["linkage"])
        return _to_page(wave, first_page)
    return render(request, "surveys/information.html", {
        "wave": wave,
        "instrument": response.instrument_version.spec,
        "form": form,
        "ask_linkage": wave.is_pseudonymous and bool(participant.pseudonym),
        "language": _language(),
        "is_test": participant.is_test,
    })


@require_http_methods(["GET", "POST"])
@respondent_view
def page(request, wave, participant, response, page_code):
    if response is None or response.status == Response.Status.VIEWED:
        return redirect("surveys:information", slug=wave.slug)
    if response.status == Response.Status.COMPLETED:
        return redirect("surveys:thanks", slug=wave.slug)
    services.require_open(wave, response.is_test)
    answers, other_texts = services.stored_answers(response)  # under the response's row lock
    current = services.reachable_page(response, page_code, answers)
    if current is None:
        return _to_page(wave, response.current_page or response.last_page)
    instrument = response.instrument_version.spec
    language = _language()
    direction = "back" if "back" in request.POST else "next"
    form = PageForm(
        current, instrument, language, answers, other_texts, seed=response.pk,
        data=request.POST if request.method == "POST" else None, relax_required=direction == "back",
    )
    if request.method == "POST" and (form.is_valid() or direction == "back"):
        step = services.record_page_answers(response, answers, current.code, form.answer_values(), direction, language)
        if step.finished:
            return redirect("surveys:thanks", slug=wave.slug)
        if step.error_item:
            messages.error(request, _("Please answer this question before you submit: %(question)s") % {
                "question": instrument.item(step.error_item).text.get(language)
            })
        return _to_page(wave, step.page)
    if request.method == "GET":
        services.enter_page(response, current.code)
    pages = flow.visible_pages(instrument, answers)
    return render(request, "surveys/page.html", {
        "wave": wave,
        "instrument": instrument,
        "page": current,
        "form": form,
        "groups": form.bound_groups(),
        "language": language,
        "page_number": pages.index(current) + 1 if current in pages else 1,
        "page_count": max(len(pages), flow.expected_page_count(instrument, answers)),
        "is_first": flow.page_before(instrument, answers, current.code) is None,
        "is_last": flow.page_after(instrument, answers, current.code) is None,
        "is_test": response.is_test,
    }, status=400 if request.method == "POST" else 200)


@respondent_view
def thanks(request, wave, participant, response):
    if response is None or response.status != Response.Status.COMPLETED:
        return redirect("surveys:information", slug=wave.slug)
    return _thanks_page(request, wave, is_test=response.is_test)


def _thanks_page(request, wave, session_ended=False, is_test=False):
    """The thank-you page ends the respondent's session (the invitation cookie, and a sign-in):
    a shared workstation keeps no way back in. A researcher's test ends only the test link: they
    stay signed in to the workspace."""
    page = render(request, "surveys/thanks.html", {
        "wave": wave, "instrument": wave.instrument_version.spec, "language": _language(),
        "session_ended": session_ended, "is_test": is_test,
    })
    request.respondent_cookie.end()
    if not is_test:
        request.session.flush()
    return page


@require_http_methods(["GET", "POST"])
@respondent_view
def withdraw(request, wave, participant, response):
    if response is None:
        return redirect("surveys:information", slug=wave.slug)
    if response.status == Response.Status.COMPLETED and not _came_back_since(request, participant, response.completed_at):
        return render(request, "surveys/withdraw_needs_link.html", {"wave": wave}, status=403)
    if request.method == "POST":
        services.withdraw_response(response)
        return render(request, "surveys/withdrawn.html", {"wave": wave, "just_now": True})
    return render(request, "surveys/withdraw.html", {"wave": wave})


def _from_cookie(cookie, slug):
    """(response, invitation, wave) as far as the invitation this browser opened gives them.

    Most requests come from a respondent whose response exists: one locked query finds it with its
    wave and invitation. Before that, the invitation with its wave; without one, the wave alone.
    In a sign-in only wave the invitation admits nobody, so its response is not taken from it.
    """
    invitation_id = cookie.invitations.get(slug)
    if not invitation_id:
        return None, None, services.wave_for_respondents(slug)
    response = response_sql.invited_response(invitation_id, slug)
    if response is not None and (response.wave.access != Wave.Access.SIGN_IN or response.is_test):
        return response, response.invitation, response.wave
    invitation = services.invitation_to_wave(invitation_id, slug)
    return None, invitation, invitation.wave if invitation is not None else services.wave_for_respondents(slug)


def _participant(request, wave, invitation):
    """Who is answering: the session's invitation (unless the wave is sign-in only), else the signed-in user."""
    if invitation is not None and (wave.access != Wave.Access.SIGN_IN or invitation.is_test):
        return services.participant_for_invitation(invitation)
    if request.user.is_authenticated and wave.access != Wave.Access.INVITATIONS:
        return services.participant_for_user(wave, request.user)
    return None


def _not_admitted(request, wave):
    if request.respondent_cookie.expired and wave.access != Wave.Access.SIGN_IN:
        # Someone back at a page left open for hours: say what happened and how to go on.
        return render(request, "surveys/session_expired.html", {"wave": wave}, status=403)
    if wave.access == Wave.Access.INVITATIONS:
        return render(request, "surveys/not_admitted.html", {"wave": wave, "invitations_only": True}, status=403)
    return _login(request)


def _keep_session_alive(request):
    """A signed-in respondent's session ends after UPTAKE_RESPONDENT_SESSION_SECONDS without a
    request, as the invitation cookie does (surveys.respondent_cookie).

    The expiry is pushed forward at most every respondent_cookie.REFRESH_SECONDS, so a page view does not
    always cost a session write.
    """
    now = time.time()
    if now - request.session.get(SESSION_REFRESHED, 0) >= respondent_cookie.REFRESH_SECONDS:
        request.session.set_expiry(settings.UPTAKE_RESPONDENT_SESSION_SECONDS)
        request.session[SESSION_REFRESHED] = now


def _came_back_since(request, participant, moment):
    """Whether the respondent opened their invitation link, or signed in, again after `moment`.

    Withdrawing a submitted response needs this, not just a session left open on a shared computer.
    """
    if participant.invitation is not None:
        opened = request.respondent_cookie.opened.get(participant.invitation.wave.slug)
        return opened is not None and opened >= moment.timestamp()
    return request.user.is_authenticated and request.user.last_login is not None and request.user.last_login >= moment


def _login(request):
    """Straight to the identity provider when one is configured, else the local login page."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    if apps:
        login_url = reverse("openid_connect_login", kwargs={"provider_id": apps[0]["provider_id"]})
        return redirect(f"{login_url}?{urlencode({'process': 'login', 'next': request.get_full_path()})}")
    return redirect_to_login(request.get_full_path())


def _to_page(wave, page_code):
    return redirect("surveys:page", slug=wave.slug, page_code=page_code)


def _language():
    return "en" if (get_language() or "").startswith("en") else "de"


def _device(request):
    """A coarse device class for paradata; the user agent itself is not stored."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    if "iPad" in agent or "Tablet" in agent:
        return "tablet"
    return "phone" if "Mobi" in agent else "desktop"
