import hashlib
import hmac

from surveys.pseudonyms import pseudonymize

KEY = b"0123456789abcdef" * 4  # the key tests/conftest.py writes to the key file


def test_pseudonym_is_hmac_sha256_of_the_subject_under_the_key_file():
    # Reference: RFC 2104 HMAC as implemented by Python's standard library, independent of Uptake.
    expected = hmac.new(KEY, b"f81d4fae-7dec-11d0-a765-00a0c91e6bf6", hashlib.sha256).hexdigest()

    assert pseudonymize("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", kind="subject") == expected


def test_email_identifiers_are_lower_cased_and_trimmed_before_hashing():
    expected = hmac.new(KEY, b"alice@example.org", hashlib.sha256).hexdigest()

    assert pseudonymize("  Alice@Example.ORG ", kind="email") == expected


def test_subjects_keep_their_case():
    assert pseudonymize("AbC", kind="subject") != pseudonymize("abc", kind="subject")
