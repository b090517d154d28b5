"""Open WebUI's own database, read-only and incrementally: a SQLite file (webui.db) or a PostgreSQL URL.

The user table gives the link from Open WebUI's user id to the linking identifier (oauth_sub's
subject, or the e-mail); only keyed hashes of it are kept. Chats and feedback are read only when
changed since the last import of this database (the cursor holds the largest updated_at seen;
rows at that second are read again and counted as duplicates). Titles and snapshots are never
selected.
"""

import sqlite3
from contextlib import suppress
from itertools import groupby
from pathlib import Path

from django.conf import settings

from platform_logs.identity import email_account_key, openwebui_account_key, pseudonym_for, subject_account_key
from platform_logs.models import PlatformAccount, UsageEvent

from .base import ImportFormatError, Invalid, connect_postgres, epoch_to_datetime, is_url, label, source_name
from .openwebui import chat_events, feedback_event, import_keys, load_json_column

ROW_MODEL = UsageEvent  # chats and feedback come as usage_row tuples; the user table as PlatformAccount instances
REQUIRED_TABLES = ("user", "chat")
FETCH_SIZE = 500


def read(source, context):
    name = label(source) if is_url(source) else source_name(source)
    database = _PostgresDatabase(source, name) if is_url(source) else _SqliteDatabase(source, name)
    try:
        database.check_tables()
        pseudonyms = {}
        for user_id, subject, email in database.users():
            pseudonym = pseudonym_for(subject=subject, email=email)
            if not pseudonym:
                continue
            pseudonyms[user_id] = pseudonym
            for key in (openwebui_account_key(user_id), subject_account_key(subject), email_account_key(email)):
                if key:
                    yield PlatformAccount(account_key=key, pseudonym=pseudonym)
        yield from _chats(database, name, context, pseudonyms)
        if database.has_table("feedback"):
            yield from _feedback(database, name, context, pseudonyms)
    except database.errors as error:
        raise ImportFormatError(name, "", "a readable Open WebUI database", found=str(error).strip()) from None
    finally:
        database.close()


def _lower_bound(context, cursor_name):
    bound = context.cursor.get(cursor_name, 0)
    if context.since is not None:
        bound = max(bound, int(context.since.timestamp()))
    return bound


def _chats(database, name, context, pseudonyms):
    newest = context.cursor.get("chat_updated_at", 0)
    bound = _lower_bound(context, "chat_updated_at")
    reader = _chats_from_message_table if database.has_table("chat_message") else _chats_from_json
    keys = import_keys()
    for location, chat, updated_at in reader(database, name, bound):
        if isinstance(chat, Invalid):
            yield chat
            continue
        yield from chat_events(chat, name, location, context.since, pseudonyms, keys)
        newest = max(newest, _epoch_seconds(updated_at))
    context.cursor["chat_updated_at"] = newest


def _chats_from_json(database, name, bound):
    """(location, chat record or Invalid, updated_at) from the chat table's JSON (versions before 0.12)."""
    meta = "CAST(meta AS TEXT)" if "meta" in database.columns("chat") else "NULL"
    rows = database.rows(f"SELECT id, user_id, CAST(chat AS TEXT), {meta}, updated_at FROM chat WHERE updated_at >= {{}} "
                         "ORDER BY updated_at", bound)
    for chat_id, user_id, body, chat_meta, updated_at in rows:
        location = f"chat {chat_id}"
        try:
            chat = {"id": chat_id, "user_id": user_id, "chat": load_json_column(body, name, location),
                    "meta": load_json_column(chat_meta, name, f"{location} meta")}
        except ImportFormatError as error:
            chat = Invalid(error)
        except ValueError:
            chat = Invalid(ImportFormatError(name, location, "'chat' to hold JSON"))
        yield location, chat, updated_at


