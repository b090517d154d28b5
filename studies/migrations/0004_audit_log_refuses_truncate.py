"""PostgreSQL: TRUNCATE empties a table without firing row triggers, so the audit log refuses it by a statement trigger.

The row trigger of 0002 refuses UPDATE and DELETE; this one calls the same function for TRUNCATE.
Disabling either trigger needs the table's owner, which the web application's role is not
(docs/deploy.md, "Database roles").
"""

from django.db import migrations

REFUSE_TRUNCATE = """
CREATE TRIGGER studies_auditentry_no_truncate BEFORE TRUNCATE ON studies_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION studies_audit_append_only();
"""
ALLOW_TRUNCATE = "DROP TRIGGER IF EXISTS studies_auditentry_no_truncate ON studies_auditentry;"


def refuse_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_TRUNCATE)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_TRUNCATE)


class Migration(migrations.Migration):
    dependencies = [("studies", "0003_merge_20261130_0738")]
    operations = [migrations.RunPython(refuse_truncate, allow_truncate)]
