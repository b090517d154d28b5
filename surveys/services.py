"""What can happen to instruments, waves, invitations and responses.

Every change to a response runs in a transaction holding a row lock on it, so double submits,
reloads and concurrent tabs are serialized: each sees the state the previous one left.
"""

import hashlib
import secrets
from dataclasses import dataclass

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys import anonymity, flow, response_sql
from surveys.access import oidc_claims
from surveys.file_limits import check_file_size
from surveys.importers import read_questionnaire, source_format
from surveys.importers.common import ConversionReport, count_items, numbered_variant
from surveys.instrument_files import definition_checksum, read_instrument_file, resolve, validate_definition
from surveys.models import Instrument, InstrumentVersion, Invitation, PageVisit, Response, Wave
from surveys.pseudonyms import keyed_hash, pseudonymize, wave_linkage_pseudonym


TITLE_LENGTH = Instrument._meta.get_field("title").max_length


class SurveyError(Exception):
    """Something a respondent tried that the survey does not allow; the message is for them."""


class WaveClosed(SurveyError):
    pass


class ResponseFinished(SurveyError):
    pass


# --- instruments ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    version: InstrumentVersion
    outcome: str  # "created", "unchanged", "replaced" (not yet used by any response)


def import_instrument(path):
    """Store a YAML instrument file as a new version unless the latest version has the same content.

    A version nobody has answered yet is replaced in place; once responses exist it is frozen and
    a changed file becomes the next version.
    """
    spec, definition = read_instrument_file(path)
    return store_instrument(spec, definition, str(path))


def import_instrument_file(path, default_language="en", code=None) -> tuple[ImportResult, ConversionReport]:
    """Store any questionnaire file: Uptake YAML, LimeSurvey .lss, XLSForm or a REDCap data dictionary.

    The report says what came across (items per type, languages, conditions translated or kept
    verbatim, what was dropped and why). default_language names the language of texts in files
    that state none (REDCap, XLSForm without language columns); code replaces the instrument code
    the file states or the importer derives (its title, form id or form name), so an import cannot
    become a new version of an unrelated instrument that happens to share it. Nothing is stored
    unless the whole file converts into a valid instrument.
    """
    spec, definition, report = convert_questionnaire(path, default_language)
    if code and code != spec.code:
        spec, definition = recoded(spec, definition, code)
    return store_instrument(spec, definition, str(path)), report


def convert_questionnaire(path, default_language="en"):
    """(Instrument, definition as stored, ConversionReport) for any questionnaire file; stores nothing.

    The file is read within the bounds of surveys.file_limits, and before any transaction opens.
    """
    check_file_size(path)
    if source_format(path) == "yaml":
        spec, definition = read_instrument_file(path)
        report = ConversionReport(source=str(path), source_format="yaml", languages=spec.title.languages)
        count_items(definition["pages"], report)
        return spec, definition, report
    data, report = read_questionnaire(path, default_language)
    spec = validate_definition(data, source=str(path))
    return spec, spec.model_dump(mode="json", exclude_unset=True, by_alias=True), report


def recoded(spec, definition, code):
    """The instrument and its definition under another code (the code names the questionnaire, nothing inside it)."""
    return spec.model_copy(update={"code": code}), {**definition, "code": code}


def free_instrument_code(code: str) -> str:
    """`code` if no instrument has it yet, else the first free `code_2`, `code_3` ... (within the length limit)."""
    return numbered_variant(code, lambda candidate: Instrument.objects.filter(code=candidate).exists())


