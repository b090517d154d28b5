"""Importing a platform log source into usage records: one transaction, batched, idempotent."""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction
from django.db.models import DateTimeField, OuterRef, Subquery
from django.utils import timezone

from platform_logs.identity import email_account_key
from platform_logs.importers import IMPORTERS
from platform_logs.importers.base import SKIPPED, ImportContext, ImportFormatError, Invalid, source_name
from platform_logs.models import ImportRun, PlatformAccount, PlatformRequest, UsageEvent

BATCH_SIZE = 2000
PROGRESS_EVERY = 10_000
PROBLEMS_KEPT = 20
SQLITE_IMPORT_CACHE_KIB = 65536


@dataclass
class ImportSummary:
    """What one import did; `problems` holds the first invalid records' messages (skipped with --skip-invalid)."""

    kind: str
    source: str
    read: int = 0
    stored: int = 0
    skipped: int = 0
    invalid: int = 0
    duplicates: int = 0
    updated: int = 0
    problems: list = field(default_factory=list)

    def __str__(self):
        text = (f"{self.kind} {self.source}: {self.read} records read, {self.stored} stored, {self.updated} updated, "
                f"{self.duplicates} duplicates, {self.skipped} skipped")
        return text + (f", {self.invalid} invalid" if self.invalid else "")


def import_source(kind, source, skip_invalid=False, since=None, progress=None, clients=()):
    """Import one source of the given kind; on any format error nothing is stored and ImportFormatError is raised.

    `since` (an aware datetime) leaves out older records; `progress(records_read)` is called now and then;
    `clients` are the Keycloak clients that count (keycloak-events).
    """
    if kind not in IMPORTERS:
        raise ValueError(f"unknown source kind {kind!r}; expected one of {', '.join(IMPORTERS)}")
    importer = IMPORTERS[kind]
    label = source_label(importer, source)
    previous = ImportRun.objects.filter(kind=kind, source_label=label).first()
    context = ImportContext(label, since, dict(previous.cursor) if previous else {}, tuple(clients))
    summary = ImportSummary(kind=kind, source=source_name(source) if not _is_url(source) else label)
    started_at = timezone.now()
    with transaction.atomic(), _sqlite_page_cache(SQLITE_IMPORT_CACHE_KIB):
        writer = _BatchWriter(summary, getattr(importer, "ROW_MODEL", None))
        for record in importer.read(source, context):
            if type(record) is tuple:  # the fast path: a raw row of the importer's ROW_MODEL
                summary.read += 1
                writer.add_row(record)
                if summary.read % PROGRESS_EVERY == 0 and progress:
                    progress(summary.read)
                continue
            if isinstance(record, PlatformAccount):
                writer.add_account(record)
                continue
            summary.read += 1
            if record is SKIPPED:
                summary.skipped += 1
            elif isinstance(record, Invalid):
                if not skip_invalid:
                    raise record.error
                summary.invalid += 1
                if len(summary.problems) < PROBLEMS_KEPT:
                    summary.problems.append(str(record.error))
            else:
                writer.add(record)
            if progress and summary.read % PROGRESS_EVERY == 0:
                progress(summary.read)
        writer.flush()
        link_accounts()
        ImportRun.objects.create(
            kind=kind, source_label=label, started_at=started_at, finished_at=timezone.now(), since=since,
            records_read=summary.read, stored=summary.stored, skipped=summary.skipped, invalid=summary.invalid,
            duplicates=summary.duplicates, updated=summary.updated, cursor=context.cursor,
        )
    if progress:
        progress(summary.read)
    return summary