def _chats_from_message_table(database, name, bound):
    """(location, chat record or Invalid, updated_at) from chat_message, Open WebUI 0.12's table of messages.

    Open WebUI writes every message there as well as into the chat's JSON (and backfilled older
    chats); reading its columns leaves the chat JSON, with every prompt and answer, unread. Its
    rows are the history's messages, with `user_id` set as Open WebUI attributes them.
    """
    selected = ", ".join(f"CAST(m.{column} AS TEXT)" if column in JSON_MESSAGE_COLUMNS else f"m.{column}"
                         for column in MESSAGE_COLUMNS)
    rows = database.rows(f"SELECT c.id, c.user_id, CAST(c.meta AS TEXT), c.updated_at, {selected} FROM chat c "
                         "JOIN chat_message m ON m.chat_id = c.id WHERE c.updated_at >= {} ORDER BY c.updated_at, c.id",
                         bound)
    for (chat_id, owner, meta, updated_at), group in groupby(rows, key=lambda row: row[:4]):
        location = f"chat {chat_id}"
        try:
            messages = [_message_from_row(chat_id, row[4:], name, f"{location} chat_message") for row in group]
            chat = {"id": chat_id, "user_id": owner, "meta": load_json_column(meta, name, f"{location} meta"),
                    "chat": {"history": {"messages": {message["id"]: message for message in messages}}}}
        except ImportFormatError as error:
            chat = Invalid(error)
        except ValueError:
            chat = Invalid(ImportFormatError(name, location, "chat_message's JSON columns to hold JSON"))
        yield location, chat, updated_at


MESSAGE_COLUMNS = ("id", "user_id", "role", "parent_id", "model_id", "files", "sources", "output", "done",
                   "status_history", "error", "usage", "created_at")  # never content
JSON_MESSAGE_COLUMNS = ("files", "sources", "output", "status_history", "error", "usage")
# Open WebUI's ChatMessages.DB_TO_JSON_KEY_MAP, and created_at, which it sets from the message's timestamp.
MESSAGE_KEYS = {"parent_id": "parentId", "model_id": "model", "status_history": "statusHistory", "created_at": "timestamp"}


def _message_from_row(chat_id, values, name, location):
    """A chat_message row as the message of the chat JSON it mirrors (its id is "{chat id}-{message id}")."""
    row = dict(zip(MESSAGE_COLUMNS, values))
    message = {MESSAGE_KEYS.get(column, column): load_json_column(value, name, location) if column in JSON_MESSAGE_COLUMNS
               else value for column, value in row.items()}
    message["id"] = str(row["id"]).removeprefix(f"{chat_id}-")
    message["done"] = None if row["done"] is None else bool(row["done"])
    return message


def _feedback(database, name, context, pseudonyms):
    newest = context.cursor.get("feedback_updated_at", 0)
    rows = database.rows("SELECT id, user_id, type, CAST(data AS TEXT), CAST(meta AS TEXT), created_at, updated_at "
                         "FROM feedback WHERE updated_at >= {} ORDER BY updated_at",
                         _lower_bound(context, "feedback_updated_at"))
    for feedback_id, user_id, kind, data, meta, created_at, updated_at in rows:
        location = f"feedback {feedback_id}"
        try:
            record = {"id": feedback_id, "user_id": user_id, "type": kind, "data": load_json_column(data, name, location),
                      "meta": load_json_column(meta, name, location), "created_at": created_at}
        except ImportFormatError as error:
            yield Invalid(error)
            continue
        except ValueError:
            yield Invalid(ImportFormatError(name, location, "'data' and 'meta' to hold JSON"))
            continue
        yield feedback_event(record, name, location, context.since, pseudonyms.get(user_id, ""))
        newest = max(newest, _epoch_seconds(updated_at))
    context.cursor["feedback_updated_at"] = newest


def _epoch_seconds(value):
    moment = epoch_to_datetime(value)
    return int(moment.timestamp()) if moment else 0


def _oauth_subject(oauth_sub, oauth, name):
    """The subject at the site's identity provider (settings.UPTAKE_OPENWEBUI_OAUTH_PROVIDER, "oidc" by default).

    Older versions keep "provider@sub" in `oauth_sub`; 0.12 keeps {"provider": {"sub": ...}} in `oauth`,
    with one entry per provider an account was merged from (Google first, Keycloak later): only the
    configured provider's subject is the one the survey's login knows.
    """
    provider = settings.UPTAKE_OPENWEBUI_OAUTH_PROVIDER
    if oauth_sub:
        prefix, _, subject = oauth_sub.partition("@")
        return subject if subject and prefix == provider else ""
    try:
        providers = load_json_column(oauth, name, "table 'user' column 'oauth'") or {}
    except ValueError:
        return ""
    details = providers.get(provider) if isinstance(providers, dict) else None
    return str(details["sub"]) if isinstance(details, dict) and details.get("sub") else ""


