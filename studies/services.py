"""What researchers do in a study: upload and compare instrument versions, run waves, read a response,
start exports and reports. Views call these; nothing here knows about requests."""

import difflib
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from reports.models import ReportJob
from reports.tasks import build_report_job
from studies import mailing
from studies.audit import audit
from studies.models import AuditEntry, ExportJob, Membership, Study
from studies.questionnaires import page_title, start_from_template, store_in_study
from studies.tasks import build_export_job
from surveys import services as survey_services
from surveys.flow import visible_items, visible_pages
from surveys.importers.common import ConversionReport
from surveys.instrument_files import dump_yaml, validate_definition
from surveys.instruments import NOT_APPLICABLE, ChoiceItem, InstrumentError, Likert, LikertMatrix
from surveys.models import InstrumentVersion, Invitation, Response, Wave
from surveys.services import ImportResult, convert_questionnaire

# A line of the file as a message names it in English or German; an XLSForm's "survey-Zeile" is a sheet row, not a line.
LINE_NUMBER = re.compile(r"(?:\bline|(?<![-\w])Zeile) (\d+)\b")
CONTEXT_LINES = 3
MAX_WINDOWS = 3


class StudyError(Exception):
    """Something a researcher asked for that the study does not allow; the message is for them."""


# --- studies and roles ------------------------------------------------------------------------


@transaction.atomic
def create_study(user, slug: str, title: str, template: str = "") -> Study:
    """A new study, owned by the researcher who created it, with its questionnaire from `template` if one is named."""
    study = Study.objects.create(slug=slug, title=title)
    Membership.objects.create(study=study, user=user, role=Membership.Role.OWNER)
    audit(user, AuditEntry.Action.ROLE_CHANGE, user.get_username(), "owner (created the study)", study=study)
    if template:
        start_from_template(study, template)
        study.refresh_from_db()
    return study


@transaction.atomic
def set_role(by, study: Study, user, role: str | None) -> None:
    """Give `user` a role in the study, change it, or (role None) remove them; the last owner stays."""
    current = Membership.objects.filter(study=study, user=user).first()
    owners = study.memberships.filter(role=Membership.Role.OWNER)
    if current and current.role == Membership.Role.OWNER and role != Membership.Role.OWNER and owners.count() == 1:
        raise StudyError(_("A study needs at least one owner."))
    if role is None:
        if current:
            current.delete()
    else:
        Membership.objects.update_or_create(study=study, user=user, defaults={"role": role})
    audit(by, AuditEntry.Action.ROLE_CHANGE, user.get_username(),
          f"{current.role if current else '-'} -> {role or '-'}", study=study)


# --- instrument -------------------------------------------------------------------------------


@dataclass
class UploadProblem:
    """An invalid upload: the message, and the file's lines around each line it names (None, "…" between windows)."""

    message: str
    line: int | None
    excerpt: list[tuple[int | None, str]]
    lines: tuple[int, ...] = ()  # every line the message names, highlighted in the excerpt


def upload_instrument(study: Study, uploaded, default_language: str = "en") -> tuple[ImportResult, ConversionReport]:
    """Import an uploaded questionnaire file (YAML, LimeSurvey .lss, XLSForm, REDCap) into the study.

    The file becomes the study's questionnaire or its next version (studies/questionnaires.py).
    Raises InstrumentError naming the uploaded file; then nothing is stored.
    """
    with tempfile.TemporaryDirectory(prefix="uptake-upload-") as tmp:
        path = Path(tmp) / get_valid_filename(Path(uploaded.name).name or "instrument.yaml")
        with path.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        try:
            spec, definition, report = convert_questionnaire(path, default_language)
        except InstrumentError as exc:
            raise InstrumentError(str(exc).replace(str(path), path.name)) from None
    return store_in_study(study, spec, definition, report, source_name=path.name), report


def upload_problem(message: str, text: str) -> UploadProblem:
    """The error message with the lines of the file around each line it refers to.

    A YAML error names where the parser gave up and where the broken construct starts (an unclosed
    quote on line 52 is found on line 90): the researcher sees both places, in line order.
    """
    lines = text.splitlines()
    named = sorted({int(number) for number in LINE_NUMBER.findall(message) if 0 < int(number) <= len(lines)})[:MAX_WINDOWS]
    if not named:
        return UploadProblem(message, None, [])
    shown = sorted({number for line in named
                    for number in range(max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES) + 1)})
    excerpt = []
    for number in shown:
        if excerpt and excerpt[-1][0] is not None and number > excerpt[-1][0] + 1:
            excerpt.append((None, "…"))
        excerpt.append((number, lines[number - 1]))
    return UploadProblem(message, named[0], excerpt, tuple(named))


def validation_problem(version: InstrumentVersion) -> str | None:
    """Why a stored version would not pass today's validation, or None if it does."""
    try:
        validate_definition(version.definition, source=f"{version}")
    except InstrumentError as exc:
        return str(exc)
    return None


