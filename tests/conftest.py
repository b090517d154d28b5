import pytest


@pytest.fixture(autouse=True)
def pseudonym_key_file(settings, tmp_path_factory):
    """A fixed pseudonym key outside the database, as in production (tests run with DEBUG off)."""
    key_file = tmp_path_factory.getbasetemp() / "pseudonym.key"
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    settings.UPTAKE_PSEUDONYM_KEY_FILE = key_file
    return key_file


@pytest.fixture(autouse=True)
def english_interface(settings):
    """Pages render in English unless a test asks for German (the site default is German)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database lets the flush between transactional tests empty the audit log.

    PostgreSQL refuses TRUNCATE on it by a statement trigger (studies migration 0004), and Django's flush
    truncates every table; the trigger is switched off for this database only, and
    tests/studies/test_audit_roles.py switches it on inside its own transaction.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE studies_auditentry DISABLE TRIGGER studies_auditentry_no_truncate")
