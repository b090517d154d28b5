"""The researcher workspace. Every view names the least role it needs in `study_view`; access.py decides.

Views parse input, call one service and render. Files (exports, reports, the audit log) are only
served through the study they belong to, and every download is written to the audit log.
"""

import re
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from reports.models import ReportJob
from studies import copies, questionnaires, results, services
from studies.access import RANK, require_study_role
from studies.audit import audit, audit_csv, entries_for, shown_entries
from studies.dashboard import DEVICE_CLASSES, bar_chart_svg, small_cell_threshold, wave_dashboard
from studies.forms import (
    CrossTabForm, ExportForm, InstrumentUploadForm, MemberForm, ReportForm, ResponseFilterForm, StudyCopyForm, StudyForm,
    WaveExtendForm, WaveForm, WaveScheduleForm,
)
from studies.models import AuditEntry, ExportJob, Mailout, Membership, Participant, Study
from surveys import respondent_cookie
from surveys import services as survey_services
from surveys.flow import page_after, page_before, visible_pages
from surveys.forms import PageForm
from surveys.instrument_files import dump_yaml
from surveys.instruments import InstrumentError
from surveys.models import InstrumentVersion, Response, Wave

BACKTICKED = re.compile(r"`([^`]*)`")  # the importers' `code` marks, shown as quotes on a page
OUTCOMES = {"created": gettext_lazy("created"), "unchanged": gettext_lazy("unchanged"),
            "replaced": gettext_lazy("replaced (no one had answered it yet)")}
JOBS_SHOWN = 20
AUDIT_ENTRIES_SHOWN = 500
LANGUAGES = ("de", "en")


