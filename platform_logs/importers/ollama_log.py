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
from zoneinfo import ZoneInfo

from django.conf import settings

from platform_logs.identity import event_key
from platform_logs.models import PlatformRequest

from .base import SKIPPED, ImportFormatError, Invalid, numbered_lines, open_binary, source_name

SOURCE = "ollama"
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


def parse_go_duration(text):
    """Seconds in a Go duration string (`13.607634s`, `838.1647ms`, `45.12µs`, `1m24s`, `1h2m3s`); None if not one."""
    position, seconds = 0, 0.0
    for part in DURATION_PART.finditer(text):
        if part.start() != position:
            return None
        seconds += float(part.group(1)) * UNIT_SECONDS[part.group(2)]
        position = part.end()
    return seconds if position == len(text) and position > 0 else None


def read(source, context):
    name = source_name(source)
    zone = ZoneInfo(getattr(settings, "UPTAKE_OLLAMA_TIME_ZONE", "UTC"))
    recognized, first_line, nonempty_seen = False, None, 0
    current_second, repeats, occurred_at = None, {}, None
    stream = open_binary(source)
    try:
        for number, line in numbered_lines(stream, name):
            if isinstance(line, Invalid):
                if not recognized:
                    raise line.error
                yield line
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
                    first_line = first_line or (number, line)
                    nonempty_seen += 1
                    if nonempty_seen >= LINES_TO_RECOGNIZE and not recognized:
                        raise _not_an_ollama_log(name, first_line)
                continue
            recognized = True
            request_line = line[start:]
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
            # Identical lines within one second are different requests: number them so each keeps its key.
            occurrence = repeats[request_line] = repeats.get(request_line, -1) + 1
            request = _request(match, request_line, occurrence, occurred_at, name, number)
            if isinstance(request, Invalid):
                yield request
            elif context.since is not None and request.occurred_at < context.since:
                yield SKIPPED
            else:
                yield request
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


def _request(match, request_line, occurrence, occurred_at, name, number):
    status, latency, method, path = match.groups()[6:]
    latency_seconds = parse_go_duration(latency)
    if latency_seconds is None:
        return Invalid(ImportFormatError(name, f"line {number}", "a latency like 13.6s, 838ms, 45µs or 1m24s", latency))
    if occurred_at is None:
        return Invalid(ImportFormatError(name, f"line {number}", "a valid date and time", request_line[6:27]))
    status = int(status)
    if not 100 <= status <= 599:
        return Invalid(ImportFormatError(name, f"line {number}", "an HTTP status from 100 to 599", str(status)))
    return PlatformRequest(
        event_key=event_key(SOURCE, f"{request_line}#{occurrence}"),
        occurred_at=occurred_at,
        status=status,
        latency_seconds=latency_seconds,
        method=method[:10],
        path=path.split("?", 1)[0][:200],  # a query string could carry anything: drop it
    )


def _not_an_ollama_log(name, first_line):
    number, line = first_line
    return ImportFormatError(name, f"line {number}", f"an Ollama server log ({EXPECTED_LINE} or a 'time=... level=...' record)", line)
