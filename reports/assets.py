"""Journal-ready files next to the PDF: each figure as SVG, PDF and PNG (300 dpi), each table as CSV and LaTeX.

On request figures also come as TIFF (600 dpi, what journals ask for line art with text) and EPS,
both made from the figure's vector PDF by poppler (pdftoppm, pdftops).

Tables are written exactly as printed (suppressed cells keep their marker). The PNG is rasterised
from the figure's PDF with poppler's pdftoppm; without it the PNG is skipped and a note says so.
"""

import csv
import shutil
import subprocess
from pathlib import Path


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
    (directory / "figures").mkdir(parents=True)
    (directory / "tables").mkdir(parents=True)
    rasterising = []
    for item in _walk(document):
        if isinstance(item, Table):
            stem = directory / "tables" / f"table_{item.number:02d}_{item.key}"
            write_csv(item, stem.with_suffix(".csv"))
            stem.with_suffix(".tex").write_text(latex(item), encoding="utf-8")
        elif isinstance(item, Figure):
            rasterising += export_figure(bundle.directory / item.src,
                                         directory / "figures" / f"figure_{item.number:02d}_{item.key}", figure_formats)
    for process in rasterising:  # poppler runs alongside the next figure's PDF
        if process.wait() != 0:
            raise RuntimeError(f"{process.args[0]} failed for {process.args[-2]}")
    for name in ("results.json", "context.json"):
        if (bundle.directory / name).exists():
            shutil.copyfile(bundle.directory / name, directory / name)
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
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)


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

    Returns the still running poppler processes (empty without poppler)."""
    shutil.copyfile(svg, stem.with_suffix(".svg"))
    pdf = stem.with_suffix(".pdf")
    shutil.copyfile(svg.with_suffix(".pdf"), pdf)
    if not shutil.which("pdftoppm"):
        return []
    commands = [["pdftoppm", "-png", "-r", str(PNG_DPI), "-singlefile", str(pdf), str(stem)]]
    if "tiff" in figure_formats:
        commands.append(["pdftoppm", "-tiff", "-tiffcompression", "lzw", "-r", str(TIFF_DPI), "-singlefile",
                         str(pdf), str(stem)])
    if "eps" in figure_formats:
        commands.append(["pdftops", "-eps", str(pdf), str(stem.with_suffix(".eps"))])
    return [subprocess.Popen(command) for command in commands]
