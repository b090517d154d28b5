"""LiteLLM proxy spend logs, one API request per row: a CSV export of LiteLLM_SpendLogs, or the
table itself in the proxy's PostgreSQL database (a postgres:// URL, read-only).

Kept: time, model, tokens, duration, success, chat or embedding, and the pseudonym of the person
the request was for (see `_caller`). Dropped: the end user and key owner as sent (often an
e-mail), the requester's IP address, keys, spend, metadata and any messages or response columns;
from the table they are not even selected. Times without an offset are UTC, as LiteLLM stores them.
"""

import csv
import json
from datetime import UTC, datetime

from platform_logs.identity import email_account_key, event_key, openwebui_account_key, pseudonym_for, subject_account_key
from platform_logs.models import UsageEvent

from .base import (
    MAX_RECORD_BYTES,
    SKIPPED,
    ImportFormatError,
    Invalid,
    connect_postgres,
    invalid_model,
    is_model_id,
    is_url,
    label,
    load_bounded_json,
    non_negative_int,
    parse_timestamp,
    source_name,
    text_stream,
)

SOURCE = UsageEvent.Source.LITELLM
REQUIRED_COLUMNS = ("request_id", "startTime")
FAILED = {"failure", "failed", "error"}
TABLE = "LiteLLM_SpendLogs"
# The columns `_event` reads; of the optional ones older LiteLLM versions lack some.
TABLE_COLUMNS = (*REQUIRED_COLUMNS, "endTime", "model", "model_group", "user", "metadata", "end_user", "team_id",
                 "call_type", "prompt_tokens", "completion_tokens", "status")
# LiteLLM's user id for requests made with the master key (litellm_proxy_admin_name): nobody's own key.
MASTER_KEY_OWNER = "default_user_id"
EMBEDDING_CALLS = {"embedding", "aembedding"}
JSON_COLUMNS = ("metadata",)
FETCH_SIZE = 500


def read(source, context):
    if is_url(source):
        yield from _read_table(source, context)
        return
    name = source_name(source)
    csv.field_size_limit(MAX_RECORD_BYTES)  # real exports can hold whole conversations in messages/response
    stream = text_stream(source, name)
    reader = csv.DictReader(stream)
    try:
        try:
            header = reader.fieldnames or []
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFormatError(name, "line 1", "a CSV header in UTF-8", found=str(error)) from None
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
                raise ImportFormatError(name, f"line {reader.line_num + 1}", "CSV rows in UTF-8", found=str(error)) from None
            yield _event(row, name, f"line {reader.line_num}", context)
    finally:
        stream.close()


def _read_table(url, context):
    """The rows of LiteLLM_SpendLogs, as the CSV export would give them (text, "" for NULL)."""
    from psycopg import Error, sql

    name = label(url)
    connection = connect_postgres(url, name)
    try:
        present = _table_columns(connection)
        missing = [column for column in REQUIRED_COLUMNS if column not in present]
        if missing:
            raise ImportFormatError(name, f'table "{TABLE}"', f"a LiteLLM proxy database whose {TABLE} table has "
                                    f"columns {', '.join(REQUIRED_COLUMNS)}", ",".join(sorted(present)) or None)
        columns = [column for column in TABLE_COLUMNS if column in present]
        # JSON columns come as text, parsed within bounds by `_caller`, not decoded unbounded by the driver.
        selected = [sql.SQL("CAST({} AS TEXT)" if column in JSON_COLUMNS else "{}").format(sql.Identifier(column))
                    for column in columns]
        query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(selected), sql.Identifier(TABLE))
        with connection.cursor(name="uptake_import") as cursor:  # server-side: rows are streamed, not loaded at once
            cursor.itersize = FETCH_SIZE
            cursor.execute(query)
            for values in cursor:
                row = {column: _as_text(value) for column, value in zip(columns, values)}
                yield _event(row, name, f'"{TABLE}" row {row["request_id"]}', context)
    except Error as error:
        raise ImportFormatError(name, f'table "{TABLE}"', "a readable LiteLLM spend log table", found=str(error).strip()) from None
    finally:
        connection.close()


def _table_columns(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                       "AND table_schema = current_schema()", (TABLE,))
        return {column for (column,) in cursor.fetchall()}


def _as_text(value):
    """A column's value as the CSV export writes it: NULL as "", JSON as JSON text, times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


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
    model = row.get("model_group") or row.get("model") or ""
    if not is_model_id(model):
        return invalid_model(name, location, "model_group" if row.get("model_group") else "model", model)
    try:
        pseudonym, account_key = _caller(row, name, location)
    except ImportFormatError as error:
        return Invalid(error)
    status = (row.get("status") or "").strip().lower()
    embedding = (row.get("call_type") or "").strip() in EMBEDDING_CALLS
    return UsageEvent(
        event_key=event_key(SOURCE, f"request:{row['request_id']}"),
        source=SOURCE,
        kind=UsageEvent.Kind.EMBEDDING_REQUEST if embedding else UsageEvent.Kind.API_REQUEST,
        pseudonym=pseudonym,
        account_key=account_key,
        occurred_at=started,
        model=model,
        features="chat",
        tokens_in=non_negative_int(row.get("prompt_tokens")),
        tokens_out=non_negative_int(row.get("completion_tokens")),
        duration_seconds=(ended - started).total_seconds() if ended and ended >= started else None,
        success=None if not status else status not in FAILED,
    )


def _caller(row, name, location):
    """(pseudonym, account key) of the person a request was for.

    LiteLLM writes the owner of the virtual key into `user` and the `user` the caller sent into
    `end_user`. Open WebUI calls LiteLLM with one key for everybody and sends its own user id as
    `user`: so `end_user` comes first, an e-mail linking directly, anything else taken as an Open
    WebUI user id (linked through the Open WebUI account once its database is imported). Without an
    end user, the key's owner is the person only for a personal key: not a team's key, not the master key.
    """
    end_user = (row.get("end_user") or "").strip()
    if end_user:
        if "@" in end_user:
            return pseudonym_for(email=end_user), email_account_key(end_user)
        return "", openwebui_account_key(end_user)
    if (row.get("team_id") or "").strip():
        return "", ""
    owner = (row.get("user") or "").strip()
    if not owner:
        try:
            metadata = load_bounded_json(row.get("metadata") or "{}", name, f"{location} metadata")
        except ValueError:
            metadata = {}
        if isinstance(metadata, dict) and isinstance(metadata.get("user_api_key_user_id"), str):
            owner = metadata["user_api_key_user_id"].strip()
    if not owner or owner == MASTER_KEY_OWNER:
        return "", ""
    if "@" in owner:
        return pseudonym_for(email=owner), email_account_key(owner)
    return pseudonym_for(subject=owner), subject_account_key(owner)


def _naive(text):
    """LiteLLM's PostgreSQL timestamps come without an offset ("2025-09-09 11:05:39.4"): they are UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _utc(moment):
    return moment.astimezone(UTC) if moment else None
