"""Questionnaire files that lie about their size are refused by import_instrument in one line naming file
and place, in bounded time and memory, before any database is touched; a sheet's declared size is never
believed."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Instrument
from surveys.services import convert_questionnaire

from .hostile_files import HOSTILE, dimension_lie

# The child imports each file with the command (or, for the dimension lie, only reads it: the read is what the
# lie attacks, and storing needs a migrated database) against a database that has no tables, so a file that
# reached the database would fail differently. It reports seconds per file and its own peak memory (VmHWM, KiB).
CHILD = """
import json, sys, time, django
django.setup()
from django.core.management import CommandError, call_command
from surveys.services import convert_questionnaire
outcomes = []
for path in sys.argv[1:]:
    started = time.monotonic()
    try:
        if path.endswith("dimension_lie.xlsx"):
            outcome = "read %d pages" % len(convert_questionnaire(path)[1]["pages"])
        else:
            call_command("import_instrument", path)
            outcome = "imported"
    except CommandError as error:
        outcome = str(error)
    outcomes.append([path, outcome, time.monotonic() - started])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"outcomes": outcomes, "peak_kib": int(peak)}))
"""


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_by_the_command_in_one_line_naming_file_and_place(tmp_path, name):
    build, expected = HOSTILE[name]
    path = build(tmp_path)

    with pytest.raises(CommandError) as refused:
        call_command("import_instrument", str(path))

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(str(path)) and expected in message
    assert not Instrument.objects.exists()


def test_hostile_files_are_refused_within_ten_seconds_and_500_mb_without_touching_the_database(tmp_path):
    paths = [build(tmp_path) for build, _expected in HOSTILE.values()] + [dimension_lie(tmp_path)]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, paths)], capture_output=True, text=True, timeout=300,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin",
             "DATABASE_URL": f"sqlite:///{tmp_path / 'no-tables.sqlite3'}"},
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)

    for (path, outcome, seconds), (_build, expected) in zip(report["outcomes"], [*HOSTILE.values(), (None, "read 1 pages")]):
        assert expected in outcome, (path, outcome)
        assert seconds < 10, (path, seconds)  # the bound; each takes well under a second on an idle machine
    assert report["peak_kib"] < 500 * 1024


def test_a_sheet_that_declares_a_million_rows_is_read_as_the_rows_it_holds(tmp_path):
    _spec, definition, report = convert_questionnaire(dimension_lie(tmp_path))

    assert [item["code"] for page in definition["pages"] for item in page["items"]] == ["age"]
    assert report.items == {"number": 1}


def test_the_size_limit_is_a_setting(tmp_path, settings):
    path = tmp_path / "small.yaml"
    path.write_text("code: x\n" + "# padding\n" * 200, encoding="utf-8")
    settings.UPTAKE_UPLOAD_MAX_BYTES = 1000

    with pytest.raises(CommandError, match=r"small.yaml: 2008 bytes is larger than the limit of 1000 bytes"):
        call_command("import_instrument", str(path))
