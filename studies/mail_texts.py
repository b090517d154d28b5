"""The wording of invitation and reminder mails: German and English defaults, a wave's own texts, placeholders.

Texts are plain text (Markdown reads fine as plain text) with the placeholders {survey}, {link},
{closes}, {opt_out_link} and {contact}; anything else in braces is an error the researcher sees.
The defaults name no duration: the questionnaire's information page says how long it takes, and
a mail that guessed would be wrong for every other questionnaire.
"""

from dataclasses import dataclass
from string import Formatter

from django.utils import formats, timezone, translation

from studies.models import MailKind, MailTemplate
from surveys.models import Wave
from surveys.services import study_contact

PLACEHOLDERS = ("survey", "link", "closes", "opt_out_link", "contact")

DEFAULT_TEXTS = {
    (MailKind.INVITATION, "de"): (
        "Einladung zur Umfrage: {survey}",
        "Guten Tag,\n\n"
        "wir laden Sie herzlich ein, an der Umfrage „{survey}“ teilzunehmen. Die Teilnahme ist freiwillig. "
        "Ihr persönlicher Link:\n\n{link}\n\n"
        "Die Umfrage ist bis {closes} geöffnet. Bitte geben Sie den Link nicht weiter.\n\n"
        "Fragen beantwortet: {contact}\n\n"
        "Wenn Sie keine weiteren E-Mails zu dieser Umfrage erhalten möchten: {opt_out_link}\n",
    ),
    (MailKind.INVITATION, "en"): (
        "Invitation to the survey: {survey}",
        "Hello,\n\n"
        "we would like to invite you to take part in the survey \"{survey}\". Taking part is voluntary. "
        "Your personal link:\n\n{link}\n\n"
        "The survey is open until {closes}. Please do not pass the link on.\n\n"
        "Questions: {contact}\n\n"
        "If you do not want any more e-mails about this survey: {opt_out_link}\n",
    ),
    (MailKind.REMINDER, "de"): (
        "Erinnerung: Umfrage {survey}",
        "Guten Tag,\n\n"
        "vor einigen Tagen haben wir Sie zur Umfrage „{survey}“ eingeladen. Falls Sie noch teilnehmen "
        "möchten, ist Ihr persönlicher Link bis {closes} gültig:\n\n{link}\n\n"
        "Wenn Sie schon teilgenommen haben: vielen Dank, dann ist diese Erinnerung gegenstandslos.\n\n"
        "Fragen beantwortet: {contact}\n\n"
        "Keine weiteren E-Mails zu dieser Umfrage: {opt_out_link}\n",
    ),
    (MailKind.REMINDER, "en"): (
        "Reminder: survey {survey}",
        "Hello,\n\n"
        "a few days ago we invited you to the survey \"{survey}\". If you would still like to take part, "
        "your personal link works until {closes}:\n\n{link}\n\n"
        "If you have already taken part: thank you, please ignore this reminder.\n\n"
        "Questions: {contact}\n\n"
        "No more e-mails about this survey: {opt_out_link}\n",
    ),
}


class MailTextError(ValueError):
    """A template with a placeholder that does not exist or broken braces."""


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in the text that are not offered; raises MailTextError on unbalanced braces."""
    try:
        names = [name for _literal, name, _spec, _conversion in Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise MailTextError(f"{exc}; write {{{{ and }}}} for literal braces") from exc
    return sorted({name for name in names if name not in PLACEHOLDERS})


def mail_text(wave: Wave, kind: str, language: str) -> MailText:
    """The wave's own wording if it has one, else the default for the kind and language."""
    own = MailTemplate.objects.filter(wave=wave, kind=kind, language=language).first()
    if own is not None:
        return MailText(own.subject, own.body)
    subject, body = DEFAULT_TEXTS[(kind, language)]
    return MailText(subject, body)


# A 24-hour time: English's "6 p.m." ends in a full stop, and the sentence around it adds a second.
CLOSING_FORMATS = {"de": "j. F Y, H:i \\U\\h\\r", "en": "j F Y, H:i"}


def placeholder_values(wave: Wave, language: str, link: str, opt_out_link: str) -> dict[str, str]:
    with translation.override(language):
        closes = formats.date_format(timezone.localtime(wave.closes_at), CLOSING_FORMATS.get(language, "DATETIME_FORMAT"))
    return {
        "survey": wave.title,
        "link": link,
        "closes": closes,
        "opt_out_link": opt_out_link,
        "contact": study_contact(),
    }


def fill(text: MailText, values: dict[str, str]) -> MailText:
    # Subjects are one line: a placeholder must not smuggle in a header.
    subject = text.subject.format_map(values).replace("\r", " ").replace("\n", " ")
    return MailText(subject, text.body.format_map(values))
