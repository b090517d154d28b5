"""LiteLLM proxy spend logs (CSV export of LiteLLM_SpendLogs): one API request per row.

Kept: time, model, tokens, duration, success and the caller's pseudonym. Dropped: the caller as
sent (often an e-mail), the requester's IP address, keys, spend, metadata and any messages or
response columns. Times without an offset are UTC, as LiteLLM stores them.
"""

import csv
import json
from datetime import UTC, datetime

from platform_logs.identity import email_account_key, event_key, pseudonym_for, subject_account_key
from platform_logs.models import UsageEvent

from .base import SKIPPED, ImportFormatError, Invalid, non_negative_int, parse_timestamp, source_name, text_stream

SOURCE = UsageEvent.Source.LITELLM
REQUIRED_COLUMNS = ("request_id", "startTime")
FAILED = {"failure", "failed", "error"}


def read(source, context):
    name = source_name(source)
    csv.field_size_limit(2**31 - 1)  # real exports can hold whole conversations in messages/response
    stream = text_stream(source, name)
    reader = csv.DictReader(stream)
    try:
        try:
            header = reader.fieldnames or []
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFormatError(name, "line 1", "a CSV header in UTF-8", str(error)) from None
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ImportFormatError(name, "line 1", f"a LiteLLM spend log header with columns {', '.join(REQUIRED_COLUMNS)}",
                                    ",".join(header))
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as error:
                raise ImportFormatError(name, f"line {reader.line_num + 1}", "CSV rows in UTF-8", str(error)) from None
            yield _event(row, name, f"line {reader.line_num}", context)
    finally:
        stream.close()


def _event(row, name, location, context):
    if None in row or any(value is None for value in row.values()):
        return Invalid(ImportFormatError(name, location, f"{len(row) - (None in row)} fields as in the header"))
    if not row["request_id"]:
        return Invalid(ImportFormatError(name, location, "a request_id"))
    started = _utc(parse_timestamp(row["startTime"]) or _naive(row["startTime"]))
    if started is None:
        return Invalid(ImportFormatError(name, location, "startTime as an ISO 8601 time", row["startTime"]))
    if context.since is not None and started < context.since:
        return SKIPPED
    ended = _utc(parse_timestamp(row.get("endTime") or "") or _naive(row.get("endTime") or ""))
    caller = _caller(row)
    is_email = "@" in caller
    status = (row.get("status") or "").strip().lower()
    return UsageEvent(
        event_key=event_key(SOURCE, f"request:{row['request_id']}"),
        source=SOURCE,
        kind=UsageEvent.Kind.API_REQUEST,
        pseudonym=pseudonym_for(email=caller) if is_email else pseudonym_for(subject=caller),
        account_key=email_account_key(caller) if is_email else subject_account_key(caller),
        occurred_at=started,
        model=(row.get("model_group") or row.get("model") or "")[:200],
        features="chat",
        tokens_in=non_negative_int(row.get("prompt_tokens")),
        tokens_out=non_negative_int(row.get("completion_tokens")),
        duration_seconds=(ended - started).total_seconds() if ended and ended >= started else None,
        success=None if not status else status not in FAILED,
    )


def _caller(row):
    """Whom the request was for: `user` as sent, else the key's user id in metadata, else `end_user`."""
    if row.get("user"):
        return row["user"].strip()
    try:
        metadata = json.loads(row.get("metadata") or "{}")
    except ValueError:
        metadata = {}
    if isinstance(metadata, dict) and isinstance(metadata.get("user_api_key_user_id"), str):
        return metadata["user_api_key_user_id"].strip()
    return (row.get("end_user") or "").strip()


def _naive(text):
    """LiteLLM's PostgreSQL timestamps come without an offset ("2025-09-09 11:05:39.4"): they are UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _utc(moment):
    return moment.astimezone(UTC) if moment else None
