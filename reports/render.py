"""Bundle directory -> HTML (Django templates) -> PDF (WeasyPrint), plus the journal assets.

Reads only the bundle (results.json, tables/, figures/, context.json), so a bundle kept
from an earlier run renders the same report again.
"""

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from reports import publication, strategy
from reports.assets import export_assets
from reports.bundle import Bundle
from reports.manuscript import write_manuscript

BUILDERS = {"publication": publication.document, "strategy": strategy.document}


@dataclass
class Rendered:
    pdf: Path
    assets: Path
    html: str
    manuscript: Path | None = None


def render_report(bundle_dir, kind, out_path, figure_formats=()):
    """Write the PDF to `out_path`, its figures and tables to `<out_path>.assets/` (figures also as TIFF/EPS
    when `figure_formats` asks), and for a publication report the Word manuscript beside the PDF."""
    bundle = Bundle.load(bundle_dir)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with translation.override(bundle.language):
        document = BUILDERS[kind](bundle)
        html = render_to_string(f"reports/{kind}.html", document)
    HTML(string=html, base_url=str(bundle.directory)).write_pdf(out_path)
    assets = out_path.with_name(out_path.name + ".assets")
    export_assets(bundle, document, assets, figure_formats)
    manuscript = None
    if kind == "publication":
        with translation.override(bundle.language):
            manuscript = write_manuscript(html, assets, out_path.with_suffix(".docx"), document["document_title"],
                                          bundle.language)
    return Rendered(out_path, assets, html, manuscript)
