"""Keycloak login events (Admin REST API `GET /admin/realms/{realm}/events`, a JSON array).

Kept: LOGIN and LOGIN_ERROR with time and the user's pseudonym (Keycloak's userId is the OIDC
subject). Dropped: IP address, username, session and code ids, redirect URIs. Other event types
are read and skipped.
"""

from platform_logs.identity import event_key, pseudonym_for, subject_account_key
from platform_logs.models import UsageEvent

from .base import SKIPPED, ImportFormatError, Invalid, epoch_to_datetime, json_array_items, source_name

SOURCE = UsageEvent.Source.KEYCLOAK
KINDS = {"LOGIN": UsageEvent.Kind.LOGIN, "LOGIN_ERROR": UsageEvent.Kind.LOGIN_ERROR}


def read(source, context):
    name = source_name(source)
    for index, event in json_array_items(source, "Keycloak events with 'time' and 'type'"):
        yield _event(event, name, f"record {index}", context)


def _event(event, name, location, context):
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return Invalid(ImportFormatError(name, location, "an event object with a 'type'"))
    occurred_at = epoch_to_datetime(event.get("time"))
    if occurred_at is None:
        return Invalid(ImportFormatError(name, location, "'time' in epoch milliseconds", event.get("time")))
    kind = KINDS.get(event["type"])
    if kind is None or (context.since is not None and occurred_at < context.since):
        return SKIPPED
    subject = event.get("userId") if isinstance(event.get("userId"), str) else ""
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    email = details.get("email") if isinstance(details.get("email"), str) else ""
    record_id = event.get("id") or ":".join(str(event.get(key, "")) for key in ("time", "type", "userId", "sessionId", "clientId"))
    return UsageEvent(
        event_key=event_key(SOURCE, record_id),
        source=SOURCE,
        kind=kind,
        pseudonym=pseudonym_for(subject=subject, email=email),
        account_key=subject_account_key(subject),
        occurred_at=occurred_at,
        success=kind == UsageEvent.Kind.LOGIN,
    )
