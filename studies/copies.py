"""Copying a study or a wave, as LimeSurvey's "copy survey" and REDCap's "copy project" do: the design, no data.

A copy takes what was designed: the questionnaire's current version, the waves' titles, privacy
modes, access settings and mail texts. It takes nothing anyone answered or was sent: responses,
invitations, participant lists, coding results, members or the audit log. Codes and slugs are
unique across the site, so the copy gets the first free variant of each (`code_2`, `wave-1-2`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from studies.audit import audit
from studies.models import AuditEntry, MailTemplate, Membership, Study
from surveys.importers.common import numbered_variant
from surveys.models import Wave
from surveys.services import free_instrument_code, recoded, store_instrument


def free_slug(model: type[models.Model], wanted: str) -> str:
    """`wanted` (made a slug) if no `model` row has it, else the first free `wanted-2`, `wanted-3` ... within the field's length."""
    length = model._meta.get_field("slug").max_length
    base = slugify(wanted)[:length].strip("-") or "copy"
    return numbered_variant(base, lambda candidate: model.objects.filter(slug=candidate).exists(), length, "-")


def copy_title(title: str) -> str:
    """What a copy is called until the researcher names it: "Kopie von …" on a German page."""
    return _("Copy of %(title)s") % {"title": title}


@dataclass
class StudyCopy:
    study: Study
    waves: int


@transaction.atomic
def copy_study(user, source: Study, title: str, now: datetime | None = None) -> StudyCopy:
    """A new study owned by `user` with `source`'s questionnaire (its current version) and its waves' settings.

    The questionnaire becomes version 1 of a questionnaire of its own, so that editing the copy
    never changes the source; every copied wave uses that version. Copied waves keep their length
    and are moved on by whole years until they open in the future (a survey repeated a year later
    keeps its calendar); the researcher opens or extends them on the wave page. Recorded in the
    audit logs of both studies.
    """
    study = Study.objects.create(slug=free_slug(Study, title), title=title)
    Membership.objects.create(study=study, user=user, role=Membership.Role.OWNER)
    waves = 0
    latest = source.instrument.latest_version() if source.instrument_id else None
    if latest is not None:
        spec, definition = recoded(latest.spec, latest.definition, free_instrument_code(source.instrument.code))
        version = store_instrument(spec, definition, source_name=_("copy of %(study)s") % {"study": source.title}).version
        study.instrument = version.instrument
        study.save(update_fields=["instrument"])
        for wave in source.waves().order_by("opens_at", "pk"):
            opens_at, closes_at = _a_year_on(wave, now or timezone.now())
            _copy_wave(wave, title=wave.title, slug=free_slug(Wave, wave.slug), instrument_version=version,
                       opens_at=opens_at, closes_at=closes_at)
            waves += 1
    audit(user, AuditEntry.Action.COPY, f"study {source.slug}", f"copied to {study.slug}", study=source)
    audit(user, AuditEntry.Action.COPY, f"study {study.slug}",
          f"copy of {source.slug}: questionnaire and {waves} wave(s); owner {user.get_username()}", study=study)
    return StudyCopy(study, waves)


def _a_year_on(wave: Wave, now: datetime) -> tuple[datetime, datetime]:
    years = 1
    while _years_later(wave.opens_at, years) <= now:
        years += 1
    return _years_later(wave.opens_at, years), _years_later(wave.closes_at, years)


def _years_later(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


@transaction.atomic
def copy_wave(user, study: Study, source: Wave, new: Wave) -> Wave:
    """Save `new` (title, slug, version, privacy mode and dates chosen in the form) with `source`'s other settings.

    Access, required group and the wave's own mail texts come from `source`; nothing answered or sent does.
    """
    wave = _copy_wave(source, title=new.title, slug=new.slug, instrument_version=new.instrument_version,
                      privacy_mode=new.privacy_mode, opens_at=new.opens_at, closes_at=new.closes_at)
    audit(user, AuditEntry.Action.COPY, f"wave {source.slug}", f"copied to wave {wave.slug}", study=study)
    return wave


def _copy_wave(source: Wave, **fields) -> Wave:
    settings = {"privacy_mode": source.privacy_mode, "access": source.access, "required_group": source.required_group}
    wave = Wave.objects.create(**(settings | fields))
    MailTemplate.objects.bulk_create(
        MailTemplate(wave=wave, kind=text.kind, language=text.language, subject=text.subject, body=text.body)
        for text in source.mail_templates.all()
    )
    return wave
