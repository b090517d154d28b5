"""The import commands in docs/platform-logs.md, run as written on the upstream-made files, import everything."""

import re
import shlex
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from platform_logs.models import PlatformRequest, UsageEvent

from .builders import UPSTREAM, UPSTREAM_FILES

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "platform-logs.md"


def documented_imports():
    return [shlex.split(line)[3:] for line in re.findall(r"^python manage\.py import_logs .*$", DOCS.read_text(), re.M)
            if "/" not in line]  # the section "Copying each source safely" names files in the working directory


def test_the_documented_commands_import_every_upstream_file(tmp_path, monkeypatch, capsys):
    commands = documented_imports()
    assert {arguments[0] for arguments in commands} == set(UPSTREAM_FILES)
    for kind, file_name, *options in commands:
        shutil.copyfile(UPSTREAM / UPSTREAM_FILES[kind], tmp_path / file_name)
    monkeypatch.chdir(tmp_path)

    for arguments in commands:
        call_command("import_logs", *arguments)

    out = capsys.readouterr().out
    assert "invalid" not in out
    # 14 messages and 2 ratings from Open WebUI (database and exports share keys), 7 LiteLLM requests,
    # 3 logins to Open WebUI; 16 Ollama requests.
    assert UsageEvent.objects.count() == 14 + 2 + 7 + 3
    assert PlatformRequest.objects.count() == 16