@dataclass
class DiffRow:
    kind: str  # "equal", "replace", "delete", "insert"
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def version_diff(left: InstrumentVersion, right: InstrumentVersion) -> list[DiffRow]:
    """Side-by-side lines of the two versions' YAML files, as exported."""
    a, b = dump_yaml(left.definition).splitlines(), dump_yaml(right.definition).splitlines()
    rows = []
    for kind, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for offset in range(max(a2 - a1, b2 - b1)):
            i, j = a1 + offset, b1 + offset
            rows.append(DiffRow(kind, i + 1 if i < a2 else None, a[i] if i < a2 else "",
                                j + 1 if j < b2 else None, b[j] if j < b2 else ""))
    return rows


# --- waves ------------------------------------------------------------------------------------


def open_wave(wave: Wave, now: datetime | None = None) -> None:
    """Open a scheduled wave now; refused for an instrument that fails validation or a wave already over."""
    now = now or timezone.now()
    problem = validation_problem(wave.instrument_version)
    if problem:
        raise StudyError(_("The wave cannot open: its questionnaire fails validation (%(problem)s).") % {"problem": problem})
    if wave.closes_at <= now:
        raise StudyError(_("The wave has already closed; extend it with a new closing date instead."))
    if wave.opens_at > now:
        wave.opens_at = now
        wave.save(update_fields=["opens_at"])


@dataclass
class ClosedWave:
    participants_deleted: int
    mailouts_cancelled: int


@transaction.atomic
def close_wave(wave: Wave, now: datetime | None = None) -> ClosedWave:
    """Close an open wave now: the scheduled mails are cancelled and the participant list deleted at once.

    The retention job would delete the list later anyway; closing by hand should not leave
    addresses and reminders behind until a timer runs.
    """
    now = now or timezone.now()
    if not wave.is_open(now):
        raise StudyError(_("Only an open wave can be closed."))
    wave.closes_at = now
    wave.save(update_fields=["closes_at"])
    cancelled = mailing.cancel_pending_mailouts(wave)
    return ClosedWave(participants_deleted=mailing.delete_addresses(wave), mailouts_cancelled=cancelled)


# --- a single response ------------------------------------------------------------------------


@dataclass
class AnswerLine:
    question: str
    answer: str


@dataclass
class AnsweredPage:
    title: str
    answers: list[AnswerLine]


def answer_sheet(response: Response) -> list[AnsweredPage]:
    """The response as questions and answers, in the language the respondent answered in."""
    instrument = response.instrument_version.spec
    language = response.language
    values, other_texts = survey_services.stored_answers(response)
    pages = []
    for page in visible_pages(instrument, values):
        lines = []
        for item in visible_items(page, values):
            if isinstance(item, LikertMatrix):
                for row in item.rows:
                    lines.append(AnswerLine(f"{item.text.get(language)} – {row.text.get(language)}",
                                            _likert_answer(instrument, item, values.get(row.code), language)))
                continue
            lines.append(AnswerLine(item.text.get(language),
                                    _answer_text(instrument, item, values.get(item.code), other_texts.get(item.code), language)))
        pages.append(AnsweredPage(page_title(instrument, page, language), lines))
    return pages


def _answer_text(instrument, item, value, other_text, language) -> str:
    if value in (None, "", []):
        return "–"
    if isinstance(item, Likert):
        return _likert_answer(instrument, item, value, language)
    if isinstance(item, ChoiceItem):
        labels = {option.code: option.label.get(language) for option in item.options}
        if item.other:
            labels["other"] = f"{item.other.get(language)} {other_text or ''}".strip()
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(code, str(code)) for code in chosen)
    return str(value)


def _likert_answer(instrument, item, value, language) -> str:
    if value is None:
        return "–"
    if value == NOT_APPLICABLE:
        return item.not_applicable.get(language) if item.not_applicable else str(value)
    return f"{value} – {instrument.likert_labels(item)[value - 1].get(language)}"


@transaction.atomic
def withdraw_on_request(user, study: Study, response: Response) -> None:
    """Withdraw a response on the participant's request (by e-mail, phone ...), recorded in the audit log."""
    survey_services.withdraw_response(response)
    audit(user, AuditEntry.Action.WITHDRAWAL, f"response {response.pk} of wave {response.wave.slug}", study=study)


# --- test responses ----------------------------------------------------------------------------


def wave_test_responses(wave: Wave):
    """The responses researchers made with "Test" (surveys.services.create_test_invitation); no other view reads them."""
    return Response.all_objects.filter(wave=wave, is_test=True)


@transaction.atomic
def delete_test_responses(user, study: Study, wave: Wave) -> int:
    """Delete the wave's test responses with their answers and paradata, and the test links; recorded in the audit log."""
    deleted = wave_test_responses(wave).count()
    wave_test_responses(wave).delete()
    Invitation.objects.filter(wave=wave, is_test=True).delete()
    audit(user, AuditEntry.Action.TEST_DELETION, f"wave {wave.slug}", f"{deleted} test response(s)", study=study)
    return deleted


