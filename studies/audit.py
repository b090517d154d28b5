"""The audit log: one call for everything that touches personal data, and its CSV form for owners."""

import csv
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy

from reports.models import ReportJob
from studies import results
from studies.dashboard import DEVICE_CLASSES
from studies.models import AuditEntry, ExportJob, Membership, Study
from surveys.models import Response

CSV_COLUMNS = ["at", "actor", "action", "target", "detail"]


def audit(user, action: str, target: str, detail: str = "", study: Study | None = None) -> AuditEntry:
    """Record that `user` did `action` to `target` (a wave, a response, an export file ...).

    Site-wide actions (a pseudonym key rotation by a command, user None) go without a study and are
    shown to the owners of every study.
    """
    actor = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        study=study,
        action=action,
        target=str(target)[:200],
        detail=detail,
    )


def entries_for(study: Study):
    """The study's entries and the site-wide ones (key rotation touches every study), newest first."""
    return AuditEntry.objects.filter(Q(study=study) | Q(study__isnull=True))


# A target or detail is stored in one fixed English wording (the CSV and any script read it as written);
# the audit page reads each wording back and says it in the reader's language, a wave by its title.
WORDINGS = [
    (r"response (?P<response>\d+) of wave (?P<wave>[-\w]+)", gettext_lazy("response %(response)s of the wave “%(wave)s”")),
    (r"open answers to (?P<item>\w+) of wave (?P<wave>[-\w]+)",
     gettext_lazy("open answers to the question “%(item)s” of the wave “%(wave)s”")),
    (r"results of wave (?P<wave>[-\w]+)", gettext_lazy("results of the wave “%(wave)s”")),
    (r"cross-tab of wave (?P<wave>[-\w]+)", gettext_lazy("cross-tab of the wave “%(wave)s”")),
    (r"response list of wave (?P<wave>[-\w]+)", gettext_lazy("response list of the wave “%(wave)s”")),
    (r"questions (?P<rows>\w+) x (?P<columns>\w+)", gettext_lazy("the questions “%(rows)s” × “%(columns)s”")),
    (r"filtered by (?P<filters>.+)", gettext_lazy("filtered by %(filters)s")),
    (r"wave (?P<wave>[-\w]+)", gettext_lazy("the wave “%(wave)s”")),
    (r"study (?P<study>[-\w]+)", gettext_lazy("the study “%(study)s”")),
    (r"copied to wave (?P<wave>[-\w]+)", gettext_lazy("copied to the wave “%(wave)s”")),
    (r"copied to (?P<study>[-\w]+)", gettext_lazy("copied to the study “%(study)s”")),
    (r"copy of (?P<study>[-\w]+): questionnaire and (?P<waves>\d+) wave\(s\); owner (?P<owner>.+)",
     gettext_lazy("copy of the study “%(study)s”: questionnaire and %(waves)s wave(s); owner %(owner)s")),
    (r"(?P<count>\d+) test response\(s\)", gettext_lazy("%(count)s test response(s)")),
    (r"audit log of [-\w]+", gettext_lazy("this audit log")),
    (r"pseudonym key", gettext_lazy("the pseudonym key")),
    (r"new fingerprint (?P<fingerprint>\S+)", gettext_lazy("new fingerprint %(fingerprint)s")),
    (r"owner \(created the study\)", gettext_lazy("owner (created the study)")),
    (r"(?P<before>\w+|-) -> (?P<after>\w+|-)", gettext_lazy("%(before)s → %(after)s")),
    (r"(?P<format>\w+) with usage features, job (?P<job>\d+)", gettext_lazy("%(format)s with usage features, job %(job)s")),
    (r"(?P<format>csv|sav), job (?P<job>\d+)", gettext_lazy("%(format)s, job %(job)s")),
    (r"(?P<kind>\w+) \((?P<language>de|en)\), job (?P<job>\d+)", gettext_lazy("%(kind)s (%(language)s), job %(job)s")),
    (r"coding sample (?P<sample>\d+): responses (?P<responses>[\d, ]+)",
     gettext_lazy("coding sample %(sample)s: responses %(responses)s")),
]
WORDINGS = [(re.compile(pattern), words) for pattern, words in WORDINGS]
LABELS = {  # the codes a wording carries, each by its label
    "before": dict(Membership.Role.choices) | {"-": "–"}, "after": dict(Membership.Role.choices) | {"-": "–"},
    "format": dict(ExportJob.Format.choices), "kind": dict(ReportJob.Kind.choices), "language": dict(ReportJob.Language.choices),
}


