"""The statements of a page view and a page submit, written once in SQL.

A page view opens the page's visit (one statement on PostgreSQL). A page submit reads the respondent's response under its row lock (with its wave, invitation and
instrument version), reads its answers, and writes the page: its answers, the page's visit closed,
where the respondent is now (one statement on PostgreSQL). Through the ORM, compiling these queries
anew on every request cost more than PostgreSQL's work on them: the four-table locked read took
3.2 ms against 0.7 ms for the same SQL through the cursor (issue 11, benchmarks/respondent_load.py).
Here the SQL is built once per process from the models' own column lists, so a migration cannot
leave it behind, and rows become model instances through Model.from_db with the database backend's
converters, as the ORM makes them. The rules (who may answer, what is merged, where the respondent
goes) stay in surveys.services.
"""

from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Model

from surveys.models import Answer, InstrumentVersion, Invitation, PageVisit, Response, Wave


class _Columns:
    """One model's columns in a SELECT under a table alias, and how to turn them into an instance."""

    def __init__(self, model: type[Model], alias: str, skip: tuple[str, ...] = ()):
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if field.name not in skip]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.attnames = [field.attname for field in self.fields]
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if functions:
                self.converters.append((index, functions, column))

    def convert(self, values) -> list:
        values = list(values)
        for index, functions, column in self.converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        return values

    def instance(self, values) -> Model:
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))


@cache
def _invited_response_query() -> tuple[str, list[_Columns]]:
    quote = connection.ops.quote_name
    parts = [
        _Columns(Response, "r"), _Columns(Wave, "w"), _Columns(Invitation, "i"),
        _Columns(InstrumentVersion, "v", skip=InstrumentVersion.LARGE_FIELDS),
    ]
    lock = " FOR UPDATE OF r" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)} FROM {quote(Response._meta.db_table)} r"
        f" JOIN {quote(Wave._meta.db_table)} w ON w.id = r.wave_id"
        f" JOIN {quote(Invitation._meta.db_table)} i ON i.id = r.invitation_id"
        f" JOIN {quote(InstrumentVersion._meta.db_table)} v ON v.id = r.instrument_version_id"
        f" WHERE r.invitation_id = %s AND w.slug = %s{lock}"
    )
    return sql, parts


def invited_response(invitation_id: int, slug: str) -> Response | None:
    """The response opened through this invitation to the wave `slug`, locked on its own row (inside
    a transaction), with its wave, invitation and instrument version (without its large JSON).

    None if there is none yet, or if it was cut from its invitation at submission (anonymous waves).
    """
    sql, (response_columns, wave_columns, invitation_columns, version_columns) = _invited_response_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [invitation_id, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for columns in (response_columns, wave_columns, invitation_columns, version_columns):
        instances.append(columns.instance(row[start:start + len(columns.fields)]))
        start += len(columns.fields)
    response, wave, invitation, version = instances
    response.wave = invitation.wave = wave
    response.invitation = invitation
    response.instrument_version = version
    return response


@cache
def _answers_query() -> tuple[str, _Columns]:
    columns = _Columns(Answer, "a", skip=("id", "response", "updated_at"))
    return f"SELECT {columns.sql} FROM {connection.ops.quote_name(Answer._meta.db_table)} a WHERE a.response_id = %s", columns


def answers(response_id: int) -> list[tuple[str, object, str]]:
    """The response's answers as (item, value, other text)."""
    sql, columns = _answers_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [response_id])
        return [tuple(columns.convert(row)) for row in cursor.fetchall()]


@cache
def _page_write_sql() -> dict[str, str]:
    """The fixed text of save_page's statements; a page's VALUES and IN lists are added per request."""
    quote = connection.ops.quote_name
    answers, visits, responses = (quote(model._meta.db_table) for model in (Answer, PageVisit, Response))
    return {
        "clear": f"DELETE FROM {answers} WHERE response_id = %s AND item IN ",
        "upsert": f"INSERT INTO {answers} (response_id, item, value, other_text, updated_at) VALUES ",
        "upsert_conflict": " ON CONFLICT (response_id, item) DO UPDATE SET value = excluded.value,"
                           " other_text = excluded.other_text, updated_at = excluded.updated_at",
        "close_visit": f"UPDATE {visits} SET left_at = %s WHERE response_id = %s AND page = %s AND left_at IS NULL",
        "move": f"UPDATE {responses} SET current_page = %s, last_page = %s, language = %s, updated_at = %s WHERE id = %s",
    }


