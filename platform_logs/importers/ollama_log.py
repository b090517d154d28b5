"""Ollama server log: one PlatformRequest per Gin request line, nothing about who sent it.

A request line looks like
    [GIN] 2025/09/08 - 12:41:31 | 200 |     13.607634s |      172.18.0.5 | POST     "/api/chat"
(possibly after a journald prefix). Everything else in the log (`time=... level=...` records,
older `2024/07/01 10:00:00 routes.go:...` lines, llama.cpp output) is noise to us. The client
address is dropped. Times are the server's local time without a zone: we read them in
settings.UPTAKE_OLLAMA_TIME_ZONE, UTC unless set (Ollama's container runs in UTC).
"""

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from platform_logs.identity import time_ordered_key_function
from platform_logs.models import PlatformRequest
from platform_logs.privacy_scan import has_identity

from .base import SKIPPED, ImportFormatError, Invalid, open_binary, source_name

SOURCE = "ollama"
ROW_MODEL = PlatformRequest
ROW_FIELDS = ("event_key", "occurred_at", "status", "latency_seconds", "method", "path")
EXPECTED_LINE = 'a Gin request line \'[GIN] YYYY/MM/DD - HH:MM:SS | status | latency | client | METHOD "path"\''
LINES_TO_RECOGNIZE = 50

GIN_LINE = re.compile(
    r"\[GIN\] (\d{4})/(\d\d)/(\d\d) - (\d\d):(\d\d):(\d\d) \|\s*(\d{3}) \|\s*(\S+) \|\s*\S* \|\s*([A-Z]+)\s+\"([^\"]*)\"\s*$"
)
ENDS_WITH_PATH = re.compile(r"\"[^\"]*\"\s*$")
OLLAMA_NOISE = re.compile(
    r"time=\S+ level=\w+|\d{4}/\d\d/\d\d \d\d:\d\d:\d\d |llama_|ggml_|load_tensors:|print_info:|llm_load_|"
    r"llama_model_loader:|Couldn't find '|Your new public key is"
)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|µs|μs|us|ns)")
UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "µs": 1e-6, "μs": 1e-6, "us": 1e-6, "ns": 1e-9}


# The common one-unit forms, parsed without a regex; anything else (1m24s, 1h2m3s) goes through DURATION_PART.
SUBSECOND_UNITS = {"ms": 1e-3, "µs": 1e-6, "μs": 1e-6, "us": 1e-6, "ns": 1e-9}
MAX_LATENCY_SECONDS = 1e7
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"})
# The paths Ollama serves (/api/chat, /v1/chat/completions, /v1/models/llama3.1:8b); the query is dropped before.
REQUEST_PATH = re.compile(r"/[A-Za-z0-9._:~/+-]{0,199}")


def parse_go_duration(text):
    """Seconds in a Go duration string (`13.607634s`, `838.1647ms`, `45.12µs`, `1m24s`, `1h2m3s`); None if not one."""
    factor = SUBSECOND_UNITS.get(text[-2:])
    number = text[:-2] if factor else text[:-1]
    if (factor or text[-1:] == "s") and number.isascii() and number.replace(".", "", 1).isdigit():
        seconds = float(number) * (factor or 1.0)
        return seconds if seconds < MAX_LATENCY_SECONDS else None
    position, seconds = 0, 0.0
    for part in DURATION_PART.finditer(text):
        if part.start() != position:
            return None
        seconds += float(part.group(1)) * UNIT_SECONDS[part.group(2)]
        position = part.end()
    return seconds if position == len(text) and position > 0 else None