@dataclass(frozen=True)
class ShownEntry:
    entry: AuditEntry
    target: str
    detail: str


FILTER_NAMES = {"status": gettext_lazy("Status"), "device": gettext_lazy("Device class"), "language": gettext_lazy("Language"),
                "started_from": gettext_lazy("Started on or after"), "started_to": gettext_lazy("Started on or before"),
                "answer": gettext_lazy("Answer")}
ANSWER_FILTER = gettext_lazy("“%(question)s” = %(answer)s")
FILTER_VALUES = {"status": dict(Response.Status.choices), "device": DEVICE_CLASSES, "language": dict(settings.LANGUAGES)}


@dataclass(frozen=True)
class _Names:
    """What the reader sees for the codes an entry carries: waves by title, questions and answers by their text."""

    waves: dict[str, str]
    questions: dict[str, str]
    answers: dict[str, dict[str, str]]


def shown_entries(study: Study, entries) -> list[ShownEntry]:
    """Entries with target and detail in the active language; stored text no wording matches (a user or file name) as is."""
    names = _names(study, "de" if translation.get_language() == "de" else "en")
    return [ShownEntry(entry, _in_words(entry.target, names), _in_words(entry.detail, names)) for entry in entries]


def _names(study: Study, language: str) -> _Names:
    """Questions and answers as the results pages name them (an answer filter stores "code:value")."""
    waves = list(study.waves().select_related("instrument_version"))
    questions, answers = {}, {}
    for wave in waves:
        for question in results.questions(wave, language):
            questions[question.code] = question.title
            answers[question.code] = {str(value): label for value, label in question.categories}
    return _Names({wave.slug: wave.title for wave in waves}, questions, answers)


def _in_words(text: str, names: _Names) -> str:
    for pattern, words in WORDINGS:
        match = pattern.fullmatch(text)
        if match:
            values = {name: str(LABELS.get(name, {}).get(value, value)) for name, value in match.groupdict().items()}
            for name, known in (("wave", names.waves), ("item", names.questions), ("rows", names.questions),
                                ("columns", names.questions)):
                if name in values:
                    values[name] = known.get(values[name], values[name])
            if "filters" in values:
                values["filters"] = _filters_in_words(values["filters"], names)
            return words % values
    return text


def _filters_in_words(text: str, names: _Names) -> str:
    """"status=in_progress, answer=role:nurse" as "Status: in progress, Answer: “Your role” = Nursing"."""
    shown = []
    for pair in text.split(", "):
        name, _, value = pair.partition("=")
        if name == "answer":
            code, _, answer = value.partition(":")
            value = ANSWER_FILTER % {"question": names.questions.get(code, code),
                                     "answer": names.answers.get(code, {}).get(answer, answer)}
        else:
            value = FILTER_VALUES.get(name, {}).get(value, value)
        shown.append(f"{FILTER_NAMES.get(name, name)}: {value}")
    return ", ".join(shown)


def audit_csv(study: Study) -> str:
    """The study's audit log as CSV, oldest first, with formula-like cells neutralised.

    The analysis package (pandas, matplotlib) is imported on this download only: every workspace
    view imports this module, and a web worker that serves respondents must not load it."""
    from analysis.pipeline.io import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries_for(study).order_by("at", "pk"):
        row = [entry.at.isoformat(), entry.actor_name, entry.action, entry.target, entry.detail]
        writer.writerow([spreadsheet_safe(value) for value in row])
    return out.getvalue()
