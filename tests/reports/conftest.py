import json
import re
import subprocess
import zlib
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from platform_logs.demo import load_demo_usage
from platform_logs.export import export_with_usage
from reports.services import build_report
from surveys.demo import load_demo

DEMO_PLAN = Path(__file__).resolve().parent / "demo_plan.yaml"


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_info(path):
    output = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in output.splitlines() if ":" in line) | {}


def pdf_objects(path):
    """The PDF's object text with compressed object streams inflated (where /Outlines and /Lang live)."""
    data = path.read_bytes()
    parts = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def demo_key_file(tmp_path_factory):
    """The tests' pseudonym key file, for module-scoped fixtures that run before the autouse one."""
    key_file = tmp_path_factory.getbasetemp() / "pseudonym.key"
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4 + "\n", encoding="ascii")
    return key_file


def build_demo_reports(django_db_blocker, tmp_path_factory, plan=DEMO_PLAN, with_usage=False, **site):
    """Both demo reports in both languages, built inside a transaction that is rolled back.

    Returns ({(kind, language): BuiltReport}, the export's linkage summary for the same data or None).
    `with_usage` also loads the demo platform logs (as `make demo` does); `site` overrides settings.
    """
    out = tmp_path_factory.mktemp("reports")
    built, linkage = {}, None
    with django_db_blocker.unblock(), override_settings(UPTAKE_PSEUDONYM_KEY_FILE=demo_key_file(tmp_path_factory),
                                                        UPTAKE_ANALYSIS_PLAN=plan, **site), transaction.atomic():
        wave = load_demo().wave
        if with_usage:
            load_demo_usage()
            linkage = json.loads(export_with_usage(wave, out / "export", "en").linkage.read_text(encoding="utf-8"))
        for kind, language in (("publication", "en"), ("strategy", "en"), ("publication", "de"), ("strategy", "de")):
            built[kind, language] = build_report(wave, kind, language, out / f"{kind}_{language}.pdf")
        transaction.set_rollback(True)
    return built, linkage


@pytest.fixture(scope="module")
def demo_reports(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo wave's reports (survey answers only), built once for the module: {(kind, language): BuiltReport}.

    Modules using it need `pytestmark = pytest.mark.django_db`, which is what makes pytest-django create the
    test database before this fixture runs.
    """
    return build_demo_reports(django_db_blocker, tmp_path_factory)[0]


DEFAULT_PLAN = Path(__file__).resolve().parents[2] / "analysis" / "plans" / "demo.yaml"


@pytest.fixture(scope="session")
def make_demo_reports(django_db_setup, django_db_blocker, tmp_path_factory):
    """The reports `make demo` builds, once per test run: demo answers, demo platform logs, the default plan,
    the demo site prices. ({(kind, language): BuiltReport}, linkage summary)."""
    return build_demo_reports(django_db_blocker, tmp_path_factory, plan=DEFAULT_PLAN, with_usage=True,
                              UPTAKE_ONPREM_EUR_PER_M_INPUT="0.30", UPTAKE_ONPREM_EUR_PER_M_OUTPUT="2.99",
                              UPTAKE_STAFF_COUNT=650)


@pytest.fixture
def demo_plan(settings):
    settings.UPTAKE_ANALYSIS_PLAN = DEMO_PLAN
    return DEMO_PLAN
