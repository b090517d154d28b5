"""The privacy scan: what must never be kept, looked for in every text column and every written file.

It finds e-mail addresses, IPv4 and IPv6 addresses, phone numbers, IBANs (checksum-validated) and
the caller's canaries (names, prompt text, any string planted in test data; names are found only
as canaries) and reports where each is: `table.column row <pk>` or `path!member:line`, with a
masked excerpt only, so that the report is no leak itself. Files are read as a reader sees them
(inside archives and Office documents, with their properties: platform_logs/readable_text.py).
The study's published contact addresses (in the questionnaires' texts, UPTAKE_MAIL_CONTACT) are
no one's personal data and are not findings. Importers use the
same detectors to refuse identity-shaped values (`identities`), tests run the scan after
importing planted data, and operators run `manage.py privacy_scan` over the database and the
export and report directories.

Some tables hold identities by design (staff accounts, sessions) and are not scanned; they are
listed in IDENTITY_TABLES with the reason, so that adding one is a visible decision.
"""

import ipaddress
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from platform_logs.readable_text import readable_text

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
IPV4_CANDIDATE = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
# A phone number as people write it: international (+49 30 1234-5678, +49 (0)171 1234567) or national with a
# separator after the area code (030 12345678, 0171/1234567, (030) 1234567); 7 to 15 digits. Dots are no
# separator, so decimals and dates in tables are not phone numbers.
PHONE_CANDIDATE = re.compile(r"(?<![\w+/-])(?:\+[1-9]\d{0,2}[ -]?(?:\(0\)[ -]?)?|\(0\d{1,5}\)[ -]?|0[1-9]\d{0,4}[ /-])"
                             r"\d(?:[ /-]?\d){3,13}(?![\w/-])")
IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")

# Tables (and single columns) that hold identities on purpose, and why; everything else is scanned.
IDENTITY_TABLES = {
    "auth_user": "staff and respondent accounts (names, e-mail) for logging in",
    "account_emailaddress": "the accounts' e-mail addresses (allauth)",
    "account_emailconfirmation": "e-mail confirmation keys (allauth)",
    "socialaccount_socialaccount": "the SSO account behind a login (allauth)",
    "socialaccount_socialapp": "the SSO provider's client configuration",
    "socialaccount_socialtoken": "SSO tokens",
    "django_session": "signed session data",
    "django_admin_log": "what staff changed in the admin",
}
IDENTITY_COLUMNS = {
    "platform_logs_importrun.source_label": "the operator's name of a source: a path or a database URL without credentials",
}


@dataclass(frozen=True)
class Finding:
    where: str
    kind: str
    excerpt: str

    def __str__(self):
        return f"{self.where}: {self.kind} {self.excerpt!r}"


def identities(text: str, canaries: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(kind, value) for each e-mail address, IP address, phone number, IBAN and canary in `text`, but `allowed`.

    `allowed` names published addresses that are no one's personal data (the study's contact
    address in the information text)."""
    found = [("e-mail address", match.group()) for match in EMAIL.finditer(text)]
    found += [("IPv4 address", match.group()) for match in IPV4_CANDIDATE.finditer(text) if _is_ip(match.group())]
    found += [("IPv6 address", match.group()) for match in IPV6_CANDIDATE.finditer(text) if _is_ipv6(match.group())]
    ibans = [match for match in IBAN_CANDIDATE.finditer(text) if _is_iban(match.group())]
    without_ibans = text  # an IBAN's digit groups would read as a phone number
    for match in ibans:
        without_ibans = without_ibans[:match.start()] + " " * len(match.group()) + without_ibans[match.end():]
    found += [("phone number", match.group()) for match in PHONE_CANDIDATE.finditer(without_ibans) if _is_phone(match.group())]
    found += [("IBAN", match.group()) for match in ibans]
    lowered = text.lower()
    found += [("planted text", canary) for canary in canaries if canary and canary.lower() in lowered]
    return [(kind, value) for kind, value in found if value not in allowed and _compact(value) not in allowed]


def has_identity(text: str) -> bool:
    return bool(identities(text))


def mask(value: str) -> str:
    """First and last character, the rest starred: enough to recognise a planted value, not to read a real one."""
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * min(len(value) - 2, 8) + value[-1]


def scan_database(canaries: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[Finding]:
    """Findings in every text, char and JSON column of every table (but IDENTITY_TABLES and IDENTITY_COLUMNS)."""
    canaries, allowed = list(canaries), set(allowed)
    findings = []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in IDENTITY_TABLES:
            continue
        fields = [field for field in model._meta.concrete_fields
                  if isinstance(field, (models.CharField, models.TextField, models.JSONField))
                  and f"{table}.{field.column}" not in IDENTITY_COLUMNS]
        if not fields:
            continue
        rows = model._base_manager.values_list("pk", *(field.attname for field in fields)).iterator(chunk_size=2000)
        for pk, *values in rows:
            for field, value in zip(fields, values):
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                findings += [Finding(f"{table}.{field.column} row {pk}", kind, mask(found))
                             for kind, found in identities(text, canaries, allowed)]
    return findings


def scan_files(directories: Iterable[str | Path], canaries: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[Finding]:
    """Findings in every file under the directories, in the text of each (PDF, Word and Excel files as read)."""
    canaries, allowed = list(canaries), set(allowed)
    findings = []
    for directory in directories:
        for path in sorted(_files(Path(directory))):
            findings += _scan_file(path, canaries, allowed)
    return findings


def _files(directory: Path) -> Iterator[Path]:
    if directory.is_file():
        yield directory
        return
    yield from (path for path in directory.rglob("*") if path.is_file())


def _scan_file(path: Path, canaries: list[str], allowed: set[str]) -> list[Finding]:
    """Line by line, so that a large export is never held in memory whole."""
    findings = []
    try:
        for where, line in readable_text(path):
            findings += [Finding(where, kind, mask(found)) for kind, found in identities(line, canaries, allowed)]
    except Exception as error:  # a file the scan cannot read (to its end) is not a clean file
        findings.append(Finding(str(path), "unreadable file", f"{type(error).__name__}: {str(error)[:80]}"))
    return findings


def published_addresses() -> set[str]:
    """What the study publishes to every respondent and invitee: contact addresses in the questionnaires'
    texts and the mail contact. They are findings of the scan's own kinds, but no one's personal data."""
    from surveys.models import InstrumentVersion

    texts = [settings.UPTAKE_MAIL_CONTACT, settings.DEFAULT_FROM_EMAIL]
    texts += [json.dumps(definition, ensure_ascii=False)
              for definition in InstrumentVersion.objects.values_list("resolved", flat=True).iterator()]
    published = {value for text in texts for _kind, value in identities(text)}
    return published | {_compact(value) for value in published}


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_ipv6(text: str) -> bool:
    """A valid IPv6 address with at least two groups written (not a time like 12:41:31, not a bare "::")."""
    return _is_ip(text) and sum(1 for group in text.split(":") if group) >= 2


def _compact(text: str) -> str:
    """A phone number or IBAN without its spaces and separators, so that spellings compare equal."""
    return re.sub(r"[^0-9A-Za-z+@.]", "", text)


def _is_phone(text: str) -> bool:
    return 7 <= sum(character.isdigit() for character in text) <= 15


def _is_iban(text: str) -> bool:
    """ISO 13616: the country code and check digits moved to the end, letters as 10..35, mod 97 is 1."""
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1
