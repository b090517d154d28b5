"""Figures as SVG and PNG, byte-stable for identical inputs.

Uses the object-oriented Matplotlib API with the Agg canvas (no pyplot, no global
backend switch); SVG ids come from a fixed `svg.hashsalt` and the date/software
metadata is left out of both formats, so reruns write identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STABLE = {"svg.hashsalt": "uptake-analysis", "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9}
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
FOOTNOTE = "Cells with fewer than {t} responses are suppressed (not drawn)."


def _numeric(values) -> pd.Series:
    return pd.to_numeric(pd.Series(values), errors="coerce").fillna(0.0)


def likert_chart(table: pd.DataFrame, title: str, threshold: int) -> Figure:
    """Stacked horizontal bars: percent of valid answers per level, one bar per item."""
    valid = table[table["kind"] == "valid"]
    variables = list(dict.fromkeys(valid["variable"]))
    levels = sorted(valid["value"].unique())
    fig = Figure(figsize=(7, 0.5 * len(variables) + 1.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colours = matplotlib.colormaps["RdYlBu"]
    left = pd.Series(0.0, index=variables)
    for i, level in enumerate(levels):
        part = valid[valid["value"] == level].set_index("variable").reindex(variables)
        width = _numeric(part["percent"].where(~part["suppressed"].fillna(False).astype(bool), 0)).to_numpy()
        label = str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else f"{level:g}"
        ax.barh(variables, width, left=left.to_numpy(), color=colours(i / max(len(levels) - 1, 1)), label=label)
        left += width
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of valid answers")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=min(len(levels), 5), fontsize=7, frameon=False)
    fig.text(0.01, 0.01, FOOTNOTE.format(t=threshold), fontsize=6)
    fig.tight_layout()
    return fig


def bar_chart(table: pd.DataFrame, title: str, threshold: int) -> Figure:
    """Horizontal bars of percent selected per option; suppressed options labelled '<t'."""
    labels = table["option"].astype(str).tolist()
    suppressed = table["suppressed"].astype(bool).to_numpy()
    width = _numeric(table["percent"].where(~table["suppressed"].astype(bool), 0)).to_numpy()
    fig = Figure(figsize=(7, 0.35 * len(labels) + 1.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.barh(labels, width, color="#3b6ea5")
    for y, (w, hidden) in enumerate(zip(width, suppressed)):
        ax.text(w + 1, y, f"<{threshold}" if hidden else f"{w:.0f}%", va="center", fontsize=7)
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of respondents who answered the item")
    ax.invert_yaxis()
    ax.set_title(title)
    fig.text(0.01, 0.01, FOOTNOTE.format(t=threshold), fontsize=6)
    fig.tight_layout()
    return fig


def save_figure(spec: dict, directory: Path, threshold: int) -> list[str]:
    """Render one figure spec to `<name>.svg` and `<name>.png`; returns the file names."""
    with matplotlib.rc_context(STABLE):
        draw = likert_chart if spec["kind"] == "likert" else bar_chart
        fig = draw(spec["table"], spec["title"], threshold)
        svg, png = directory / f"{spec['name']}.svg", directory / f"{spec['name']}.png"
        fig.savefig(svg, format="svg", metadata=SVG_METADATA)
        fig.savefig(png, format="png", dpi=150, metadata=PNG_METADATA)
    return [svg.name, png.name]
