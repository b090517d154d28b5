"""Workspace pages for a wave's invitations by e-mail (owners only: they handle the participant list),
and the public opt-out page every mail links to."""

import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from studies import mailing
from studies.addresses import decrypt_address, mask_address
from studies.dashboard import ShownCount, small_cell_threshold
from studies.invitation_forms import AddParticipantForm, MailoutForm, MailTemplateForm, ParticipantListForm
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
from studies.views import _render, study_view

PARTICIPANTS_SHOWN = 500


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@study_view(Membership.Role.OWNER)
def overview(request: HttpRequest, study, wave) -> HttpResponse:
    return _render_overview(request, study, wave, ParticipantListForm(), MailoutForm())


def shown_counts(wave) -> dict[str, str]:
    """The frame's counts as every page shows them: small cells as "< k", as on the dashboard."""
    threshold = small_cell_threshold()
    return {name: str(ShownCount(value, threshold)) for name, value in mailing.sampling_frame_counts(wave).items()}


def _render_overview(request, study, wave, upload_form, mailout_form, problems=(), status=200,
                     add_form=None) -> HttpResponse:
    people = mailing.participant_table(wave)
    context = {
        "wave": wave,
        "counts": shown_counts(wave),
        "participants": [(person, _masked(person), dict(settings.LANGUAGES).get(person.language, person.language))
                         for person in people[:PARTICIPANTS_SHOWN]],
        "participants_more": max(people.count() - PARTICIPANTS_SHOWN, 0),
        "is_open": wave.closes_at > timezone.now(),
        "mailouts": Mailout.objects.filter(wave=wave).order_by("-send_at"),
        "upload_form": upload_form,
        "add_form": add_form or AddParticipantForm(),
        "mailout_form": mailout_form,
        "problems": problems,
        "platform_accounts": bool(settings.UPTAKE_OPENWEBUI_DB),
        "texts": [(kind, label, settings.LANGUAGES) for kind, label in MailKind.choices],
    }
    return _render(request, "studies/invitations/overview.html", study, context, status=status)


def _masked(participant: Participant) -> str:
    """The masked address; "" once it is deleted (after an opt-out)."""
    return mask_address(decrypt_address(participant.encrypted_address)) if participant.encrypted_address else ""


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
    not_linkable = Participant.objects.filter(wave=wave, not_linkable=True).count()
    if not_linkable:
        messages.info(request, _(
            "%(count)s on the list have no account on the AI platform that Uptake knows of: they are invited all the "
            "same, but their answers cannot be linked to usage.") % {"count": ShownCount(not_linkable, small_cell_threshold())})
    return redirect("studies:invitations", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.OWNER)
@require_POST
def add_one(request: HttpRequest, study, wave) -> HttpResponse:
    """One address typed in, checked like a line of a list."""
    form = AddParticipantForm(request.POST)
    if not form.is_valid():
        return _render_overview(request, study, wave, ParticipantListForm(), MailoutForm(), status=400, add_form=form)
    person = Person(where=_("the address"), email=form.cleaned_data["email"], language=form.cleaned_data["language"])
    return _add_participants(request, study, wave, ParticipantListForm(), lambda: [person], _("the form"))


def _participant(wave, pk) -> Participant:
    return get_object_or_404(Participant.objects.select_related("wave"), wave=wave, pk=pk)


@study_view(Membership.Role.OWNER)
@require_POST
def resend(request: HttpRequest, study, wave, pk: int) -> HttpResponse:
    """Mail one person now: the invitation, or a reminder once the invitation reached them."""
    participant = _participant(wave, pk)
    if not mailing.may_mail(participant):
        messages.error(request, _("Nothing was sent: this person opted out or bounced, or the wave has closed."))
    elif mailing.resend(participant):
        messages.success(request, _("The mail to %(address)s was sent.") % {"address": _masked(participant)})
    else:
        messages.error(request, _("The mail server did not take the mail to %(address)s; try again later.") % {
            "address": _masked(participant)})
    return redirect("studies:invitations", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.OWNER)
@require_POST
def opt_out_on_request(request: HttpRequest, study, wave, pk: int) -> HttpResponse:
    """Someone asked the study team for no more mail: as if they had used the link, their address goes now."""
    participant = _participant(wave, pk)
    address = _masked(participant)
    if mailing.opt_out_on_request(participant):
        messages.success(request, _("%(address)s is opted out: no more mail, and the address is deleted.") % {
            "address": address})
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
    return JsonResponse({"counts": shown_counts(wave), "mailouts": mailouts})


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
    context = {"wave": wave, "form": form, "kind": MailKind(kind).label, "language": dict(settings.LANGUAGES)[language],
               "preview": mailing.preview(wave, kind, language)}
    return _render(request, "studies/invitations/text.html", study, context, status=400 if form.errors else 200)


def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Public, no login: confirm, then send this participant nothing more."""
    if request.method == "POST":
        mailing.opt_out(token)
        return render(request, "studies/invitations/opted_out.html")
    return render(request, "studies/invitations/opt_out.html")