@contextmanager
def _sqlite_page_cache(kibibytes):
    """On SQLite, a page cache of `kibibytes` while an import runs. With the default 2 MB, smaller than the
    usage table's indexes, SQLite wrote pages out and read them back: a tenth of an import's time."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(kibibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def link_accounts():
    """Give events whose account is now linked (through Open WebUI's user table) their pseudonym."""
    pseudonym = PlatformAccount.objects.filter(account_key=OuterRef("account_key")).values("pseudonym")[:1]
    unlinked = UsageEvent.objects.filter(pseudonym="").exclude(account_key="")
    linkable = unlinked.filter(account_key__in=PlatformAccount.objects.values("account_key"))
    return linkable.update(pseudonym=Subquery(pseudonym))


def pseudonyms_by_address(addresses):
    """The survey pseudonym of each address whose platform account has been imported, by address as given.

    An invitation list holds e-mail addresses; the platform knows its people by the linking
    identifier (often the OIDC subject). The keyed hash of an address finds the account imported
    from Open WebUI's user table, and with it the pseudonym. Addresses without an account are left out.
    """
    keys = {email_account_key(address): address for address in addresses if address.strip()}
    found = PlatformAccount.objects.filter(account_key__in=keys).values_list("account_key", "pseudonym")
    return {keys[key]: pseudonym for key, pseudonym in found}


def source_label(importer, source):
    """The name an import run is kept under: the same source imported again finds its cursor."""
    if hasattr(importer, "label"):
        return importer.label(source)
    if isinstance(source, (str, Path)):
        return str(Path(source).resolve())
    return source_name(source)


def _is_url(source):
    return isinstance(source, str) and "://" in source


class _BatchWriter:
    """Collects rows and inserts them in batches, counting the ones already stored as duplicates.

    A usage event already stored whose source changed since (a reply that was still streaming, a
    rating given a score or changed later) is updated in place and counted as updated: the event
    key is the source's record id, so nothing is stored twice.

    Rows are tuples of field values in the model's field order (see `_row_fields`), keyed by their
    event_key (the first field) so a record repeated within a batch is counted once as a duplicate.
    """

    def __init__(self, summary, row_model=None):
        self.summary = summary
        self.row_model = row_model
        self.pending = {UsageEvent: {}, PlatformRequest: {}}
        self.accounts = {}

    def add_row(self, row, model=None):
        model = model or self.row_model
        batch = self.pending[model]
        if row[0] in batch:
            self.summary.duplicates += 1
            return
        batch[row[0]] = row
        if len(batch) >= BATCH_SIZE:
            self._insert(model)

    def add(self, record):
        model = type(record)
        self.add_row(tuple(getattr(record, field.attname) for field in _row_fields(model)), model)

    def add_account(self, account):
        self.accounts[account.account_key] = account

    def flush(self):
        for model in self.pending:
            self._insert(model)
        if self.accounts:
            PlatformAccount.objects.bulk_create(
                self.accounts.values(), update_conflicts=True, unique_fields=["account_key"], update_fields=["pseudonym"],
                batch_size=BATCH_SIZE,
            )
            self.accounts = {}

    def _insert(self, model):
        batch = self.pending[model]
        if not batch:
            return
        if model is UsageEvent:
            batch = self._update_changed(batch)
        stored = _insert_ignoring_conflicts(model, batch.values())
        self.summary.stored += stored
        self.summary.duplicates += len(batch) - stored
        self.pending[model] = {}

    def _update_changed(self, batch):
        """Update the batch's events already stored whose values changed; the rest (new ones) to insert."""
        names = [field.attname for field in _row_fields(UsageEvent)]
        found = _stored_keys(UsageEvent, list(batch))
        stored = {row[0]: row for row in UsageEvent.objects.filter(event_key__in=found).values_list(*names)} if found else {}
        new = {}
        for key, row in batch.items():
            if key not in stored:
                new[key] = row
                continue
            changed = {name: value for name, value, old in zip(names, row, stored[key])
                       if value != old and not (name == "pseudonym" and value == "")}  # a link made later stays
            if changed:
                UsageEvent.objects.filter(event_key=key).update(**changed)
                self.summary.updated += 1
            else:
                self.summary.duplicates += 1
        return new


def _row_fields(model):
    """The columns a row holds, in the model's field order (the primary key left to the database)."""
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _stored_keys(model, keys):
    """Which of the keys are stored already, asked in plain SQL: the ORM prepared each of a batch's keys as a
    lookup value, a tenth of an import's time when (as on a first import) none is found."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT event_key FROM {table} WHERE event_key IN ({', '.join(['%s'] * len(keys))})", keys)
        return [key for (key,) in cursor.fetchall()]


def _insert_ignoring_conflicts(model, rows):
    """INSERT ... ON CONFLICT (event_key) DO NOTHING as one executemany (SQLite >= 3.24 and PostgreSQL); rows inserted.

    bulk_create compiles SQL for every ~140 rows on SQLite (999 parameters) and preparing each value
    through the ORM took most of an import's time; here only datetimes are adapted, and a datetime
    shared by consecutive rows (an Ollama log's second) only once.
    """
    fields = _row_fields(model)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT (event_key) DO NOTHING"
    rows = list(rows)
    for position in [index for index, field in enumerate(fields) if isinstance(field, DateTimeField)]:
        rows = _adapt_column(rows, position, connection.ops.adapt_datetimefield_value)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return cursor.rowcount  # the sum over all rows, duplicates counting 0, on both databases


def _adapt_column(rows, position, adapt):
    adapted_rows, last, adapted = [], object(), None
    for row in rows:
        value = row[position]
        if value is not last:
            last, adapted = value, adapt(value)
        adapted_rows.append((*row[:position], adapted, *row[position + 1:]))
    return adapted_rows


def parse_since(text):
    """--since as an aware datetime: a date (midnight in settings.TIME_ZONE) or an ISO 8601 date and time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since: expected a date like 2025-09-01 or 2025-09-01T08:00, got {text!r}") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def platform_summary(wave):
    """The platform in the wave's usage window, for reports: a JSON-serializable dict, keys in a fixed order.

    Keys are documented in docs/platform-logs.md ("Platform summary"): window, daily,
    weekly_active_users, monthly_active_users, totals, costs.
    """
    from platform_logs.summary import summarize  # pandas is loaded only here: imports stay lean

    return summarize(wave)


__all__ = ["ImportFormatError", "ImportSummary", "import_source", "link_accounts", "parse_since", "platform_summary"]
