"""PostgreSQL: the audit log cannot be emptied, changed or un-triggered by the role the web application uses,
nor emptied by TRUNCATE as its owner (docs/deploy.md, "Database roles")."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from studies.audit import audit
from studies.models import AuditEntry
from tests.studies.builders import make_user

APP_ROLE_SQL = Path(settings.BASE_DIR) / "config" / "postgres_app_role.sql"
ATTEMPTS = {
    "TRUNCATE": "TRUNCATE studies_auditentry",
    "TRUNCATE CASCADE": "TRUNCATE studies_auditentry CASCADE",
    "DISABLE TRIGGER": "ALTER TABLE studies_auditentry DISABLE TRIGGER ALL",
    "DELETE": "DELETE FROM studies_auditentry",
    "UPDATE": "UPDATE studies_auditentry SET detail = 'x'",
}

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="roles, grants and statement triggers are PostgreSQL's; SQLite has one user and the model's guard",
)


@pytest.fixture
def audited():
    return audit(make_user("owner"), AuditEntry.Action.DOWNLOAD, "file.zip")


@pytest.fixture
def as_app_role(audited):
    """The test's transaction, switched to `uptake_app` with the documented grants (all rolled back afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'uptake_app'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE ROLE uptake_app NOLOGIN")
        cursor.execute(APP_ROLE_SQL.read_text(encoding="utf-8"))
        cursor.execute("SET LOCAL ROLE uptake_app")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    return str(error.value)


@pytest.mark.django_db
@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_application_role_cannot_empty_change_or_untrigger_the_audit_log(as_app_role, attempt):
    message = refused(ATTEMPTS[attempt])

    assert "permission denied" in message or "must be owner" in message, message
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_application_role_still_writes_the_audit_log_and_the_other_tables(as_app_role):
    audit(None, AuditEntry.Action.KEY_ROTATION, "pseudonym key")
    make_user("respondent").delete()

    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db
def test_truncate_is_refused_by_a_statement_trigger_even_for_the_owner(audited):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else the test's pending foreign-key checks stop both
        cursor.execute("ALTER TABLE studies_auditentry ENABLE TRIGGER studies_auditentry_no_truncate")  # tests/conftest.py
    message = refused("TRUNCATE studies_auditentry")

    assert "the audit log is append-only: TRUNCATE refused" in message
    assert AuditEntry.objects.count() == 1
