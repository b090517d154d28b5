"""Keyed pseudonyms: HMAC-SHA256 under a key kept in a file outside the database.

The same function pseudonymizes survey respondents and platform log users, so a consenting
respondent's answers can be joined to their usage without either side storing the identity.
Rotating the key changes every pseudonym: earlier waves and imported logs no longer link.
"""

import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IDENTIFIER_KINDS = ("subject", "email")
MIN_KEY_LENGTH = 32


def normalize_identifier(identifier, kind=None):
    """The canonical form both sides hash: the OIDC subject as given, e-mails lower-cased."""
    kind = kind or settings.UPTAKE_PSEUDONYM_IDENTIFIER
    if kind not in IDENTIFIER_KINDS:
        raise ImproperlyConfigured(f"UPTAKE_PSEUDONYM_IDENTIFIER must be one of {IDENTIFIER_KINDS}, got {kind!r}")
    value = (identifier or "").strip()
    return value.lower() if kind == "email" else value


def pseudonymize(identifier, kind=None):
    normalized = normalize_identifier(identifier, kind)
    if not normalized:
        raise ValueError("cannot pseudonymize an empty identifier")
    return keyed_hash(normalized)


def keyed_hash(message):
    return hmac.new(pseudonym_key(), message.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_key():
    return _read_key(str(settings.UPTAKE_PSEUDONYM_KEY_FILE), settings.DEBUG)


@lru_cache(maxsize=4)
def _read_key(path, create_if_missing):
    key_file = Path(path)
    if not key_file.exists():
        if not create_if_missing:
            raise ImproperlyConfigured(
                f"pseudonym key file {key_file} does not exist; create it with "
                "`python -c 'import secrets; print(secrets.token_hex(32))' > FILE` and keep it out of backups of the database"
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        key_file.chmod(0o600)
    key = key_file.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(f"pseudonym key in {key_file} is shorter than {MIN_KEY_LENGTH} characters")
    return key.encode("ascii")