def save_page(response: Response, left_page: str, kept: dict[str, tuple[object, str]], cleared: list[str],
              now: datetime) -> None:
    """Write what a page submit changes: the page's answers (kept: item -> (value, other text),
    cleared: items whose answer is removed), the left page's open visit closed at `now`, and the
    respondent's position (current and furthest page, language; updated_at as save() sets it).

    PostgreSQL does it in one statement (the writes as data-modifying WITH clauses, which run to
    completion whether or not the main statement reads them); SQLite, which has no such clauses,
    in one statement each.
    """
    sql = _page_write_sql()
    response.updated_at = now
    stamp = Response._meta.get_field("updated_at").get_db_prep_save(now, connection)
    statements = []
    if cleared:
        statements.append((f"{sql['clear']}({', '.join(['%s'] * len(cleared))})", [response.pk, *cleared]))
    if kept:
        value_field = Answer._meta.get_field("value")
        params = []
        for item, (value, other_text) in kept.items():
            params += [response.pk, item, value_field.get_db_prep_save(value, connection), other_text or "", stamp]
        rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(kept))
        statements.append((f"{sql['upsert']}{rows}{sql['upsert_conflict']}", params))
    statements.append((sql["close_visit"], [stamp, response.pk, left_page]))
    statements.append((sql["move"], [response.current_page, response.last_page, response.language, stamp, response.pk]))
    _write(statements)


def _write(statements: list[tuple[str, list]]) -> int:
    """Run the statements as one on PostgreSQL (all but the last as data-modifying WITH clauses,
    which run to completion whether or not the last reads them; they all see the rows as they were
    before it), on SQLite, which has no such clauses, one after the other. Returns the row count of
    the last."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            writes = ", ".join(f"write_{number} AS ({text})" for number, (text, _params) in enumerate(statements[:-1]))
            cursor.execute(f"WITH {writes} {statements[-1][0]}", [value for _text, params in statements for value in params])
        else:
            for text, params in statements:
                cursor.execute(text, params)
        return cursor.rowcount


@cache
def _enter_page_sql() -> dict[str, str]:
    quote = connection.ops.quote_name
    visits, responses = quote(PageVisit._meta.db_table), quote(Response._meta.db_table)
    reloaded = f"EXISTS (SELECT 1 FROM {visits} WHERE response_id = %s AND page = %s AND left_at IS NULL)"
    return {
        "close": f"UPDATE {visits} SET left_at = %s WHERE response_id = %s AND left_at IS NULL AND NOT {reloaded}",
        "open": f"INSERT INTO {visits} (response_id, page, entered_at) SELECT %s, %s, %s WHERE NOT {reloaded}",
        "move": f"UPDATE {responses} SET current_page = %s, updated_at = %s WHERE id = %s AND NOT {reloaded}",
    }


def enter_page(response: Response, page_code: str, now: datetime, move: bool) -> bool:
    """Open a visit of the page at `now`, closing any other open visit, unless this page's visit is
    still open (a reload); with `move`, the page becomes the response's current page too. Returns
    whether a visit was opened.

    The response is locked by the caller, so "still open" cannot change underneath. Each write
    checks it: PostgreSQL runs them as one statement (data-modifying WITH clauses, which all see
    the visits as they were before it), SQLite one after the other, opening the visit last.
    """
    sql = _enter_page_sql()
    stamp = PageVisit._meta.get_field("entered_at").get_db_prep_save(now, connection)
    reloaded = [response.pk, page_code]
    statements = [(sql["close"], [stamp, response.pk, *reloaded])]
    if move:
        statements.append((sql["move"], [page_code, stamp, response.pk, *reloaded]))
    statements.append((sql["open"], [response.pk, page_code, stamp, *reloaded]))
    entered = _write(statements) == 1
    if entered and move:
        response.current_page, response.updated_at = page_code, now
    return entered
