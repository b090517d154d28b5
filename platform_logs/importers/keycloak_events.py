"""Keycloak login events (Admin REST API `GET /admin/realms/{realm}/events`, a JSON array).

Kept: LOGIN and LOGIN_ERROR with time and the user's pseudonym (Keycloak's userId is the OIDC
subject). Dropped: IP address, username, session and code ids, redirect URIs. Other event types
are read and skipped.

A realm's events cover every client that logs in through it, the survey itself included: only
the platform's clients (`--client`, context.clients) count. Without them, a file holding more than
one client stops the import and names the clients found.
"""

import re

from platform_logs.identity import event_key, pseudonym_for, subject_account_key
from platform_logs.models import UsageEvent
from platform_logs.privacy_scan import has_identity

from .base import SKIPPED, ImportFormatError, Invalid, epoch_to_datetime, json_array_items, source_name

SOURCE = UsageEvent.Source.KEYCLOAK
CLIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}")
KINDS = {"LOGIN": UsageEvent.Kind.LOGIN, "LOGIN_ERROR": UsageEvent.Kind.LOGIN_ERROR}


def read(source, context):
    name = source_name(source)
    wanted, seen = set(context.clients), set()
    for index, event in json_array_items(source, "Keycloak events with 'time' and 'type'"):
        client = event.get("clientId") if isinstance(event, dict) else None
        if isinstance(client, str) and client:
            seen.add(client)
        if wanted and client not in wanted:
            yield SKIPPED
            continue
        yield _event(event, name, f"record {index}", context)
    if not wanted and len(seen) > 1:  # raised before anything is committed: the import stores nothing
        raise ImportFormatError(name, "", "--client naming the platform's Keycloak client(s)",
                                found=f"events of several clients: {_client_list(seen)}")


def _client_list(seen):
    """The client ids found, named only when they look like client ids (a message never quotes other content)."""
    named = sorted(client for client in seen if CLIENT_ID.fullmatch(client) and not has_identity(client))
    others = len(seen) - len(named)
    return ", ".join(named) + (f" and {others} other value{'s' if others > 1 else ''}" if others else "")


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