def study_view(minimum: str):
    """Resolve the study (and wave) from the URL and require `minimum` role; the view gets them as arguments."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, slug, wave_slug=None, **kwargs):
            study = Study.objects.filter(slug=slug).select_related("instrument").first()
            if study is None:
                raise Http404("no such study")
            role = require_study_role(request.user, study, minimum)
            request.study_role = role
            if wave_slug is not None:
                kwargs["wave"] = get_object_or_404(study.waves().select_related("instrument_version"), slug=wave_slug)
            return view(request, study, **kwargs)

        wrapper.minimum_role = minimum
        return wrapper

    return decorate


def _render(request, template, study, context=None, status=200) -> HttpResponse:
    role = getattr(request, "study_role", None)
    may = {name: role is not None and RANK[role] >= rank for name, rank in
           (("analyse", RANK[Membership.Role.ANALYST]), ("own", RANK[Membership.Role.OWNER]))}
    role_label = Membership.Role(role).label if role else ""
    return render(request, template, {"study": study, "role": role_label, "may": may, **(context or {})}, status=status)


# --- studies ----------------------------------------------------------------------------------


@login_required
def index(request) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user).select_related("study").order_by("study__title")
    return render(request, "studies/index.html", {
        "memberships": memberships,
        "can_create": request.user.has_perm("studies.add_study"),
        "form": StudyForm(),
    })


@login_required
@permission_required("studies.add_study", raise_exception=True)
@require_POST
def create(request) -> HttpResponse:
    form = StudyForm(request.POST)
    if not form.is_valid():
        memberships = Membership.objects.filter(user=request.user).select_related("study")
        return render(request, "studies/index.html", {"memberships": memberships, "can_create": True, "form": form}, status=400)
    data = form.cleaned_data
    study = services.create_study(request.user, data["slug"], data["title"], data["template"])
    return redirect("studies:study", slug=study.slug)


@study_view(Membership.Role.VIEWER)
def study(request, study) -> HttpResponse:
    versions = list(study.instrument.versions.order_by("-number")) if study.instrument_id else []
    latest = versions[0] if versions else None
    return _render(request, "studies/study.html", study, {
        "waves": study.waves().select_related("instrument_version").order_by("-opens_at"),
        "versions": versions, "latest": latest,
        "questionnaire_title": latest.spec.title.get(translation.get_language()[:2]) if latest else "",
        "now": timezone.now(),
        "copy_form": StudyCopyForm(initial={"title": copies.copy_title(study.title)}),
        "can_copy": request.user.has_perm("studies.add_study"),
    })


@study_view(Membership.Role.OWNER)
@permission_required("studies.add_study", raise_exception=True)
@require_POST
def study_copy(request, study) -> HttpResponse:
    """The study page's copy form: a new study with the questionnaire and the waves' settings, no data."""
    form = StudyCopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the copy a title."))
        return redirect("studies:study", slug=study.slug)
    copied = copies.copy_study(request.user, study, form.cleaned_data["title"])
    messages.success(request, _(
        "This is a copy of “%(source)s” with its questionnaire and %(waves)d wave(s); no responses, invitations or "
        "addresses were copied. Check the copied waves' dates before you open them.") % {
        "source": study.title, "waves": copied.waves})
    return redirect("studies:study", slug=copied.study.slug)


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def members(request, study) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_role(request.user, study, form.cleaned_data["username"], form.cleaned_data["role"] or None)
        except services.StudyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The role was saved."))
        return redirect("studies:members", slug=study.slug)
    memberships = study.memberships.select_related("user").order_by("user__username")
    return _render(request, "studies/members.html", study, {"form": form, "memberships": memberships})


# --- instrument -------------------------------------------------------------------------------


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def upload(request, study) -> HttpResponse:
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            result, report = services.upload_instrument(study, uploaded)
        except InstrumentError as exc:
            uploaded.seek(0)
            text = uploaded.read().decode("utf-8", errors="replace")
            problem = services.upload_problem(str(exc), text)
            return _render(request, "studies/upload.html", study, {"form": form, "problem": problem}, status=400)
        messages.success(request, _("Questionnaire version %(number)s: %(outcome)s.") % {
            "number": result.version.number, "outcome": OUTCOMES[result.outcome]})
        for line in report.lines()[1:]:  # what came across, and warnings about anything kept verbatim or dropped
            messages.info(request, BACKTICKED.sub(lambda code: _("“%(code)s”") % {"code": code[1]}, line.strip()))
        return redirect("studies:study", slug=study.slug)
    return _render(request, "studies/upload.html", study, {"form": form}, status=400 if form.is_bound else 200)


@study_view(Membership.Role.ANALYST)
def preview(request, study, number) -> HttpResponse:
    """A page as respondents see it, in either language, for chosen earlier answers; stores nothing."""
    version = get_object_or_404(InstrumentVersion, instrument_id=study.instrument_id, number=number)
    instrument = version.spec
    language = request.GET.get("lang") if request.GET.get("lang") in LANGUAGES else "de"
    questions, answers = services.preview_questions(instrument, language, request.GET)
    shown = visible_pages(instrument, answers)
    current = instrument.page(request.GET.get("page", "")) or shown[0]
    preview_as = urlencode([(f"as-{question.code}", value) for question in questions for value in question.chosen])
    with translation.override(language):
        form = PageForm(current, instrument, language, answers, {}, seed=0)
        return _render(request, "studies/preview.html", study, {
            "version": version, "instrument": instrument, "page": current, "form": form,
            "groups": form.bound_groups(), "language": language, "questions": questions,
            "pages": [(page, questionnaires.page_title(instrument, page, language), page in shown) for page in instrument.pages],
            "page_title": questionnaires.page_title(instrument, current, language), "is_shown": current in shown,
            "previous": page_before(instrument, answers, current.code), "next": page_after(instrument, answers, current.code),
            "preview_as": preview_as, "other_language": "en" if language == "de" else "de",
        })


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def edit(request, study) -> HttpResponse:
    """The questionnaire's YAML in the browser: check it with a preview in both languages, save it as a version."""
    latest = study.instrument.latest_version() if study.instrument_id else None
    if latest is None:
        messages.error(request, _("Start the study's questionnaire first: upload a file or create the study from a template."))
        return redirect("studies:upload", slug=study.slug)
    text = request.POST.get("text", "") if request.method == "POST" else dump_yaml(latest.definition)
    context = {"text": text, "latest": latest}
    if request.method == "POST":
        try:
            instrument = questionnaires.check_edited(text)
        except InstrumentError as exc:
            context["problem"] = services.upload_problem(str(exc), text)
            return _render(request, "studies/edit.html", study, context, status=400)
        if "save" in request.POST:
            result = questionnaires.save_edited(study, text)
            messages.success(request, _("Questionnaire version %(number)s: %(outcome)s.") % {
                "number": result.version.number, "outcome": OUTCOMES[result.outcome]})
            return redirect("studies:study", slug=study.slug)
        context["previews"] = [(language, name, questionnaires.printed_pages(instrument, language))
                               for language, name in settings.LANGUAGES]
    return _render(request, "studies/edit.html", study, context)


@study_view(Membership.Role.VIEWER)
def questionnaire_download(request, study, number, kind) -> HttpResponse:
    version = get_object_or_404(InstrumentVersion.objects.select_related("instrument"),
                                instrument_id=study.instrument_id, number=number)
    if kind not in questionnaires.DOWNLOADS:
        raise Http404("no such format")
    language = request.GET.get("lang") if request.GET.get("lang") in LANGUAGES else translation.get_language()[:2]
    content, content_type, name = questionnaires.questionnaire_file(version, kind, language)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@study_view(Membership.Role.ANALYST)