# --- exports and reports ------------------------------------------------------------------------


@transaction.atomic
def start_export(user, study: Study, wave: Wave, fmt: str, with_usage: bool, language: str) -> ExportJob:
    job = ExportJob.objects.create(wave=wave, format=fmt, with_usage=with_usage, language=language, requested_by=user)
    audit(user, AuditEntry.Action.EXPORT, f"wave {wave.slug}",
          f"{fmt}{' with usage features' if with_usage else ''}, job {job.pk}", study=study)
    build_export_job.enqueue(job.pk)
    return job


@dataclass(frozen=True)
class LateWithdrawal:
    response_id: int
    withdrawn_at: datetime
    exports: list[ExportJob]  # started before the withdrawal: they may hold the response's rows


def withdrawn_after_export(wave: Wave) -> list[LateWithdrawal]:
    """Responses withdrawn after an export of the wave was made, each with the exports made before.

    Withdrawal deletes the answers here, not in files already downloaded: the study team has to
    delete these rows (by response_id) from those exports and their copies (GDPR Art. 17 and 19).
    """
    finished = list(ExportJob.objects.filter(wave=wave, status=ExportJob.Status.FINISHED).order_by("created_at", "pk"))
    if not finished:
        return []
    # An export reads the responses while it runs: one withdrawn after it started may be in it.
    withdrawn = wave.responses.filter(status=Response.Status.WITHDRAWN, withdrawn_at__gt=finished[0].created_at)
    return [
        LateWithdrawal(pk, withdrawn_at, [job for job in finished if job.created_at < withdrawn_at])
        for pk, withdrawn_at in withdrawn.order_by("withdrawn_at", "pk").values_list("pk", "withdrawn_at")
    ]


@transaction.atomic
def start_report(user, study: Study, wave: Wave, kind: str, language: str) -> ReportJob:
    job = ReportJob.objects.create(wave=wave, kind=kind, language=language, requested_by=user)
    audit(user, AuditEntry.Action.REPORT, f"wave {wave.slug}", f"{kind} ({language}), job {job.pk}", study=study)
    build_report_job.enqueue(job.pk)
    return job


# --- preview ----------------------------------------------------------------------------------


@dataclass
class PreviewQuestion:
    """An earlier answer that decides what is shown: the researcher picks it to "preview as"."""

    code: str
    text: str
    choices: list[tuple[str, str]]  # (value, label); empty for free input
    multiple: bool
    chosen: list[str]


def preview_questions(instrument, language: str, query) -> tuple[list[PreviewQuestion], dict]:
    """The items conditions refer to, with the values chosen in `query` (a QueryDict), and those as answers.

    Returns (questions for the "preview as" form, answers dict in the stored form flow.py expects).
    """
    codes = []
    for page in instrument.pages:
        for condition in [page.show_if, *(item.show_if for item in page.items)]:
            if condition is not None:
                codes += [code for code in condition.referenced_items() if code not in codes]
    questions, answers = [], {}
    for code in codes:
        item, row = _item_or_row(instrument, code)
        if item is None:
            continue
        chosen = [value for value in query.getlist(f"as-{code}") if value != ""]
        text = item.text.get(language) + (f" – {row.text.get(language)}" if row else "")
        choices, multiple = _preview_choices(instrument, item, language), isinstance(item, ChoiceItem) and item.type == "multiple_choice"
        questions.append(PreviewQuestion(code, text, choices, multiple, chosen))
        if chosen:
            answers[code] = chosen if multiple else _typed(item, chosen[0])
    return questions, answers


def _item_or_row(instrument, code):
    for _page, item in instrument.items():
        if item.code == code:
            return item, None
        for row in getattr(item, "rows", []) or []:
            if row.code == code:
                return item, row
    return None, None


def _preview_choices(instrument, item, language) -> list[tuple[str, str]]:
    if isinstance(item, ChoiceItem):
        choices = [(option.code, option.label.get(language)) for option in item.options]
        return choices + ([("other", item.other.get(language))] if item.other else [])
    if isinstance(item, (Likert, LikertMatrix)):
        labels = instrument.likert_labels(item)
        return [(str(point), f"{point} – {labels[point - 1].get(language)}") for point in range(1, item.points + 1)]
    if item.type == "scale_0_10":
        return [(str(point), str(point)) for point in range(11)]
    return []


def _typed(item, value: str):
    """A chosen value as it would be stored: numbers as numbers, codes as text."""
    if item.type in ("likert", "likert_matrix", "scale_0_10") and value != NOT_APPLICABLE:
        return int(value)
    if item.type == "number":
        try:
            return int(value) if getattr(item, "integer", True) else float(value)
        except ValueError:
            return None
    return value


def zip_directory(directory: Path) -> bytes:
    """A report's figures and tables (a few hundred kilobytes) as one zip, built in memory for the download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, arcname=str(path.relative_to(directory)))
    return buffer.getvalue()
