"""Respondent-facing pages: invitation link, information and consent, question pages, thanks, withdrawal.

No URL carries a response id: the response is found from the session's invitation or the signed-in
user, so nobody can open another person's answers by changing a number or guessing a token.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from surveys import flow, services
from surveys.forms import ConsentForm, PageForm
from surveys.models import Invitation, Response

SESSION_INVITATIONS = "uptake_invitations"


def home(request):
    return render(request, "surveys/home.html")


def invitation(request, token):
    found = services.find_invitation(token)
    if found is None:
        return render(request, "surveys/invalid_link.html", status=404)
    invitations = request.session.get(SESSION_INVITATIONS, {})
    request.session.cycle_key()
    request.session[SESSION_INVITATIONS] = {**invitations, found.wave.slug: found.pk}
    return redirect("surveys:information", slug=found.wave.slug)


def respondent_view(view):
    """Resolve the wave and the participant; turn survey errors into the page a respondent expects."""

    @wraps(view)
    def wrapper(request, slug, **kwargs):
        wave = services.wave_for_respondents(slug)
        if wave is None:
            return render(request, "surveys/invalid_link.html", status=404)
        participant = _participant(request, wave)
        if participant is None:
            return _login(request)
        response = services.response_for(wave, participant)
        if response is not None and response.status == Response.Status.WITHDRAWN:
            return render(request, "surveys/withdrawn.html", {"wave": wave}, status=410)
        try:
            return view(request, wave, participant, response, **kwargs)
        except services.WaveClosed:
            return render(request, "surveys/closed.html", {"wave": wave}, status=403)
        except services.ResponseFinished:
            return redirect("surveys:thanks", slug=wave.slug)

    return wrapper


@require_http_methods(["GET", "POST"])
@respondent_view
def information(request, wave, participant, response):
    if response is not None and response.status == Response.Status.COMPLETED:
        return redirect("surveys:thanks", slug=wave.slug)
    if response is not None and response.status == Response.Status.IN_PROGRESS:
        return _to_page(wave, response.current_page or response.last_page)
    if not wave.is_open():
        raise services.WaveClosed(wave)
    response = response or services.open_response(wave, participant, language=_language(), device=_device(request))
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first_page = services.give_consent(response, linkage_consent=form.cleaned_data["linkage"])
        return _to_page(wave, first_page)
    return render(request, "surveys/information.html", {
        "wave": wave,
        "instrument": response.instrument_version.spec,
        "form": form,
        "ask_linkage": wave.is_pseudonymous and bool(participant.pseudonym),
        "language": _language(),
    })


@require_http_methods(["GET", "POST"])
@respondent_view
def page(request, wave, participant, response, page_code):
    if response is None or response.status == Response.Status.VIEWED:
        return redirect("surveys:information", slug=wave.slug)
    if response.status == Response.Status.COMPLETED:
        return redirect("surveys:thanks", slug=wave.slug)
    if not wave.is_open():
        raise services.WaveClosed(wave)
    answers, other_texts = services.stored_answers(response)
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
        step = services.record_page_answers(response, current.code, form.answer_values(), direction, language)
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
    }, status=400 if request.method == "POST" else 200)


@respondent_view
def thanks(request, wave, participant, response):
    if response is None or response.status != Response.Status.COMPLETED:
        return redirect("surveys:information", slug=wave.slug)
    return render(request, "surveys/thanks.html", {
        "wave": wave, "instrument": response.instrument_version.spec, "language": _language(),
    })


@require_http_methods(["GET", "POST"])
@respondent_view
def withdraw(request, wave, participant, response):
    if response is None:
        return redirect("surveys:information", slug=wave.slug)
    if request.method == "POST":
        services.withdraw_response(response)
        return render(request, "surveys/withdrawn.html", {"wave": wave, "just_now": True})
    return render(request, "surveys/withdraw.html", {"wave": wave})


def _participant(request, wave):
    invitation_id = request.session.get(SESSION_INVITATIONS, {}).get(wave.slug)
    if invitation_id:
        found = Invitation.objects.select_related("wave").filter(pk=invitation_id, wave=wave).first()
        if found is not None:
            return services.participant_for_invitation(found)
    if request.user.is_authenticated:
        return services.participant_for_user(wave, request.user)
    return None


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
