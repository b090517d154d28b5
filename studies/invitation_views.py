"""Workspace pages for a wave's invitations by e-mail (owners only: they handle the participant list),
and the public opt-out page every mail links to."""

import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studies import mailing
from studies.addresses import decrypt_address, mask_address
from studies.invitation_forms import MailoutForm, MailTemplateForm, ParticipantListForm
from studies.mail_texts import mail_text
from studies.models import MailKind, Mailout, MailTemplate, Membership, Participant
from studies.participant_lists import (
    ParticipantListError,
    Person,
    add_participants,
    read_participant_csv,
    read_webui_accounts,
)
from studies.tasks import schedule_mailout
from studies.views import study_view

MASKED_SHOWN = 20


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@study_view(Membership.Role.OWNER)
def overview(request: HttpRequest, study, wave) -> HttpResponse:
    return _render_overview(request, study, wave, ParticipantListForm(), MailoutForm())


def _render_overview(request, study, wave, upload_form, mailout_form, problems=(), status=200) -> HttpResponse:
    listed = Participant.objects.filter(wave=wave).exclude(encrypted_address="").order_by("pk")[:MASKED_SHOWN]
    context = {
        "study": study,
        "wave": wave,
        "counts": mailing.sampling_frame_counts(wave),
        "masked": [mask_address(decrypt_address(participant.encrypted_address)) for participant in listed],
        "mailouts": Mailout.objects.filter(wave=wave).order_by("-send_at"),
        "upload_form": upload_form,
        "mailout_form": mailout_form,
        "problems": problems,
        "platform_accounts": bool(settings.UPTAKE_OPENWEBUI_DB),
        "texts": [(kind, label, _languages()) for kind, label in MailKind.choices],
    }
    return render(request, "studies/invitations/overview.html", context, status=status)


@study_view(Membership.Role.OWNER)
@require_POST
def upload(request: HttpRequest, study, wave) -> HttpResponse:
    form = ParticipantListForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_overview(request, study, wave, form, MailoutForm(), status=400)
    upload = form.cleaned_data["participants"]

    def read() -> list[Person]:
        return read_participant_csv(io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline=""), upload.name)

    return _add_participants(request, study, wave, form, read, upload.name)


@study_view(Membership.Role.OWNER)
@require_POST
def add_platform_accounts(request: HttpRequest, study, wave) -> HttpResponse:
    """Everyone with an active account on the platform (UPTAKE_OPENWEBUI_DB) joins the list."""
    if not settings.UPTAKE_OPENWEBUI_DB:
        raise Http404("no platform database is configured")
    database = Path(settings.UPTAKE_OPENWEBUI_DB)
    return _add_participants(request, study, wave, ParticipantListForm(), lambda: read_webui_accounts(database),
                             "Open WebUI")


def _add_participants(request, study, wave, upload_form, read: Callable[[], list[Person]], source: str) -> HttpResponse:
    """All of the list or, with every bad line named, none of it."""
    try:
        added = add_participants(wave, read(), source)
    except UnicodeDecodeError:
        problems = [_("%(file)s is not UTF-8 text; save it as CSV UTF-8.") % {"file": source}]
        return _render_overview(request, study, wave, upload_form, MailoutForm(), problems, status=400)
    except ParticipantListError as error:
        problems = [error.source + ": " + _("nothing imported")] + error.problems
        return _render_overview(request, study, wave, upload_form, MailoutForm(), problems, status=400)
    messages.success(request, _("%(count)d participants added.") % {"count": added})
    return redirect("studies:invitations", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.OWNER)
@require_POST
def send(request: HttpRequest, study, wave) -> HttpResponse:
    form = MailoutForm(request.POST)
    if not form.is_valid():
        return _render_overview(request, study, wave, ParticipantListForm(), form, status=400)
    schedule_mailout(wave, form.cleaned_data["kind"], form.cleaned_data["send_at"], form.cleaned_data["only"])
    messages.success(request, _("The mailout is scheduled; its progress shows below."))
    return redirect("studies:invitations", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.OWNER)
def progress(request: HttpRequest, study, wave) -> JsonResponse:
    """Counts and mailout progress for the page to poll."""
    now = timezone.now()
    mailouts = [
        {"id": mailout.pk, "status": mailout.status, "status_display": mailout.get_status_display(),
         "active": mailout.status == Mailout.Status.RUNNING
         or (mailout.status == Mailout.Status.SCHEDULED and mailout.send_at <= now),
         "error": mailout.error, "sent": mailout.sent, "failed": mailout.failed, "total": mailout.total}
        for mailout in Mailout.objects.filter(wave=wave)
    ]
    return JsonResponse({"counts": mailing.sampling_frame_counts(wave), "mailouts": mailouts})


@study_view(Membership.Role.OWNER)
def edit_text(request: HttpRequest, study, wave, kind: str, language: str) -> HttpResponse:
    """Edit the wave's wording for one kind and language, with a preview for a sample participant."""
    if kind not in MailKind.values or language not in _languages():
        raise Http404("no such mail text")
    current = mail_text(wave, kind, language)
    own = MailTemplate.objects.filter(wave=wave, kind=kind, language=language).first()
    instance = own or MailTemplate(wave=wave, kind=kind, language=language, subject=current.subject, body=current.body)
    form = MailTemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Text saved."))
        return redirect("studies:invitation_text", slug=study.slug, wave_slug=wave.slug, kind=kind, language=language)
    context = {"study": study, "wave": wave, "form": form, "kind": kind, "language": language,
               "preview": mailing.preview(wave, kind, language)}
    return render(request, "studies/invitations/text.html", context, status=400 if form.errors else 200)


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Public, no login: confirm, then send this participant nothing more."""
    if request.method == "POST":
        mailing.opt_out(token)
        return render(request, "studies/invitations/opted_out.html")
    return render(request, "studies/invitations/opt_out.html")