@transaction.atomic
def store_instrument(spec, definition, source_name: str) -> ImportResult:
    """Store a converted questionnaire as the next version of the instrument with its code (see import_instrument).

    source_name is the file as the researcher knows it (a path on the command line, the name of an upload).
    """
    resolved = resolve(definition)
    checksum = definition_checksum(resolved)
    instrument, _ = Instrument.objects.select_for_update().get_or_create(
        code=spec.code, defaults={"title": spec.title.en[:TITLE_LENGTH]}
    )
    instrument.title = spec.title.en[:TITLE_LENGTH]  # imported titles can be longer than the list column
    instrument.save(update_fields=["title"])
    latest = instrument.latest_version()
    if latest and latest.checksum == checksum:
        return ImportResult(latest, "unchanged")
    if latest and not latest.is_frozen():
        latest.definition, latest.resolved, latest.checksum = definition, resolved, checksum
        latest.source_name = source_name
        latest.save(update_fields=["definition", "resolved", "checksum", "source_name"])
        return ImportResult(latest, "replaced")
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(latest.number + 1) if latest else 1,
        definition=definition,
        resolved=resolved,
        checksum=checksum,
        source_name=source_name,
    )
    return ImportResult(version, "created")


# --- invitations ------------------------------------------------------------------------------


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_invitations(wave, count=0, identifiers=()):
    """Create invitations and return their tokens (only the hashes are stored).

    With identifiers (OIDC subjects or e-mails, per UPTAKE_PSEUDONYM_IDENTIFIER) each invitation
    carries that person's pseudonym, so a pseudonymous wave can link answers without SSO.
    Returns a list of (identifier or None, token).
    """
    people = [None] * count + [identifier for identifier in identifiers if identifier.strip()]
    created = []
    for identifier in people:
        token = secrets.token_urlsafe(24)
        pseudonym = pseudonymize(identifier) if identifier and wave.is_pseudonymous else ""
        Invitation.objects.create(wave=wave, token_hash=hash_token(token), pseudonym=pseudonym)
        created.append((identifier, token))
    return created


def find_invitation(token):
    return Invitation.objects.select_related("wave").filter(token_hash=hash_token(token or "")).first()


def invitation_url(token):
    return f"{settings.UPTAKE_BASE_URL.rstrip('/')}/i/{token}/"


def study_contact():
    """Who answers respondents' questions: in every mail and on the pages that turn someone away."""
    return settings.UPTAKE_MAIL_CONTACT or settings.DEFAULT_FROM_EMAIL


# --- who is answering -------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    key: str  # wave-scoped, for one-response-per-participant and resuming
    pseudonym: str  # usage-linkable pseudonym, only in pseudonymous waves; stored only with linkage consent
    invitation: Invitation | None = None
    is_test: bool = False  # a researcher trying the questionnaire out (create_test_invitation)


def participant_for_user(wave, user):
    account = SocialAccount.objects.filter(user=user, provider=settings.OIDC_PROVIDER_ID).first()
    if account is not None:
        source = f"oidc:{account.uid}"
        claims = oidc_claims(account)
        identifier = account.uid if settings.UPTAKE_PSEUDONYM_IDENTIFIER == "subject" else (claims.get("email") or user.email)
    else:
        source = f"user:{user.pk}"
        identifier = user.email if settings.UPTAKE_PSEUDONYM_IDENTIFIER == "email" else ""
    pseudonym = pseudonymize(identifier) if wave.is_pseudonymous and identifier else ""
    return Participant(key=keyed_hash(f"participant:{wave.slug}:{source}"), pseudonym=pseudonym)


def participant_for_invitation(invitation):
    pseudonym = invitation.pseudonym if invitation.wave.is_pseudonymous else ""
    return Participant(
        key=keyed_hash(f"participant:{invitation.wave.slug}:invitation:{invitation.pk}"),
        pseudonym=pseudonym,
        invitation=invitation,
        is_test=invitation.is_test,
    )


def create_test_invitation(wave) -> Invitation:
    """A researcher's own link for trying the wave's questionnaire out (its token is never shown).

    Its response is a test response: made whatever the wave's dates and access setting, never
    linked to an account or a pseudonym, so it neither uses up anyone's invitation nor marks a
    signed-in account as having answered.
    """
    return Invitation.objects.create(wave=wave, token_hash=hash_token(secrets.token_urlsafe(24)), is_test=True)


# --- responses --------------------------------------------------------------------------------


