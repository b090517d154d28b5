"""How people in the logs become the survey's pseudonyms, without any identity being stored.

The site links on one identifier (settings.UPTAKE_PSEUDONYM_IDENTIFIER): the OIDC subject or
the lower-cased e-mail. A record that carries that identifier gets its pseudonym at once. Every
record also gets an account key, a keyed hash of whatever identifier it does carry, so that a
record carrying another one (Open WebUI's own user id, an e-mail when the site links on the
subject) can be linked later through PlatformAccount, once Open WebUI's user table is imported.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

from surveys.pseudonyms import keyed_hash, normalize_identifier, pseudonym_key, pseudonymize


def pseudonym_for(subject=None, email=None):
    """The survey pseudonym if the record carries the site's linking identifier, else ""."""
    kind = settings.UPTAKE_PSEUDONYM_IDENTIFIER
    identifier = subject if kind == "subject" else email
    if not identifier or not str(identifier).strip():
        return ""
    return pseudonymize(str(identifier), kind)


def subject_account_key(subject):
    return keyed_hash("subject:" + normalize_identifier(subject, "subject")) if subject else ""


def email_account_key(email):
    return keyed_hash("email:" + normalize_identifier(email, "email")) if email else ""


def openwebui_account_key(user_id):
    return keyed_hash("openwebui:user:" + str(user_id)) if user_id else ""


def event_key(source, record_id):
    """The stable key of one record of one source: the same record imported twice has the same key."""
    return keyed_hash(f"{source}:{record_id}")


def event_key_function(source):
    """event_key(source, ·) as a one-argument function for an importer's hot loop.

    The HMAC is keyed with the source's prefix once and copied per record: the same values as
    event_key, without re-deriving the keyed state for every line.
    """
    prefixed = hmac.new(pseudonym_key(), f"{source}:".encode("utf-8"), hashlib.sha256)

    def key(record_id):
        state = prefixed.copy()
        state.update(record_id.encode("utf-8"))
        return state.hexdigest()

    return key


class ImportKeys:
    """The keyed hashes of one import run, each computed once: `event_key(record_id)` from an HMAC keyed with
    the source's prefix once (event_key_function), and each of `recurring` (name=function), such as a
    person's account key or a chat's key that recur on many records, kept once computed.

    Made per import, so a rotated pseudonym key never meets a hash kept from before."""

    KEPT = 65536  # distinct people or chats whose hashes are kept (bounded memory for any import)

    def __init__(self, source, **recurring):
        self.event_key = event_key_function(source)
        for name, function in recurring.items():
            setattr(self, name, lru_cache(maxsize=self.KEPT)(function))


def time_ordered_key_function(source):
    """Like event_key_function, for records that arrive in time order: key(record_id, epoch_seconds).

    The key starts with the record's time (8 hex digits of epoch seconds) and ends with 56 hex
    digits of the keyed hash. New keys then land at the end of the unique index instead of at
    random places in it (the idea of UUIDv7), which keeps inserts fast however many rows the
    table holds. The time is stored in the row anyway, so the prefix reveals nothing new.
    """
    keyed = event_key_function(source)

    def key(record_id, epoch_seconds):
        return f"{epoch_seconds:08x}{keyed(record_id)[:56]}"

    return key