def diff(request, study) -> HttpResponse:
    versions = list(study.instrument.versions.order_by("number")) if study.instrument_id else []
    by_number = {str(version.number): version for version in versions}
    left = by_number.get(request.GET.get("a")) or (versions[-2] if len(versions) > 1 else None)
    right = by_number.get(request.GET.get("b")) or (versions[-1] if versions else None)
    rows = services.version_diff(left, right) if left and right else []
    return _render(request, "studies/diff.html", study, {"versions": versions, "left": left, "right": right, "rows": rows})


# --- waves ------------------------------------------------------------------------------------


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def wave_new(request, study) -> HttpResponse:
    if study.instrument_id is None:
        messages.error(request, _("Upload a questionnaire before creating a wave."))
        return redirect("studies:upload", slug=study.slug)
    form = WaveForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        problem = services.validation_problem(form.cleaned_data["instrument_version"])
        if problem:
            form.add_error("instrument_version", _("This version fails validation: %(problem)s") % {"problem": problem})
        else:
            wave = form.save()
            messages.success(request, _("The wave “%(title)s” was created.") % {"title": wave.title})
            return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)
    return _render(request, "studies/wave_form.html", study, {"form": form}, status=400 if form.errors else 200)


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def wave_extend(request, study, wave) -> HttpResponse:
    """A new closing date; for a wave that has not opened yet (a copied one, say) both dates."""
    scheduled = wave.opens_at > timezone.now()
    form = (WaveScheduleForm if scheduled else WaveExtendForm)(request.POST or None, instance=wave)
    if request.method == "POST" and form.is_valid():
        form.save()
        if scheduled:
            messages.success(request, _("The wave now opens at %(opens)s and closes at %(closes)s.") % {
                "opens": _when(wave.opens_at), "closes": _when(wave.closes_at)})
        else:
            messages.success(request, _("The wave now closes at %(date)s.") % {"date": wave.closes_at})
        return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)
    return _render(request, "studies/wave_extend.html", study, {"form": form, "wave": wave, "scheduled": scheduled},
                   status=400 if form.errors else 200)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@study_view(Membership.Role.OWNER)
@require_POST
def wave_open(request, study, wave) -> HttpResponse:
    return _wave_action(request, study, wave, services.open_wave, _("The wave is open."))


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def wave_close(request, study, wave) -> HttpResponse:
    """Ask first (saying what will be deleted and cancelled), then close and say what was."""
    if request.method == "GET":
        return _render(request, "studies/wave_close.html", study, {
            "wave": wave, "is_open": wave.is_open(timezone.now()),
            "participants": Participant.objects.filter(wave=wave).count(),
            "mailouts": Mailout.objects.filter(wave=wave, status=Mailout.Status.SCHEDULED).count(),
        })
    try:
        closed = services.close_wave(wave)
    except services.StudyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _(
            "The wave is closed. The participant list (%(participants)d people) was deleted and %(mailouts)d "
            "scheduled mailings were cancelled; only the counts remain.") % {
            "participants": closed.participants_deleted, "mailouts": closed.mailouts_cancelled})
    return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.OWNER)
@require_http_methods(["GET", "POST"])
def wave_copy(request, study, wave) -> HttpResponse:
    """The new-wave form filled in from this wave, dates left for the researcher to set."""
    initial = {"title": copies.copy_title(wave.title), "slug": copies.free_slug(Wave, f"{wave.slug}-{_('copy')}"),
               "instrument_version": wave.instrument_version_id, "privacy_mode": wave.privacy_mode}
    form = WaveForm(request.POST or None, study=study, initial=initial)
    if request.method == "POST" and form.is_valid():
        copy = copies.copy_wave(request.user, study, wave, form.save(commit=False))
        messages.success(request, _("The wave “%(title)s” was created as a copy of “%(source)s”.") % {
            "title": copy.title, "source": wave.title})
        return redirect("studies:dashboard", slug=study.slug, wave_slug=copy.slug)
    return _render(request, "studies/wave_form.html", study, {"form": form, "source": wave},
                   status=400 if form.errors else 200)


@study_view(Membership.Role.ANALYST)
@require_POST
def wave_test(request, study, wave) -> HttpResponse:
    """Open the wave's questionnaire as a test respondent, whatever its dates and access; the answers are a test response."""
    invitation = survey_services.create_test_invitation(wave)
    cookie = respondent_cookie.read(request)
    cookie.open_link(invitation)
    reply = redirect("surveys:information", slug=wave.slug)
    respondent_cookie.write(cookie, reply)
    return reply