def require_open(wave, is_test=False):
    """Refuse answers outside the wave's dates; a researcher's test may run before it opens and after it closes."""
    if not wave.is_open() and not is_test:
        raise WaveClosed(wave)


def open_response(wave, participant, language="de", device=""):
    """The participant's response to the wave, created on first view of the information page.

    Raises ResponseFinished for a participant whose submitted anonymous response was cut from them.
    """
    existing = Response.all_objects.filter(wave=wave, participant_key=participant.key).first()
    if existing:
        return existing
    if anonymity.has_answered(wave, participant):
        raise ResponseFinished(Response.Status.COMPLETED)
    require_open(wave, participant.is_test)
    try:
        with transaction.atomic():
            response = Response.all_objects.create(
                wave=wave,
                instrument_version=wave.instrument_version,
                participant_key=participant.key,
                invitation=participant.invitation,
                via_invitation=participant.invitation is not None,
                wave_pseudonym=wave_linkage_pseudonym(participant.pseudonym),
                language=language,
                device=device,
                info_viewed_at=timezone.now(),
                is_test=participant.is_test,
            )
            if participant.invitation is not None:
                Invitation.objects.filter(pk=participant.invitation.pk, used_at__isnull=True).update(used_at=timezone.now())
            return response
    except IntegrityError:
        # A concurrent request created it first; there is still exactly one.
        return Response.all_objects.get(wave=wave, participant_key=participant.key)


def response_for(wave, participant, lock=False):
    """The participant's response to the wave, if any, with its instrument version (minus its JSON).

    lock=True (inside a transaction) takes the row lock that every change to a response holds: the
    respondent's other requests wait for this one, and this one reads what they left.
    """
    queryset = Response.all_objects.filter(wave=wave, participant_key=participant.key)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    response = _without_instrument_json(queryset).first()
    if response is not None:
        response.wave = wave  # known already: not read again
    return response


def locked(response):
    """The response re-read under a row lock on it alone: locking the joined wave row too would
    make every respondent of the wave wait for every other one."""
    queryset = Response.all_objects.select_for_update(of=("self",)).select_related("wave")
    return _without_instrument_json(queryset).get(pk=response.pk)


def _without_instrument_json(queryset, version="instrument_version"):
    """Respondent requests take the instrument from the per-process cache (InstrumentVersion.spec),
    so the version's two large JSON columns stay in the database."""
    large = [f"{version}__{name}" for name in InstrumentVersion.LARGE_FIELDS]
    return queryset.select_related(version).defer(*large)


@transaction.atomic
def give_consent(response, participant, linkage_consent=False):
    """Record consent and return the first page's code (or where the respondent already is).

    Only with linkage consent is the participant's usage-linkable pseudonym stored.
    """
    response = locked(response)
    _check_can_answer(response)
    if response.status == Response.Status.IN_PROGRESS:
        return response.current_page
    instrument = response.instrument_version.spec
    first = flow.visible_pages(instrument, {})[0]
    now = timezone.now()
    response.status = Response.Status.IN_PROGRESS
    response.consented_at = now
    response.started_at = now
    _record_linkage_consent(response, participant.pseudonym, linkage_consent)
    response.current_page = response.last_page = first.code
    response.save()
    return first.code


def _record_linkage_consent(response, pseudonym, linkage_consent):
    """Store the usage pseudonym only with consent; the invitation keeps it no longer than this decision."""
    response.linkage_consent = bool(linkage_consent) and response.wave.is_pseudonymous and bool(pseudonym)
    response.pseudonym = pseudonym if response.linkage_consent else ""
    if response.invitation_id is not None:
        Invitation.objects.filter(pk=response.invitation_id).update(pseudonym="")


def stored_answers(response):
    """(item -> value, item -> "other" text) from one read of the response's answers."""
    values, other_texts = {}, {}
    for item, value, other_text in response_sql.answers(response.pk):
        values[item] = value
        if other_text:
            other_texts[item] = other_text
    return values, other_texts


def answers_of(response):
    return stored_answers(response)[0]


