"""Participant lists: from a CSV file or from the platform's own accounts, all rows or none.

A CSV list has the columns email,language and any number of attribute columns (role, department …)
used for sampling and reminders. Every bad row is reported by its line, in the page's language; one
bad row imports nothing. An e-mail address is all a person needs, whatever the wave's privacy mode.
"""

import csv
import io
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from platform_logs.services import pseudonyms_by_address
from studies.addresses import address_hash, encrypt_address, link_token, normalize_address, opt_out_token
from studies.models import Participant
from surveys.models import Invitation, Wave
from surveys.pseudonyms import pseudonymize
from surveys.services import hash_token

REQUIRED_COLUMNS = ["email", "language"]


class ParticipantListError(Exception):
    """A participant list that cannot be imported; `problems` names each bad line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: nothing imported; " + "; ".join(problems))


@dataclass
class Person:
    where: str  # "line 3" of a CSV file, "account 3" of the platform's list, in the page's language
    email: str
    language: str
    attributes: dict = field(default_factory=dict)
    subject: str = ""  # the OIDC subject, when the site links pseudonyms by subject
    line: int = 0  # where the person stands in their list, to report problems in order


def read_participant_csv(stream: io.TextIOBase, source: str) -> list[Person]:
    """Parse a CSV participant list; raises ParticipantListError naming every bad line, in line order."""
    reader = csv.reader(stream)
    header = [column.strip().lower() for column in next(reader, [])]
    if header[:2] != REQUIRED_COLUMNS:
        raise ParticipantListError(source, [_("line 1: expected the columns email,language first, got %(header)s") % {
            "header": ",".join(header) or _("nothing")}])
    people, problems = [], []
    for values in reader:
        line = reader.line_num
        where = _("line %(number)d") % {"number": line}
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append((line, _("%(where)s: expected %(expected)d columns, got %(found)d") % {
                "where": where, "expected": len(header), "found": len(values)}))
            continue
        row = dict(zip(header, (value.strip() for value in values)))
        email, language = row.pop("email"), row.pop("language").lower()
        people.append(Person(where=where, email=email, language=language, subject=row.pop("subject", ""),
                             attributes=row, line=line))
    problems += _problems_of(people)
    if problems:
        raise ParticipantListError(source, [text for _line, text in sorted(problems, key=lambda problem: problem[0])])
    return people


def read_webui_accounts(database: Path) -> list[Person]:
    """Everyone with an active Open WebUI account (role user or admin, not pending).

    Only the e-mail and the OIDC subject are read: names and everything else stay in Open WebUI.
    """
    uri = f"file:{database}?mode=ro"
    try:
        with sqlite3.connect(uri, uri=True) as connection:
            rows = connection.execute(
                "SELECT email, oauth_sub FROM user WHERE role IN ('user', 'admin') ORDER BY created_at"
            ).fetchall()
    except sqlite3.Error as exc:
        raise ParticipantListError(str(database), [_("cannot read the Open WebUI user table (%(error)s)") % {
            "error": exc}]) from exc
    people = [
        Person(where=_("account %(number)d") % {"number": number}, line=number, email=email or "", language=settings.LANGUAGE_CODE, subject=(oauth_sub or "").partition("@")[2])
        for number, (email, oauth_sub) in enumerate(rows, start=1)
    ]
    problems = _problems_of(people)
    if problems:
        raise ParticipantListError(str(database), [text for _line, text in problems])
    return people


def _problems_of(people: list[Person]) -> list[tuple[int, str]]:
    """(line, message) for every invalid address, unknown language and duplicate."""
    languages = {code for code, _name in settings.LANGUAGES}
    problems, first_seen = [], {}
    for person in people:
        try:
            validate_email(person.email)
        except ValidationError:
            problems.append((person.line, _("%(where)s: %(address)s is not a valid e-mail address") % {
                "where": person.where, "address": repr(person.email)}))
            continue
        if person.language not in languages:
            problems.append((person.line, _("%(where)s: unknown language %(language)s; expected one of %(languages)s") % {
                "where": person.where, "language": repr(person.language), "languages": ", ".join(sorted(languages))}))
        normalized = normalize_address(person.email)
        if normalized in first_seen:
            problems.append((person.line, _("%(where)s: duplicate of %(first)s") % {
                "where": person.where, "first": first_seen[normalized]}))
        else:
            first_seen[normalized] = person.where
    return problems


@transaction.atomic
def add_participants(wave: Wave, people: list[Person], source: str) -> int:
    """Store the people (encrypted) with one invitation each; all or nothing. Returns how many."""
    existing = set(Participant.objects.filter(wave=wave).values_list("address_hash", flat=True))
    problems = [
        _("%(where)s: already on the participant list of this wave") % {"where": person.where}
        for person in people
        if address_hash(wave.slug, person.email) in existing
    ]
    if problems:
        raise ParticipantListError(source, problems)
    seeds = [secrets.token_hex(16) for _person in people]
    pseudonyms = _pseudonyms(wave, people)
    invitations = Invitation.objects.bulk_create(
        Invitation(wave=wave, token_hash=hash_token(link_token(seed)), pseudonym=pseudonym)
        for seed, pseudonym in zip(seeds, pseudonyms)
    )
    Participant.objects.bulk_create(
        Participant(
            wave=wave,
            encrypted_address=encrypt_address(person.email),
            address_hash=address_hash(wave.slug, person.email),
            language=person.language,
            attributes=person.attributes,
            link_seed=seed,
            opt_out_hash=hash_token(opt_out_token(seed)),
            invitation=invitation,
            not_linkable=wave.is_pseudonymous and not pseudonym,
        )
        for person, seed, invitation, pseudonym in zip(people, seeds, invitations, pseudonyms)
    )
    return len(people)


def _pseudonyms(wave: Wave, people: list[Person]) -> list[str]:
    """In a pseudonymous wave each invitation carries its person's pseudonym; "" where none is known.

    A site that links by e-mail hashes the address itself. A site that links by OIDC subject takes
    the subject column where the list has one, else the pseudonym of the platform account the
    address belongs to (imported from Open WebUI's user table). Someone without an account is
    invited all the same; their answers just cannot be linked to usage.
    """
    if not wave.is_pseudonymous:
        return [""] * len(people)
    if settings.UPTAKE_PSEUDONYM_IDENTIFIER == "email":
        return [pseudonymize(person.email) for person in people]
    by_account = pseudonyms_by_address([person.email for person in people if not person.subject])
    return [pseudonymize(person.subject) if person.subject else by_account.get(person.email, "") for person in people]