def read(source, context):
    """PlatformRequest rows as plain tuples in ROW_FIELDS order (the hot path: no model instance per line)."""
    name = source_name(source)
    zone = ZoneInfo(getattr(settings, "UPTAKE_OLLAMA_TIME_ZONE", "UTC"))
    key = time_ordered_key_function(SOURCE)
    since = context.since
    recognized, first_line, nonempty_seen = False, None, 0
    current_second, repeats, occurred_at, epoch = None, {}, None, 0
    stream = open_binary(source)
    try:
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                error = ImportFormatError(name, f"line {number}", "UTF-8 text", raw)
                if not recognized:
                    raise error from None
                yield Invalid(error)
                continue
            if "\x00" in line:
                error = ImportFormatError(name, f"line {number}", "text without NUL bytes (is the file UTF-16?)")
                if not recognized:
                    raise error
                yield Invalid(error)
                continue
            start = line.find("[GIN] ")
            if start < 0:
                if not recognized and line.strip():
                    recognized = bool(OLLAMA_NOISE.search(line))
                    first_line = first_line or (number, line.rstrip("\r\n"))
                    nonempty_seen += 1
                    if nonempty_seen >= LINES_TO_RECOGNIZE and not recognized:
                        raise _not_an_ollama_log(name, first_line)
                continue
            recognized = True
            request_line = line[start:].rstrip("\r\n")
            if "\x1b[" in request_line:
                request_line = ANSI_ESCAPE.sub("", request_line)
            match = GIN_LINE.match(request_line)
            if match is None:
                if not ENDS_WITH_PATH.search(request_line):
                    yield SKIPPED  # a truncated line (the server stopped mid-write): tolerated
                    continue
                yield Invalid(ImportFormatError(name, f"line {number}", EXPECTED_LINE, request_line))
                continue
            stamp = request_line[6:27]
            if stamp != current_second:
                current_second, repeats, occurred_at = stamp, {}, _local_time(match, zone)
                epoch = int(occurred_at.timestamp()) if occurred_at else 0
            # Identical lines within one second are different requests: number them so each keeps its key.
            occurrence = repeats[request_line] = repeats.get(request_line, -1) + 1
            status, latency, method, path = match.group(7, 8, 9, 10)
            status, latency_seconds = int(status), parse_go_duration(latency)
            path = path.partition("?")[0]  # a query string could carry anything: only the path is kept
            if not is_request_path(path) or method not in HTTP_METHODS:
                yield Invalid(_invalid_target(name, number, method, path))
            elif latency_seconds is None or occurred_at is None or not 100 <= status <= 599:
                yield Invalid(_invalid_request(name, number, status, latency, occurred_at, request_line))
            elif since is not None and occurred_at < since:
                yield SKIPPED
            else:
                yield key(f"{request_line}#{occurrence}", epoch), occurred_at, status, latency_seconds, method, path
        if not recognized and first_line is not None:
            raise _not_an_ollama_log(name, first_line)
    finally:
        if stream is not source:
            stream.close()


def _local_time(match, zone):
    """The line's time in the server's zone; None for an impossible date such as 2025/02/30."""
    try:
        return datetime(*(int(part) for part in match.groups()[:6]), tzinfo=zone)
    except ValueError:
        return None


@lru_cache(maxsize=4096)  # a log repeats a few paths millions of times
def is_request_path(path):
    return REQUEST_PATH.fullmatch(path) is not None and not has_identity(path)


def _invalid_target(name, number, method, path):
    location = f"line {number}"
    if method not in HTTP_METHODS:
        return ImportFormatError(name, location, f"an HTTP method ({', '.join(sorted(HTTP_METHODS))})", method)
    return ImportFormatError(name, location, "a request path of letters, digits and ._:~/+- (at most 200 characters, "
                                             "no e-mail or IP address)", path)


def _invalid_request(name, number, status, latency, occurred_at, request_line):
    location = f"line {number}"
    if parse_go_duration(latency) is None:
        return ImportFormatError(name, location, "a latency like 13.6s, 838ms, 45µs or 1m24s", latency)
    if occurred_at is None:
        return ImportFormatError(name, location, "a valid date and time", request_line[6:27])
    return ImportFormatError(name, location, "an HTTP status from 100 to 599", str(status))


def _not_an_ollama_log(name, first_line):
    number, line = first_line
    return ImportFormatError(name, f"line {number}", f"an Ollama server log ({EXPECTED_LINE} or a 'time=... level=...' record)", line)