def reachable_page(response, page_code, answers):
    """The page if the respondent may look at it now: shown, and not beyond the furthest reached."""
    instrument = response.instrument_version.spec
    page = instrument.page(page_code)
    if page is None or page not in flow.visible_pages(instrument, answers):
        return None
    if flow.page_position(instrument, page_code) > flow.page_position(instrument, response.last_page):
        return None
    return page


def enter_page(response, page_code):
    """Paradata: open a visit for this page, closing any other open one. Reloads add nothing.

    response: locked in the caller's transaction (response_for(..., lock=True) or locked()).
    """
    move = response.is_open_for_answers and response.current_page != page_code
    response_sql.enter_page(response, page_code, timezone.now(), move)


@dataclass
class Step:
    """Where a respondent goes after a page: another page, the thank-you page, or back with an error."""

    page: str | None = None
    finished: bool = False
    error_item: str | None = None  # a required item left empty on an earlier page


def record_page_answers(response, answers, page_code, values, direction="next", language="de"):
    """Save one page's answers and decide where the respondent goes next.

    response: locked in the caller's transaction (response_sql.invited_response, response_for(...,
    lock=True) or locked()), and answers: its answers read under that lock (another tab may have
    just saved a page); they are merged with this page's values instead of read again after storing
    them, and routing is decided before the page is written in one go. values maps item/row
    code -> (value or None, other text) for every field of the page; None removes an earlier
    answer. direction is "next" or "back"; "next" on the last page submits.
    """
    _check_can_answer(response)
    instrument = response.instrument_version.spec
    kept = {code: pair for code, pair in values.items() if pair[0] not in (None, "", [])}
    cleared = [code for code in values if code not in kept]
    answers = {code: value for code, value in answers.items() if code not in cleared}
    answers |= {code: value for code, (value, _other_text) in kept.items()}
    now = timezone.now()
    response.language = language

    if direction == "back":
        previous = flow.page_before(instrument, answers, page_code)
        following = previous or instrument.page(page_code)
    else:
        following = flow.page_after(instrument, answers, page_code)
    if following is not None:
        response.current_page = following.code
        if flow.page_position(instrument, following.code) > flow.page_position(instrument, response.last_page):
            response.last_page = following.code
    response_sql.save_page(response, page_code, kept, cleared, now)
    if following is not None:
        return Step(page=following.code)

    missing = flow.missing_required(instrument, answers)
    if missing:
        page, item = missing
        return Step(page=page.code, error_item=item.code)
    hidden = flow.hidden_answer_codes(instrument, answers)
    if hidden:
        response.answers.filter(item__in=hidden).delete()
    response.status = Response.Status.COMPLETED
    response.completed_at = now
    response.current_page = ""
    anonymity.record_submission(response)
    response.save()
    return Step(finished=True)


def _check_can_answer(response):
    if not response.is_open_for_answers:
        raise ResponseFinished(response.status)
    require_open(response.wave, response.is_test)


@transaction.atomic
def withdraw_response(response):
    """Delete the answers and paradata; keep only that this participant withdrew, and when."""
    response = locked(response)
    if response.status == Response.Status.WITHDRAWN:
        return response
    response.answers.all().delete()
    response.page_visits.all().delete()
    response.status = Response.Status.WITHDRAWN
    response.withdrawn_at = timezone.now()
    response.pseudonym = response.wave_pseudonym = ""
    response.linkage_consent = False
    Invitation.objects.filter(pk=response.invitation_id).update(pseudonym="")
    response.device = ""
    response.current_page = response.last_page = ""
    response.info_viewed_at = response.consented_at = response.started_at = response.completed_at = None
    response.save()
    return response


def wave_for_respondents(slug):
    return _without_instrument_json(Wave.objects.filter(slug=slug)).first()


def invitation_to_wave(invitation_id, slug):
    """The invitation with this id if it is one to the wave `slug`, with the wave: one query for both."""
    queryset = Invitation.objects.filter(pk=invitation_id, wave__slug=slug).select_related("wave")
    return _without_instrument_json(queryset, version="wave__instrument_version").first()
