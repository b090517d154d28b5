"""The pseudonym key's life: checked at start-up, fingerprinted on first use, rotated only on purpose.

Every pseudonym, participant key and event key is an HMAC under the key file. If the file is
replaced or lost, new pseudonyms silently stop matching the stored ones, so the database keeps a
fingerprint of the key it was used with (an HMAC of a fixed label under the key, never the key)
and start-up refuses a different one.
"""

import secrets
import stat
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from surveys.models import PseudonymKeyFingerprint
from surveys import pseudonyms
from surveys.pseudonyms import PseudonymKeyError, key_fingerprint, pseudonym_key

ROTATION_BREAKS = """Rotating the pseudonym key breaks, for good:
- linkage of later waves to earlier ones (wave-linkage pseudonyms change);
- linkage of respondents to usage imported before the rotation (usage pseudonyms change);
- resuming for everyone with a response in progress (their participant keys change): they start again;
- refusing a second response from people who answered before the rotation, in waves still open;
- re-importing logs imported before the rotation without duplicates (event keys change).
The old key is overwritten. Restart the web and worker processes afterwards."""


def key_file_problems() -> list[str]:
    """What is wrong with the key file itself: missing, too short, or readable by others in production."""
    key_file = Path(settings.UPTAKE_PSEUDONYM_KEY_FILE)
    if not key_file.is_file():
        if settings.DEBUG:
            return []  # created on first use in development
        return [f"pseudonym key file {key_file} does not exist"]
    try:
        pseudonym_key()
    except PseudonymKeyError as error:
        return [str(error)]
    if getattr(settings, "PRODUCTION", False) and key_file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"pseudonym key file {key_file} is readable by group or others (mode {key_file.stat().st_mode & 0o777:o}); "
                "chmod 600 it"]
    return []


def fingerprint_problem() -> str | None:
    """A message if the key differs from the one this database was used with; records it on first use.

    Returns None when the database is not migrated yet (nothing to compare with).
    """
    fingerprint = key_fingerprint(pseudonym_key())
    try:
        stored, _created = PseudonymKeyFingerprint.objects.get_or_create(pk=1, defaults={"fingerprint": fingerprint})
    except DatabaseError:
        return None
    if stored.fingerprint == fingerprint:
        return None
    return (f"pseudonym key in {settings.UPTAKE_PSEUDONYM_KEY_FILE} is not the key this database's pseudonyms were "
            f"made with (fingerprint {fingerprint[:12]}…, database expects {stored.fingerprint[:12]}…); restore the "
            "original key file, or run `manage.py rotate_pseudonym_key` if the change is intended")


def verify_pseudonym_key() -> None:
    """Raise PseudonymKeyError unless the key file is usable and is the database's key (checked once per process)."""
    problems = key_file_problems()
    if problems:
        raise PseudonymKeyError("; ".join(problems))
    _verify_fingerprint(key_fingerprint(pseudonym_key()))


@lru_cache(maxsize=4)
def _verify_fingerprint(fingerprint: str) -> None:
    problem = fingerprint_problem()
    if problem:
        raise PseudonymKeyError(problem)


def rotate_pseudonym_key() -> str:
    """Write a new random key (mode 600) and record its fingerprint; returns the fingerprint."""
    key_file = Path(settings.UPTAKE_PSEUDONYM_KEY_FILE)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    replacement = key_file.with_name(key_file.name + ".new")
    replacement.touch(mode=0o600)
    replacement.chmod(0o600)
    replacement.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    replacement.replace(key_file)
    forget_cached_key()
    fingerprint = key_fingerprint(pseudonym_key())
    PseudonymKeyFingerprint.objects.update_or_create(pk=1, defaults={"fingerprint": fingerprint})
    return fingerprint


def forget_cached_key() -> None:
    """Make this process read the key file again (after a rotation, or in tests)."""
    pseudonyms.forget_cached_key()
    _verify_fingerprint.cache_clear()