@study_view(Membership.Role.OWNER)
@require_POST
def test_responses_delete(request, study, wave) -> HttpResponse:
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that the test responses should be deleted."))
        return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)
    deleted = services.delete_test_responses(request.user, study, wave)
    messages.success(request, ngettext("%(count)d test response was deleted.", "%(count)d test responses were deleted.",
                                       deleted) % {"count": deleted})
    return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)


def _wave_action(request, study, wave, action, success) -> HttpResponse:
    try:
        action(wave)
    except services.StudyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("studies:dashboard", slug=study.slug, wave_slug=wave.slug)


@study_view(Membership.Role.VIEWER)
def dashboard(request, study, wave) -> HttpResponse:
    board = wave_dashboard(wave)
    charts = {
        "totals": bar_chart_svg(board.totals, _("Participants by stage")),
        "per_day": bar_chart_svg(board.per_day, _("Completed responses per day")),
        "funnel": bar_chart_svg(board.funnel, _("Responses that reached each page")),
        "devices": bar_chart_svg(board.devices, _("Device classes")),
    }
    context = {"wave": wave, "board": board, "charts": charts, "updated_at": timezone.now(), "now": timezone.now(),
               "test_responses": services.wave_test_responses(wave).count(),
               "refresh_seconds": getattr(settings, "UPTAKE_DASHBOARD_REFRESH_SECONDS", 15)}
    template = "studies/_dashboard_live.html" if request.GET.get("partial") else "studies/dashboard.html"
    return _render(request, template, study, context)


# --- responses --------------------------------------------------------------------------------


@study_view(Membership.Role.ANALYST)
def responses(request, study, wave) -> HttpResponse:
    """The wave's responses, filtered and paginated; no pseudonym, no answer shown. Each look is audited."""
    language = translation.get_language()[:2]
    form = ResponseFilterForm(request.GET or None, results.closed_questions(wave, language), DEVICE_CLASSES)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    shown = results.filtered_responses(wave, filters, form.chosen_answer() if filters else None)
    page = results.response_page(wave, shown, request.GET.get("page"), language)
    audit(request.user, AuditEntry.Action.RESULTS_VIEW, f"response list of wave {wave.slug}",
          detail=_filter_detail(filters), study=study)
    return _render(request, "studies/responses.html", study, {"wave": wave, "form": form, "page": page},
                   status=200 if valid else 400)


def _filter_detail(filters: dict) -> str:
    chosen = ", ".join(f"{name}={value}" for name, value in filters.items() if value)
    return f"filtered by {chosen}" if chosen else ""


@study_view(Membership.Role.ANALYST)
def results_view(request, study, wave) -> HttpResponse:
    """Every question's answers as a small chart with counts and percents, small cells suppressed."""
    shown = results.question_results(wave, translation.get_language()[:2])
    charts = [(result, bar_chart_svg(result.bars, result.question.title)) for result in shown]
    audit(request.user, AuditEntry.Action.RESULTS_VIEW, f"results of wave {wave.slug}", study=study)
    return _render(request, "studies/results.html", study, {
        "wave": wave, "charts": charts, "threshold": small_cell_threshold(), "secondary": results.secondary_marker()})


@study_view(Membership.Role.ANALYST)
def crosstab(request, study, wave) -> HttpResponse:
    """Two closed questions against each other (the first two unless chosen), small cells suppressed."""
    closed = results.closed_questions(wave, translation.get_language()[:2])
    by_code = {question.code: question for question in closed}
    chosen = request.GET
    if not chosen and len(closed) > 1:
        chosen = {"rows": closed[0].code, "columns": closed[1].code}
    form = CrossTabForm(chosen or None, closed)
    table = None
    if form.is_bound and form.is_valid():
        rows, columns = by_code[form.cleaned_data["rows"]], by_code[form.cleaned_data["columns"]]
        table = results.crosstab(wave, rows, columns)
        audit(request.user, AuditEntry.Action.RESULTS_VIEW, f"cross-tab of wave {wave.slug}",
              detail=f"questions {rows.code} x {columns.code}", study=study)
    return _render(request, "studies/crosstab.html", study, {
        "wave": wave, "form": form, "table": table, "threshold": small_cell_threshold(), "secondary": results.secondary_marker()},
        status=400 if form.errors else 200)


