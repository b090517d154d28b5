"""The audit log: one call for everything that touches personal data, and its CSV form for owners."""

import csv
import io

from django.db.models import Q

from studies.models import AuditEntry, Study

CSV_COLUMNS = ["at", "actor", "action", "target", "detail"]


def audit(user, action: str, target: str, detail: str = "", study: Study | None = None) -> AuditEntry:
    """Record that `user` did `action` to `target` (a wave, a response, an export file ...).

    Site-wide actions (a pseudonym key rotation by a command, user None) go without a study and are
    shown to the owners of every study.
    """
    actor = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        study=study,
        action=action,
        target=str(target)[:200],
        detail=detail,
    )


def entries_for(study: Study):
    """The study's entries and the site-wide ones (key rotation touches every study), newest first."""
    return AuditEntry.objects.filter(Q(study=study) | Q(study__isnull=True))


def audit_csv(study: Study) -> str:
    """The study's audit log as CSV, oldest first, with formula-like cells neutralised.

    The analysis package (pandas, matplotlib) is imported on this download only: every workspace
    view imports this module, and a web worker that serves respondents must not load it."""
    from analysis.pipeline.io import spreadsheet_safe

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries_for(study).order_by("at", "pk"):
        row = [entry.at.isoformat(), entry.actor_name, entry.action, entry.target, entry.detail]
        writer.writerow([spreadsheet_safe(value) for value in row])
    return out.getvalue()
