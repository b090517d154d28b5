"""What leaves with a report: no respondent's free text in the assets, owner-only files, no fetching from outside
the bundle."""

import csv
import http.server
import stat
import threading

import pytest
from django.db import transaction
from django.test import override_settings
from weasyprint import HTML

from platform_logs.privacy_scan import scan_files
from reports.assets import write_csv
from reports.render import BundleFetcher
from reports.services import build_report
from reports.tables import Table
from surveys.demo import load_demo
from surveys.models import Answer
from tests.reports.conftest import DEMO_PLAN, demo_key_file

PLANTED_TEXTS = ["Bitte Frau Dr. Anna Schmidt anrufen", "Kontakt: anna.schmidt@klinikum.example",
                 "Telefon 030 1234 5678 jederzeit"]
CANARIES = ["Anna Schmidt", "klinikum.example", "1234 5678"]
# The demo study's published contact addresses (information text): no respondent's data.
CONTACT_ADDRESSES = ["ki-umfrage@example.org", "datenschutz@example.org"]


@pytest.fixture(scope="module")
def report_with_planted_free_text(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's publication report after respondents wrote a name, an e-mail and a phone number into free text.

    Built once for the module inside a transaction that is rolled back (as conftest's demo_reports)."""
    out = tmp_path_factory.mktemp("private") / "reports" / "publication.pdf"
    with django_db_blocker.unblock(), override_settings(UPTAKE_ANALYSIS_PLAN=DEMO_PLAN,
                                                        UPTAKE_PSEUDONYM_KEY_FILE=demo_key_file(tmp_path_factory)), \
            transaction.atomic():
        wave = load_demo().wave
        for number, answer in enumerate(Answer.objects.filter(response__wave=wave, item="use_cases")[:12]):
            answer.value, answer.other_text = [*answer.value, "other"], PLANTED_TEXTS[number % 3]
            answer.save()
        for number, answer in enumerate(Answer.objects.filter(response__wave=wave, item="wishes")):
            answer.value = f"{answer.value} {PLANTED_TEXTS[number % 3]}"
            answer.save()
        built = build_report(wave, "publication", "en", out)
        transaction.set_rollback(True)
    return built


@pytest.mark.django_db
def test_no_free_text_of_respondents_is_in_the_report_its_manuscript_or_its_assets(report_with_planted_free_text):
    built = report_with_planted_free_text
    written = {path.name for path in built.pdf.parent.iterdir()}

    assert {"publication.pdf", "publication.docx"} <= written and (built.assets / "results.json").exists()
    # the PDF's and the Word manuscript's text as read, every asset, the analysis log
    assert scan_files([built.pdf.parent], CANARIES, allowed=CONTACT_ADDRESSES) == []


@pytest.mark.django_db
def test_reports_and_their_assets_are_readable_by_their_owner_only(report_with_planted_free_text):
    built = report_with_planted_free_text
    files = [built.pdf] + [path for path in built.assets.rglob("*") if path.is_file()]
    directories = [built.pdf.parent, built.assets] + [path for path in built.assets.rglob("*") if path.is_dir()]

    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert {stat.S_IMODE(path.stat().st_mode) for path in directories} == {0o700}


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_rendering_fetches_nothing_from_outside_the_bundle(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', encoding="utf-8")
    html = (f'<img src="http://127.0.0.1:{server.server_port}/beacon.png"><img src="file:///etc/passwd">'
            '<img src="../outside.svg"><img src="figure.svg">')
    fetched = []
    fetcher = BundleFetcher(tmp_path)
    original = fetcher.fetch

    def recording(url, headers=None):
        response = original(url, headers)
        fetched.append(url)
        return response

    fetcher.fetch = recording
    try:
        HTML(string=html, base_url=str(tmp_path), url_fetcher=fetcher).write_pdf(tmp_path / "out.pdf")
    finally:
        server.shutdown()

    assert _Recorder.requests == []
    assert fetched == [(tmp_path / "figure.svg").as_uri()]


def test_the_fetcher_refuses_files_outside_the_bundle(tmp_path):
    with pytest.raises(ValueError, match="inside its bundle only"):
        BundleFetcher(tmp_path).fetch("file:///etc/passwd")


def test_report_table_csvs_write_formula_text_as_text(tmp_path):
    table = Table("t", "Title", ["Answer", "n"], [['=HYPERLINK("http://x","click")', "<5"], ["@SUM(A1)", "-1"]])

    write_csv(table, tmp_path / "t.csv")

    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["Answer", "n"], ['\'=HYPERLINK("http://x","click")', "<5"], ["'@SUM(A1)", "-1"]]
