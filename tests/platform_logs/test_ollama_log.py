import io

import pytest

from platform_logs.importers.ollama_log import parse_go_duration
from platform_logs.models import PlatformRequest
from platform_logs.services import ImportFormatError, import_source

from .builders import gin_line, sample

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "seconds"), [
    ("13.607634s", 13.607634), ("838.1647ms", 0.8381647), ("45.12µs", 45.12e-6), ("45.12μs", 45.12e-6),
    ("1m24s", 84.0), ("1h2m3.5s", 3723.5), ("100ns", 1e-7), ("0s", 0.0),
])
def test_go_durations_in_every_unit_become_seconds(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "13.6xs", "s", "1m24", "abc", "-1s", "nans", "infs", "1.2.3s", "²s", "1e5s"])
def test_anything_else_is_not_a_duration(text):
    assert parse_go_duration(text) is None


def test_sample_log_stores_each_request_line_and_tolerates_the_truncated_one():
    summary = import_source("ollama-log", sample("ollama-log"))

    assert (summary.read, summary.stored, summary.skipped, summary.invalid) == (24, 23, 1, 0)
    assert PlatformRequest.objects.filter(path="/api/chat", method="POST").count() == 22
    tags = PlatformRequest.objects.get(path="/api/tags")
    assert tags.latency_seconds == pytest.approx(45.12e-6)
    assert PlatformRequest.objects.filter(latency_seconds=84.0).count() == 1


def test_reimporting_the_log_stores_nothing_twice():
    import_source("ollama-log", sample("ollama-log"))
    again = import_source("ollama-log", sample("ollama-log"))

    assert (again.stored, again.duplicates) == (0, 23)
    assert PlatformRequest.objects.count() == 23


def test_request_keys_follow_the_log_time_so_the_unique_index_grows_at_its_end():
    log = "\n".join(gin_line(when=f"2025/09/08 - 12:41:{second:02d}") for second in (31, 32, 40)) + "\n"

    import_source("ollama-log", io.BytesIO(log.encode()))

    keys = list(PlatformRequest.objects.order_by("occurred_at").values_list("event_key", flat=True))
    assert keys == sorted(keys) and {len(key) for key in keys} == {64}
    assert keys[0].startswith(f"{1757335291:08x}")  # 2025-09-08 12:41:31 UTC in epoch seconds


def test_identical_lines_in_one_second_are_separate_requests():
    log = "\n".join([gin_line(latency="1.5s")] * 3 + [gin_line(when="2025/09/08 - 12:41:32", latency="1.5s")]) + "\n"

    summary = import_source("ollama-log", io.BytesIO(log.encode()))

    assert summary.stored == 4


def test_times_are_read_in_the_ollama_time_zone(settings):
    settings.UPTAKE_OLLAMA_TIME_ZONE = "Europe/Berlin"
    import_source("ollama-log", io.BytesIO(gin_line(when="2025/09/08 - 12:41:31").encode()))

    assert PlatformRequest.objects.get().occurred_at.isoformat() == "2025-09-08T10:41:31+00:00"


def test_journald_prefixes_colour_codes_and_query_strings_are_handled():
    lines = [
        "Sep 08 12:41:31 gpu1 ollama[812]: " + gin_line(path="/api/chat?user=someone"),
        "[GIN] 2025/09/08 - 12:41:33 |\x1b[97;41m 500 \x1b[0m|     1.2s |  ::1 |\x1b[97;46m POST    \x1b[0m \"/api/generate\"",
    ]
    import_source("ollama-log", io.BytesIO("\n".join(lines).encode()))

    assert sorted(PlatformRequest.objects.values_list("path", "status")) == [("/api/chat", 200), ("/api/generate", 500)]


def test_a_malformed_request_line_stops_the_import_naming_line_and_expectation():
    log = "\n".join([gin_line(), gin_line(latency="13.6xs"), gin_line()])

    with pytest.raises(ImportFormatError, match=r"^bad.log line 2: expected a latency like .*, got text of 6 characters$"):
        import_source("ollama-log", _named(log, "bad.log"))
    assert PlatformRequest.objects.count() == 0


def test_skip_invalid_counts_bad_lines_and_keeps_the_good_ones():
    log = "\n".join([gin_line(), gin_line(latency="13.6xs"), gin_line(when="2025/09/08 - 12:41:32"), "[GIN] caf\xe9"])
    raw = log.encode("utf-8").replace("caf\xe9".encode(), b"caf\xe9")  # the last line is not UTF-8

    summary = import_source("ollama-log", io.BytesIO(raw), skip_invalid=True)

    assert (summary.stored, summary.invalid) == (2, 2)
    assert "line 2" in summary.problems[0] and "line 4: expected UTF-8 text" in summary.problems[1]


def test_a_file_that_is_not_an_ollama_log_is_refused():
    with pytest.raises(ImportFormatError, match="line 1: expected an Ollama server log"):
        import_source("ollama-log", sample("litellm-spendlogs"))


def test_a_missing_file_is_named():
    with pytest.raises(ImportFormatError, match="nowhere.log: expected a readable file"):
        import_source("ollama-log", "/nonexistent/nowhere.log")


def _named(text, name):
    stream = io.BytesIO(text.encode())
    stream.name = name
    return stream