class _Database:
    placeholder = "?"

    def __init__(self, name):
        self.name = name

    def check_tables(self):
        for table in REQUIRED_TABLES:
            if not self.has_table(table):
                raise ImportFormatError(self.name, f"table {table!r}", "an Open WebUI database with tables 'user' and 'chat'")

    def users(self):
        columns = self.columns("user")
        email = "email" if "email" in columns else "NULL"
        oauth_sub = "oauth_sub" if "oauth_sub" in columns else "NULL"
        oauth = "CAST(oauth AS TEXT)" if "oauth" in columns else "NULL"
        for user_id, address, sub, providers in self.rows(f'SELECT id, {email}, {oauth_sub}, {oauth} FROM "user"'):
            yield user_id, _oauth_subject(sub, providers, self.name), address

    def rows(self, sql, *params):
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql.format(*[self.placeholder] * len(params)), params)
            while batch := cursor.fetchmany(FETCH_SIZE):
                yield from batch
        except self.errors as error:
            raise ImportFormatError(self.name, "", "a readable Open WebUI database", found=str(error)) from None
        finally:
            with suppress(*self.errors):  # an import stopped early may have closed the database already
                cursor.close()

    def close(self):
        self.connection.close()


class _SqliteDatabase(_Database):
    errors = (sqlite3.Error,)

    def __init__(self, path, name):
        super().__init__(name)
        if not Path(path).is_file():
            raise ImportFormatError(name, "", "a readable SQLite file")
        _check_not_a_partial_copy(Path(path), name)
        self.connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)

    def has_table(self, table):
        try:
            found = self.connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
            return found.fetchone() is not None
        except sqlite3.DatabaseError as error:
            raise ImportFormatError(self.name, "", "an Open WebUI SQLite database", found=str(error)) from None

    def columns(self, table):
        return {row[1] for row in self.connection.execute(f'PRAGMA table_info("{table}")')}


WAL_COPY_HINT = ('sqlite3 webui.db ".backup copy.db" && sqlite3 copy.db "PRAGMA journal_mode=DELETE", '
                 "then import copy.db")


def _check_not_a_partial_copy(path, name):
    """A WAL-mode file without its -wal beside it may lack everything since the last checkpoint.

    Open WebUI 0.12 runs SQLite in WAL mode: recent chats live in webui.db-wal until SQLite folds
    them in, so copying webui.db alone can silently lose them. The live file (with its -wal) or a
    copy made by SQLite itself (.backup, left in rollback mode) is complete.
    """
    with open(path, "rb") as stream:
        header = stream.read(20)
    in_wal_mode = header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x02\x02"
    if in_wal_mode and not Path(f"{path}-wal").exists():
        raise ImportFormatError(name, "", f"a complete copy of Open WebUI's database: the file is in WAL mode and "
                                          f"{path.name}-wal is not beside it, so recent chats may be missing; "
                                          f"copy it safely with {WAL_COPY_HINT}")


class _PostgresDatabase(_Database):
    placeholder = "%s"

    def __init__(self, url, name):
        super().__init__(name)
        import psycopg

        self.errors = (psycopg.Error,)
        self.connection = connect_postgres(url, name)

    def has_table(self, table):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s AND table_schema = current_schema()", (table,))
            return cursor.fetchone() is not None

    def columns(self, table):
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                           "AND table_schema = current_schema()", (table,))
            return {row[0] for row in cursor.fetchall()}

    def rows(self, sql, *params):
        # A named (server-side) cursor streams the rows instead of loading the whole table.
        with self.connection.cursor(name="uptake_import") as cursor:
            cursor.itersize = FETCH_SIZE
            try:
                cursor.execute(sql.format(*[self.placeholder] * len(params)), params)
                yield from cursor
            except self.errors as error:
                raise ImportFormatError(self.name, "", "a readable Open WebUI database", found=str(error)) from None


