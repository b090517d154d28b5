"""Keyed pseudonyms: HMAC-SHA256 under a key kept in a file outside the database.

The same function pseudonymizes survey respondents and platform log users, so a consenting
respondent's answers can be joined to their usage without either side storing the identity.
Waves are linked to each other by a second derivation (`wave_linkage_pseudonym`) that cannot be
joined to usage, so refusing linkage is decided by what is stored, not by the query.
Rotating the key changes every pseudonym: earlier waves and imported logs no longer link
(`manage.py rotate_pseudonym_key`); a fingerprint in the database detects an unannounced change.
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
FINGERPRINT_LABEL = b"uptake pseudonym key fingerprint v1"
WAVE_LINKAGE_LABEL = "wave-linkage:"


class PseudonymKeyError(ImproperlyConfigured):
    """The key file is missing, too short, readable by others, or not the key this database was used with."""


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


def wave_linkage_pseudonym(pseudonym):
    """The pseudonym that links a person's responses across waves, derived one-way from the usage pseudonym.

    A different HMAC message from every usage pseudonym, so without the key it cannot be joined
    to usage records (docs/privacy.md, "Linkage consent").
    """
    return keyed_hash(WAVE_LINKAGE_LABEL + pseudonym) if pseudonym else ""


def key_fingerprint(key):
    """An HMAC of a fixed label under the key: identifies the key without revealing it."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def keyed_hash(message):
    return hmac.new(pseudonym_key(), message.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_key():
    return _read_key(str(settings.UPTAKE_PSEUDONYM_KEY_FILE), settings.DEBUG)


def forget_cached_key():
    """Make this process read the key file again (after a rotation, or in tests)."""
    _read_key.cache_clear()


@lru_cache(maxsize=4)
def _read_key(path, create_if_missing):
    key_file = Path(path)
    if not key_file.exists():
        if not create_if_missing:
            raise PseudonymKeyError(
                f"pseudonym key file {key_file} does not exist; create it with "
                "`python -c 'import secrets; print(secrets.token_hex(32))' > FILE` and keep it out of backups of the database"
            )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        key_file.chmod(0o600)
    key = key_file.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(f"pseudonym key in {key_file} is shorter than {MIN_KEY_LENGTH} characters")
    return key.encode("ascii")
