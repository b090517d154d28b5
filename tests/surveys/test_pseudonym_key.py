"""The pseudonym key's life: fingerprinted on first use, checked at start-up, rotated only on purpose."""

import hashlib
import hmac
import io
import os

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client

from studies.models import AuditEntry
from surveys.keys import forget_cached_key, verify_pseudonym_key
from surveys.models import PseudonymKeyFingerprint, Response
from surveys.pseudonyms import PseudonymKeyError, pseudonymize
from tests.surveys.builders import invite, make_wave, post_page, start

OTHER_KEY = "fedcba9876543210" * 4


@pytest.fixture(autouse=True)
def fresh_key_cache():
    forget_cached_key()
    yield
    forget_cached_key()


@pytest.fixture
def key_file(settings, tmp_path):
    """A key file of the test's own, so it can be changed without touching the shared one."""
    path = tmp_path / "pseudonym.key"
    path.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    path.chmod(0o600)
    settings.UPTAKE_PSEUDONYM_KEY_FILE = path
    return path


def key_errors():
    return [error for error in run_checks() if error.id.startswith("surveys.E00")]


@pytest.mark.django_db
def test_the_first_use_stores_a_fingerprint_of_the_key_and_never_the_key(key_file):
    verify_pseudonym_key()

    stored = PseudonymKeyFingerprint.objects.get().fingerprint
    key = key_file.read_text().strip().encode()
    # Reference: RFC 2104 HMAC from the standard library, of the label docs/privacy.md names.
    assert stored == hmac.new(key, b"uptake pseudonym key fingerprint v1", hashlib.sha256).hexdigest()
    assert key.decode() not in stored


@pytest.mark.django_db
def test_a_replaced_key_fails_the_start_up_check_with_a_clear_message(key_file):
    verify_pseudonym_key()
    key_file.write_text(OTHER_KEY, encoding="ascii")
    forget_cached_key()

    [error] = key_errors()

    assert error.id == "surveys.E003"
    assert "not the key this database's pseudonyms were made with" in error.msg
    assert "rotate_pseudonym_key" in error.msg
    with pytest.raises(PseudonymKeyError):
        verify_pseudonym_key()


@pytest.mark.django_db
def test_a_short_key_fails_the_start_up_check(key_file):
    key_file.write_text("too short", encoding="ascii")

    [error] = key_errors()

    assert error.id == "surveys.E002" and "shorter than 32 characters" in error.msg


@pytest.mark.django_db
def test_a_key_readable_by_others_fails_in_production_only(key_file, settings):
    key_file.chmod(0o644)
    settings.PRODUCTION = False
    assert key_errors() == []

    settings.PRODUCTION = True
    [error] = key_errors()

    assert error.id == "surveys.E002" and "readable by group or others (mode 644)" in error.msg


@pytest.mark.django_db
def test_a_returning_respondent_meets_a_notice_not_a_server_error_when_the_key_changed(key_file):
    wave = make_wave(key_file.parent)
    client = Client(raise_request_exception=False)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    key_file.write_text(OTHER_KEY, encoding="ascii")
    forget_cached_key()  # as after a restart that skipped the start-up check

    back = client.get(f"/s/{wave.slug}/p/data/")

    assert back.status_code == 503 and "unavailable" in back.text
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_a_returning_respondent_meets_a_notice_when_the_key_file_is_gone(key_file, settings):
    settings.DEBUG = False
    wave = make_wave(key_file.parent)
    client = Client(raise_request_exception=False)
    start(client, wave, invite(wave))
    os.remove(key_file)
    forget_cached_key()

    back = client.get(f"/s/{wave.slug}/p/about/")

    assert back.status_code == 503


@pytest.mark.django_db
def test_rotation_refuses_without_yes_and_says_what_it_breaks(key_file):
    verify_pseudonym_key()
    before = key_file.read_text()

    with pytest.raises(CommandError, match="--yes") as refused:
        call_command("rotate_pseudonym_key", stdout=io.StringIO())

    assert "linkage of later waves to earlier ones" in str(refused.value)
    assert key_file.read_text() == before


@pytest.mark.django_db
def test_rotation_writes_a_new_owner_only_key_and_records_its_fingerprint(key_file):
    verify_pseudonym_key()
    old_pseudonym, old_fingerprint = pseudonymize("alice"), PseudonymKeyFingerprint.objects.get().fingerprint
    out = io.StringIO()

    call_command("rotate_pseudonym_key", "--yes", stdout=out)

    assert key_file.stat().st_mode & 0o777 == 0o600
    assert PseudonymKeyFingerprint.objects.get().fingerprint != old_fingerprint
    assert pseudonymize("alice") != old_pseudonym
    assert "Restart" in out.getvalue()
    verify_pseudonym_key()  # the new key is the database's key now
    entry = AuditEntry.objects.get()  # every study's owners see it
    assert (entry.action, entry.study, entry.target) == ("key_rotation", None, "pseudonym key")
