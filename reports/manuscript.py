"""The publication report as a Word manuscript skeleton (.docx), since most medical journals take Word.

Built from the report's own HTML, so its text, tables and numbers are those of the PDF: chapters
become headings, tables become Word tables with the APA label and title above and the note below,
and figures are the 300 dpi PNGs of the journal assets. The instrument appendix is left out (it
is the PDF's, not the article's); placeholders mark what the authors write.
"""

from pathlib import Path

import lxml.html
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from django.utils.translation import gettext as _

from analysis.pipeline.io import open_private

FIGURE_WIDTH = Cm(15)
FONT = "DejaVu Sans"


def write_manuscript(html: str, assets: Path, out_path: Path, title: str, language: str) -> Path:
    """Write `out_path` (.docx) from the rendered report HTML and its assets directory."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(10)
    document.core_properties.title = title
    document.core_properties.language = language
    document.add_heading(title, level=0)
    document.add_paragraph(_("[Authors, affiliations and abstract: to be written by the authors.]"))
    tree = lxml.html.fromstring(html)
    for chapter in tree.xpath('//section[contains(@class, "chapter") and not(contains(@class, "instrument"))]'):
        for element in chapter:
            _add(document, element, assets)
    document.add_heading(_("Discussion"), level=1)
    document.add_paragraph(_("[To be written by the authors.]"))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(out_path, "wb") as handle:  # like the PDF: readable by its owner only
        document.save(handle)
    return out_path


def _add(document, element, assets):
    tag, classes = element.tag, (element.get("class") or "").split()
    if tag in ("h1", "h2", "h3"):
        document.add_heading(_text(element), level=int(tag[1]))
    elif tag == "p":
        document.add_paragraph(_text(element))
    elif tag in ("ul", "ol"):
        for item in element.xpath("./li"):
            document.add_paragraph(_text(item), style="List Bullet")
    elif tag == "figure":
        _add_figure(document, element, assets)
    elif tag == "div" and ("table-block" in classes or "block-free" in classes):
        _add_table_block(document, element)
    elif tag in ("div", "section"):
        for child in element:
            _add(document, child, assets)


def _add_table_block(document, block):
    for element in block:
        if element.tag == "table":
            _add_table(document, element)
        elif element.tag == "p":
            paragraph = document.add_paragraph()
            run = paragraph.add_run(_text(element))
            classes = element.get("class") or ""
            run.bold, run.italic = "label" in classes, "caption" in classes


def _add_table(document, table_element):
    rows = [[_text(cell) for cell in row.xpath("./th|./td")] for row in table_element.xpath(".//tr")]
    if not rows:
        return
    table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    table.style = "Table Grid"
    # A row's cells once per row: python-docx's table.cell(r, c) walks every cell of the table on each call.
    for r, (row, table_row) in enumerate(zip(rows, table.rows)):
        for cell, text in zip(table_row.cells, row):
            cell.text = text
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    document.add_paragraph()


def _add_figure(document, figure, assets):
    label = _text(figure.xpath('./p[contains(@class, "label")]')[0]) if figure.xpath('./p[contains(@class, "label")]') else ""
    number = "".join(ch for ch in label if ch.isdigit())
    for element in figure:
        if element.tag == "p":
            paragraph = document.add_paragraph()
            run = paragraph.add_run(_text(element))
            classes = element.get("class") or ""
            run.bold, run.italic = "label" in classes, "caption" in classes
        elif element.tag == "img" and number:
            picture = next(iter(sorted((assets / "figures").glob(f"figure_{int(number):02d}_*.png"))), None)
            if picture:
                document.add_picture(str(picture), width=FIGURE_WIDTH)
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _text(element):
    return " ".join(element.text_content().split())
