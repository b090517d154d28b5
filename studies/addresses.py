"""E-mail addresses of a participant list: encrypted at rest, hashed for duplicates, masked on screen.

The Fernet key lives in a file outside the database (UPTAKE_ADDRESS_KEY_FILE), so a database dump
alone holds no readable address. The same key derives each participant's link token from a random
seed, so reminders can carry the link again without the token being stored.
"""

import base64
import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class AddressKeyMismatch(Exception):
    """An encrypted address cannot be read with the current key (the key file was replaced)."""


def normalize_address(address: str) -> str:
    return address.strip().lower()


def encrypt_address(address: str) -> str:
    return _fernet().encrypt(normalize_address(address).encode("utf-8")).decode("ascii")


def decrypt_address(encrypted: str) -> str:
    try:
        return _fernet().decrypt(encrypted.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise AddressKeyMismatch(
            f"an address cannot be decrypted with the key in {settings.UPTAKE_ADDRESS_KEY_FILE}; was the key file replaced?"
        ) from exc


def address_hash(wave_slug: str, address: str) -> str:
    """A keyed hash of the normalised address, scoped to the wave: finds duplicates, reveals nothing."""
    return _keyed(f"address:{wave_slug}:{normalize_address(address)}").hex()


def link_token(seed: str) -> str:
    """The participant's invitation token, recomputed from their seed; only its SHA-256 is stored."""
    return base64.urlsafe_b64encode(_keyed(f"link:{seed}")[:24]).decode("ascii")


def opt_out_token(seed: str) -> str:
    """The participant's opt-out token, recomputed from their seed: not the survey token, so whoever sees an
    opt-out link (a mail gateway acting on List-Unsubscribe, a log) cannot answer as them. Stored hashed."""
    return base64.urlsafe_b64encode(_keyed(f"opt-out:{seed}")[:24]).decode("ascii")


def mask_address(address: str) -> str:
    """a***@h***.de: enough to recognise a list, not enough to read it."""
    local, _, domain = normalize_address(address).partition("@")
    host, dot, top_level = domain.rpartition(".")
    if not dot:
        host, top_level = domain, ""
    return f"{local[:1]}***@{host[:1]}***{dot}{top_level}"


def _keyed(message: str) -> bytes:
    return hmac.new(_key_bytes(), message.encode("utf-8"), hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(_key_bytes())


def _key_bytes() -> bytes:
    return _read_key(str(settings.UPTAKE_ADDRESS_KEY_FILE), settings.DEBUG)


@lru_cache(maxsize=4)
def _read_key(path: str, create_if_missing: bool) -> bytes:
    key_file = Path(path)
    if not key_file.exists():
        if not create_if_missing:
            raise ImproperlyConfigured(f"address key file {key_file} does not exist; {KEY_HINT}")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(Fernet.generate_key() + b"\n")
        key_file.chmod(0o600)
    key = key_file.read_bytes().strip()
    try:
        Fernet(key)
    except ValueError as exc:
        raise ImproperlyConfigured(f"address key in {key_file} is not a Fernet key; {KEY_HINT}") from exc
    return key


KEY_HINT = (
    "create it with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > FILE` "
    "(mode 600), keep it outside the database and its backups, and set UPTAKE_ADDRESS_KEY_FILE"
)
