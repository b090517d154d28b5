"""Bundle directory -> HTML (Django templates) -> PDF (WeasyPrint), plus the journal assets.

Reads only the bundle (results.json, tables/, figures/, context.json), so a bundle kept
from an earlier run renders the same report again.
"""

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from analysis.pipeline.io import PRIVATE_FILE, private_directory
from analysis.pipeline.processes import die_with_parent

from reports import publication, strategy
from reports.analysis_log import write_analysis_log
from reports.assets import export_assets
from reports.bundle import Bundle
from reports.manuscript import write_manuscript

BUILDERS = {"publication": publication.document, "strategy": strategy.document}


@dataclass
class Rendered:
    pdf: Path
    assets: Path
    html: str
    manuscript: Path | None
    log: Path


def render_report(bundle_dir, kind, out_path, figure_formats=()):
    """Write the PDF to `out_path`, its figures and tables to `<out_path>.assets/` (figures also as TIFF/EPS
    when `figure_formats` asks), the analysis's messages to `<out_path>.analysis-log.txt`, and for a
    publication report the Word manuscript beside the PDF."""
    bundle = Bundle.load(bundle_dir)
    out_path = Path(out_path)
    private_directory(out_path.parent)
    with translation.override(bundle.language):
        document = BUILDERS[kind](bundle)
        html = render_to_string(f"reports/{kind}.html", document)
    assets = out_path.with_name(out_path.name + ".assets")
    journal_files = (bundle, kind, document, html, out_path, assets, figure_formats)
    journal = _start_process(write_journal_files, journal_files)
    HTML(string=html, base_url=str(bundle.directory), url_fetcher=BundleFetcher(bundle.directory)).write_pdf(out_path)
    out_path.chmod(PRIVATE_FILE)
    if journal is not None:
        journal.join()
    if journal is None or journal.exitcode != 0:  # no second process, or it failed or was killed: here, raising its error
        write_journal_files(*journal_files)
    manuscript = out_path.with_suffix(".docx") if kind == "publication" else None
    return Rendered(out_path, assets, html, manuscript, write_analysis_log(bundle, out_path))


def write_journal_files(bundle, kind, document, html, out_path, assets, figure_formats):
    """The assets (figures rasterised by poppler, tables as CSV/LaTeX), the claims ledger and, for a publication
    report, the Word manuscript: all made from the HTML and the bundle, none from the PDF."""
    export_assets(bundle, document, assets, figure_formats)
    if "ledger" in document:
        document["ledger"].write(assets / "claims.json")
    if kind == "publication":
        with translation.override(bundle.language):
            write_manuscript(html, assets, out_path.with_suffix(".docx"), document["document_title"], bundle.language)


def _start_process(target, args):
    """A forked process running `target(*args)`, or None where none can be started (no fork, a daemonic parent).

    The journal files and WeasyPrint are each CPU-bound Python for several seconds; on two cores they run
    side by side instead of one after the other."""
    try:
        process = multiprocessing.get_context("fork").Process(target=_with_parent, args=(os.getpid(), target, *args))
        process.start()
    except (OSError, ValueError, AssertionError):  # AssertionError: daemonic processes may not have children
        return None
    return process


def _with_parent(parent_pid, target, *args):
    die_with_parent(parent_pid)
    target(*args)


class BundleFetcher(URLFetcher):
    """Lets WeasyPrint read files inside the report bundle only (figures, the logo copied there) and data: URLs.

    A report is rendered from text that respondents and platforms wrote; a reference to
    http://... or file:///etc/passwd in it must not be fetched. Refused URLs raise ValueError,
    which WeasyPrint logs and renders without the resource.
    """

    def __init__(self, root):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file" and not Path(unquote(parts.path)).resolve().is_relative_to(self.root):
            raise ValueError(f"a report reads files inside its bundle only, not {parts.path}")
        return super().fetch(url, headers)
