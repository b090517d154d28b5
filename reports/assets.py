"""Journal-ready files next to the PDF: each figure as SVG, PDF and PNG (300 dpi), each table as CSV and LaTeX.

On request figures also come as TIFF (600 dpi, what journals ask for line art with text) and EPS,
both made from the figure's vector PDF by poppler (pdftoppm, pdftops).

Tables are written exactly as printed (suppressed cells keep their marker; a text cell a spreadsheet
would run as a formula starts with '). The PNG is rasterised from the figure's PDF with poppler's
pdftoppm, as an uncompressed PPM that Pillow then writes as PNG (pdftoppm's own PNG output spent two
thirds of its time in libpng's filter search, for files about as large); without pdftoppm the PNG is
skipped and a note says so. Every file is readable by its owner only.
"""

import csv
import shutil
import subprocess
from pathlib import Path

from analysis.pipeline.io import PRIVATE_FILE, open_private, private_directory, spreadsheet_safe
from reports.facts import Figure
from reports.tables import Table

PNG_DPI = 300
TIFF_DPI = 600
FIGURE_FORMATS = ("tiff", "eps")
LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
                 ">": r"\textgreater{}"}


def export_assets(bundle, document, directory, figure_formats=()):
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    private_directory(directory / "figures")
    private_directory(directory / "tables")
    directory.chmod(0o700)
    poppler = Poppler()
    for item in _walk(document):
        if isinstance(item, Table):
            stem = directory / "tables" / f"table_{item.number:02d}_{item.key}"
            write_csv(item, stem.with_suffix(".csv"))
            with open_private(stem.with_suffix(".tex"), "w", encoding="utf-8") as handle:
                handle.write(latex(item))
        elif isinstance(item, Figure):
            for command, finish in export_figure(bundle.directory / item.src,
                                                 directory / "figures" / f"figure_{item.number:02d}_{item.key}",
                                                 figure_formats):
                poppler.run(command, finish)
    poppler.wait()
    for name in ("results.json", "context.json"):
        if (bundle.directory / name).exists():
            shutil.copyfile(bundle.directory / name, directory / name)
    for path in directory.rglob("*"):
        if path.is_file():
            path.chmod(PRIVATE_FILE)
    return directory


def _walk(value):
    """Tables and figures anywhere in the template context, each once, in document order."""
    seen = set()
    stack = [value]
    found = []
    while stack:
        item = stack.pop(0)
        if isinstance(item, (Table, Figure)):
            if id(item) not in seen and item.number:
                seen.add(id(item))
                found.append(item)
        elif isinstance(item, dict):
            stack[:0] = list(item.values())
        elif isinstance(item, (list, tuple)):
            stack[:0] = list(item)
    return found


def write_csv(table, path):
    with open_private(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([spreadsheet_safe(cell) for cell in table.columns])
        writer.writerows([spreadsheet_safe(cell) for cell in row] for row in table.rows)


def _tex(text):
    return "".join(LATEX_SPECIAL.get(char, char) for char in str(text))


def latex(table):
    """A booktabs table with the APA title as caption and the notes below."""
    align = "".join("r" if i in table.numeric else "l" for i in range(len(table.columns)))
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{_tex(table.title)}}}",
             rf"\begin{{tabular}}{{{align}}}", r"\toprule", " & ".join(_tex(c) for c in table.columns) + r" \\", r"\midrule"]
    lines += [" & ".join(_tex(cell) for cell in row) + r" \\" for row in table.rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    if table.notes:
        lines.append(r"\par\smallskip{\footnotesize\textit{Note.} " + _tex(" ".join(table.notes)) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def export_figure(svg, stem, figure_formats=()):
    """<stem>.svg (as in the report), <stem>.pdf (vector, as matplotlib wrote it), <stem>.png (300 dpi) and, when
    asked, <stem>.tif (600 dpi, LZW) and <stem>.eps.

    Returns the poppler commands still to run, each with what is left to do once it has finished (or None);
    empty without poppler."""
    shutil.copyfile(svg, stem.with_suffix(".svg"))
    pdf = stem.with_suffix(".pdf")
    shutil.copyfile(svg.with_suffix(".pdf"), pdf)
    if not shutil.which("pdftoppm"):
        return []
    commands = [(["pdftoppm", "-r", str(PNG_DPI), "-singlefile", str(pdf), str(stem)], lambda: write_png(stem))]
    if "tiff" in figure_formats:
        commands.append((["pdftoppm", "-tiff", "-tiffcompression", "lzw", "-r", str(TIFF_DPI), "-singlefile", str(pdf),
                          str(stem)], None))
    if "eps" in figure_formats:
        commands.append((["pdftops", "-eps", str(pdf), str(stem.with_suffix(".eps"))], None))
    return commands


class Poppler:
    """Poppler's commands one at a time, each running while the journal files go on with the next table or figure.

    The journal files are written beside WeasyPrint laying out the report (reports/render.py), one process on
    each of two cores: starting every figure's pdftoppm at once put seventeen processes on those two cores and
    held the report's own layout back."""

    def __init__(self):
        self.running = None  # (process, what to do once it has finished or None)

    def run(self, command: list[str], finish=None) -> None:
        self.wait()
        self.running = (subprocess.Popen(command), finish)

    def wait(self) -> None:
        if self.running is None:
            return
        (process, finish), self.running = self.running, None
        if process.wait() != 0:
            raise RuntimeError(f"{process.args[0]} failed for {process.args[-2]}")
        if finish is not None:
            finish()


def write_png(stem):
    """<stem>.png (300 dpi) from the <stem>.ppm pdftoppm wrote; the PPM is removed."""
    from PIL import Image

    ppm = stem.with_suffix(".ppm")
    with Image.open(ppm) as image:
        image.save(stem.with_suffix(".png"), "PNG", dpi=(PNG_DPI, PNG_DPI))
    ppm.unlink()
