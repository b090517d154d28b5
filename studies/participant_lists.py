"""Participant lists: from a CSV file or from the platform's own accounts, all rows or none.

A CSV list has the columns email,language and any number of attribute columns (role, department …)
used for sampling and reminders. Every bad row is reported by its line; one bad row imports nothing.
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
    where: str  # "line 3" of a CSV file, "account 3" of the platform's list
    email: str
    language: str
    attributes: dict = field(default_factory=dict)
    subject: str = ""  # the OIDC subject, when the site links pseudonyms by subject


def read_participant_csv(stream: io.TextIOBase, source: str) -> list[Person]:
    """Parse a CSV participant list; raises ParticipantListError naming every bad line."""
    reader = csv.reader(stream)
    header = [column.strip().lower() for column in next(reader, [])]
    if header[:2] != REQUIRED_COLUMNS:
        raise ParticipantListError(source, [f"line 1: expected the columns email,language first, got {','.join(header) or 'nothing'}"])
    people, problems = [], []
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(f"line {line}: expected {len(header)} columns, got {len(values)}")
            continue
        row = dict(zip(header, (value.strip() for value in values)))
        email, language = row.pop("email"), row.pop("language").lower()
        people.append(Person(where=f"line {line}", email=email, language=language, subject=row.pop("subject", ""), attributes=row))
    problems += _problems_of(people)
    if problems:
        raise ParticipantListError(source, problems)
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
        raise ParticipantListError(str(database), [f"cannot read the Open WebUI user table ({exc})"]) from exc
    people = [
        Person(where=f"account {number}", email=email or "", language=settings.LANGUAGE_CODE, subject=(oauth_sub or "").partition("@")[2])
        for number, (email, oauth_sub) in enumerate(rows, start=1)
    ]
    problems = _problems_of(people)
    if problems:
        raise ParticipantListError(str(database), problems)
    return people


def _problems_of(people: list[Person]) -> list[str]:
    languages = {code for code, _name in settings.LANGUAGES}
    problems, first_seen = [], {}
    for person in people:
        try:
            validate_email(person.email)
        except ValidationError:
            problems.append(f"{person.where}: {person.email!r} is not a valid e-mail address")
            continue
        if person.language not in languages:
            problems.append(
                f"{person.where}: unknown language {person.language!r}; expected one of {', '.join(sorted(languages))}"
            )
        normalized = normalize_address(person.email)
        if normalized in first_seen:
            problems.append(f"{person.where}: duplicate of {first_seen[normalized]}")
        else:
            first_seen[normalized] = person.where
    return problems


@transaction.atomic
def add_participants(wave: Wave, people: list[Person], source: str) -> int:
    """Store the people (encrypted) with one invitation each; all or nothing. Returns how many."""
    existing = set(Participant.objects.filter(wave=wave).values_list("address_hash", flat=True))
    problems = [
        f"{person.where}: already on the participant list of {wave.slug}"
        for person in people
        if address_hash(wave.slug, person.email) in existing
    ]
    if wave.is_pseudonymous and settings.UPTAKE_PSEUDONYM_IDENTIFIER == "subject":
        problems += [
            f"{person.where}: a pseudonymous wave linked by OIDC subject needs the person's subject"
            for person in people if not person.subject
        ]
    if problems:
        raise ParticipantListError(source, problems)
    seeds = [secrets.token_hex(16) for _person in people]
    invitations = Invitation.objects.bulk_create(
        Invitation(wave=wave, token_hash=hash_token(link_token(seed)), pseudonym=_pseudonym(wave, person))
        for person, seed in zip(people, seeds)
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
        )
        for person, seed, invitation in zip(people, seeds, invitations)
    )
    return len(people)


def _pseudonym(wave: Wave, person: Person) -> str:
    """In a pseudonymous wave the invitation carries the pseudonym of the identity the site links by."""
    if not wave.is_pseudonymous:
        return ""
    if settings.UPTAKE_PSEUDONYM_IDENTIFIER == "subject":
        return pseudonymize(person.subject)
    return pseudonymize(person.email)
