"""What every importer shares: the error it raises, the markers it yields, and small parsers.

An importer is a module with `read(source, context)`: a generator over one source (a path, a
URL or a binary stream) yielding unsaved model instances (UsageEvent, PlatformRequest,
PlatformAccount), `SKIPPED` for a record that is fine but kept out (before --since, a login
type we do not count, a tolerated truncated line), or `Invalid(error)` for a bad record the
caller may skip. A source that is not of the expected format at all raises ImportFormatError.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from platform_logs.models import FEATURES

EXCERPT_LENGTH = 60


class ImportFormatError(Exception):
    """The source, where in it, and what was expected there."""

    def __init__(self, source, location, expected, got=None):
        self.source, self.location, self.expected = source, location, expected
        where = f"{source} {location}" if location else str(source)
        message = f"{where}: expected {expected}"
        if got is not None:
            message += f", got {excerpt(got)!r}"
        super().__init__(message)


@dataclass(frozen=True)
class Invalid:
    error: ImportFormatError


SKIPPED = object()


@dataclass
class ImportContext:
    """What an importer may know about the run: the source's name, --since, and the cursor it may advance."""

    source_label: str
    since: datetime | None = None
    cursor: dict = field(default_factory=dict)


def excerpt(value):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "..."


def source_name(source):
    """How messages name a source: the file's name, never a stream's contents."""
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) and Path(source.name).name or "<stream>"


def is_url(source):
    return isinstance(source, str) and "://" in source


def label(source):
    """How a source is named in messages and import runs: a database URL without its credentials,
    a file's full path, a stream's name. The same source imported again finds its cursor by it."""
    if is_url(source):
        parts = urlsplit(source)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"
    if isinstance(source, (str, Path)):
        return str(Path(source).resolve())
    return source_name(source)


def connect_postgres(url, name):
    """A read-only PostgreSQL session (the importer never writes to a platform's database)."""
    import psycopg  # only the PostgreSQL sources need it

    try:
        connection = psycopg.connect(url)
    except psycopg.Error as error:
        raise ImportFormatError(name, "", "a reachable PostgreSQL database", str(error).strip()) from None
    connection.read_only = True
    return connection


def open_binary(source):
    """A binary stream for a path or an already open stream; a missing or unreadable file is an ImportFormatError."""
    if not isinstance(source, (str, Path)):
        return source
    try:
        return open(source, "rb")
    except OSError as error:
        raise ImportFormatError(source_name(source), "", "a readable file", error.strerror) from None


def numbered_lines(stream, name):
    """(line number, text) for each line, decoded as UTF-8; an undecodable line is an Invalid record."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, Invalid(ImportFormatError(name, f"line {number}", "UTF-8 text", raw[:EXCERPT_LENGTH]))


def text_stream(source, name):
    """A strictly decoding UTF-8 text stream (a leading byte-order mark is dropped)."""
    return io.TextIOWrapper(open_binary(source), encoding="utf-8-sig", errors="strict", newline="")


# Epoch values arrive in seconds, milliseconds, microseconds or nanoseconds depending on the
# system and its version; the magnitude tells which (seconds stay below 1e11 until the year 5138).
_EPOCH_DIVISORS = ((1e17, 1e9), (1e14, 1e6), (1e11, 1e3), (0, 1))


def epoch_to_datetime(value):
    """An aware UTC datetime from epoch seconds/ms/µs/ns; None if it is not a plausible epoch."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d+(\.\d+)?", value):
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    for threshold, divisor in _EPOCH_DIVISORS:
        if number >= threshold:
            number /= divisor
            break
    if not 946_684_800 <= number < 4_102_444_800:  # 2000-01-01 .. 2100-01-01
        return None
    return datetime.fromtimestamp(number, tz=UTC)


def parse_timestamp(value):
    """An aware datetime from an epoch number or an ISO 8601 string with offset; None otherwise."""
    moment = epoch_to_datetime(value)
    if moment is not None or not isinstance(value, str):
        return moment
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment


def non_negative_int(value):
    """A token count as an int, or None when absent or not a count."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


def feature_list(found):
    """The stored form of a set of feature names: sorted, comma-separated, "chat" when empty."""
    names = sorted(name for name in found if name in FEATURES and name != "chat")
    return ",".join(names) or "chat"


def is_after_since(moment, context):
    return context.since is None or moment >= context.since


class _Prefixed(io.RawIOBase):
    """A stream that returns `head` first and then the rest of `stream` (to look at a file's start without seeking)."""

    def __init__(self, head, stream):
        self._head, self._stream = head, stream

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count], self._head = self._head[:count], self._head[count:]
            return count
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def json_array_items(source, expected):
    """Each element of a top-level JSON array, parsed incrementally so memory stays flat; bad JSON raises with the element's index."""
    import ijson  # only the JSON export importers need it

    name = source_name(source)
    stream = open_binary(source)
    try:
        head = stream.read(65536)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if not head.lstrip(b" \t\r\n").startswith(b"["):
            raise ImportFormatError(name, "start", f"a JSON array of {expected}", head.lstrip()[:EXCERPT_LENGTH])
        index = 0
        try:
            for index, item in enumerate(ijson.items(_Prefixed(head, stream), "item", use_float=True), start=1):
                yield index, item
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as error:
            raise ImportFormatError(name, f"record {index + 1}", f"valid UTF-8 JSON ({expected})", str(error)) from None
    finally:
        if stream is not source:
            stream.close()