@study_view(Membership.Role.ANALYST)
def response_detail(request, study, wave, pk) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("instrument_version"), pk=pk, wave=wave)
    audit(request.user, AuditEntry.Action.RESPONSE_VIEW, f"response {response.pk} of wave {wave.slug}", study=study)
    sheet = services.answer_sheet(response) if response.status != Response.Status.WITHDRAWN else []
    return _render(request, "studies/response.html", study, {"wave": wave, "response": response, "sheet": sheet})


@study_view(Membership.Role.OWNER)
@require_POST
def response_withdraw(request, study, wave, pk) -> HttpResponse:
    response = get_object_or_404(Response, pk=pk, wave=wave)
    services.withdraw_on_request(request.user, study, response)
    messages.success(request, _("The response was withdrawn: its answers and paradata are deleted."))
    return redirect("studies:responses", slug=study.slug, wave_slug=wave.slug)


# --- exports and reports ------------------------------------------------------------------------


@study_view(Membership.Role.ANALYST)
@require_http_methods(["GET", "POST"])
def exports(request, study, wave) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.start_export(request.user, study, wave, data["format"], data["with_usage"], data["language"])
        messages.success(request, _("The export was started; it appears below when it is ready."))
        return redirect("studies:exports", slug=study.slug, wave_slug=wave.slug)
    jobs = ExportJob.objects.filter(wave=wave).select_related("requested_by")[:JOBS_SHOWN]
    if request.GET.get("partial"):
        return _render(request, "studies/_export_jobs.html", study, {"wave": wave, "jobs": jobs})
    return _render(request, "studies/exports.html", study, {
        "wave": wave, "form": form, "jobs": jobs,
        "late_withdrawals": services.withdrawn_after_export(wave),
    })


@study_view(Membership.Role.ANALYST)
def export_download(request, study, pk) -> HttpResponse:
    job = get_object_or_404(ExportJob, pk=pk, wave__in=study.waves(), status=ExportJob.Status.FINISHED)
    return _download(request, study, job.output_path, "application/zip")


@study_view(Membership.Role.ANALYST)
@require_http_methods(["GET", "POST"])
def reports(request, study, wave) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.start_report(request.user, study, wave, form.cleaned_data["kind"], form.cleaned_data["language"])
        messages.success(request, _("The report is being built; it appears below when it is ready."))
        return redirect("studies:reports", slug=study.slug, wave_slug=wave.slug)
    jobs = ReportJob.objects.filter(wave=wave).select_related("requested_by")[:JOBS_SHOWN]
    running = any(job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING) for job in jobs)
    template = "studies/_report_jobs.html" if request.GET.get("partial") else "studies/reports.html"
    return _render(request, template, study, {"wave": wave, "form": form, "jobs": jobs, "running": running})


@study_view(Membership.Role.ANALYST)
def report_download(request, study, pk) -> HttpResponse:
    """The PDF, or with ?file=docx the Word manuscript beside it, or with ?file=assets its figures and tables as a zip."""
    job = get_object_or_404(ReportJob, pk=pk, wave__in=study.waves(), status=ReportJob.Status.FINISHED)
    pdf = Path(job.output_path)
    wanted = request.GET.get("file", "pdf")
    if wanted == "docx":
        return _download(request, study, pdf.with_suffix(".docx"), DOCX)
    if wanted == "assets":
        assets = pdf.with_name(pdf.name + ".assets")
        if not assets.is_dir():
            raise Http404("the figures and tables are no longer there; build the report again")
        audit(request.user, AuditEntry.Action.DOWNLOAD, assets.name, study=study)
        response = HttpResponse(services.zip_directory(assets), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{pdf.stem}_assets.zip"'
        return response
    return _download(request, study, pdf, "application/pdf")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(request, study, output_path, content_type) -> HttpResponse:
    path = Path(output_path)
    if not path.is_file():
        raise Http404("the file is no longer there; build it again")
    audit(request.user, AuditEntry.Action.DOWNLOAD, path.name, study=study)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)


# --- audit log --------------------------------------------------------------------------------


@study_view(Membership.Role.OWNER)
def audit_log(request, study) -> HttpResponse:
    entries = shown_entries(study, entries_for(study)[:AUDIT_ENTRIES_SHOWN])
    return _render(request, "studies/audit.html", study, {"entries": entries})


@study_view(Membership.Role.OWNER)
def audit_log_csv(request, study) -> HttpResponse:
    with transaction.atomic():
        text = audit_csv(study)
        audit(request.user, AuditEntry.Action.DOWNLOAD, f"audit log of {study.slug}", study=study)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}_audit.csv"'
    return response

