"""Figures as SVG and PNG, byte-stable for identical inputs.

Uses the object-oriented Matplotlib API with the Agg canvas (no pyplot, no global
backend switch); SVG ids come from a fixed `svg.hashsalt` and the date/software
metadata is left out of both formats, so reruns write identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

STABLE = {"svg.hashsalt": "uptake-analysis", "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9}
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
FOOTNOTE = "Cells with fewer than {t} responses are suppressed (not drawn)."

# Colour-blind-safe colours. Bars: Okabe & Ito (2008) blue. Likert levels: ColorBrewer PuOr
# (Harrower & Brewer, 2003; marked colour-blind safe), whose lightness falls from the centre to
# both ends, so adjacent levels stay apart in greyscale and the two sides are told apart by
# their position left or right of zero. The neutral level is a mid grey.
BAR_COLOUR = "#0072B2"
NEUTRAL = "#bdbdbd"
PUOR = {
    2: ["#e66101", "#5e3c99"],
    3: ["#e66101", NEUTRAL, "#5e3c99"],
    4: ["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    5: ["#e66101", "#fdb863", NEUTRAL, "#b2abd2", "#5e3c99"],
    6: ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
    7: ["#b35806", "#f1a340", "#fee0b6", NEUTRAL, "#d8daeb", "#998ec3", "#542788"],
}
GRADE_SHADES = ("#f0f0f0", "#d9d9d9")  # alternating grey bands: readable in colour and in greyscale


def diverging_colours(levels: int) -> list[str]:
    """One colour per Likert level, disagreement (low codes) orange, agreement purple."""
    if levels in PUOR:
        return PUOR[levels]
    cmap = matplotlib.colormaps["PuOr"]
    colours = [matplotlib.colors.to_hex(cmap(1 - i / (levels - 1))) for i in range(levels)]
    if levels % 2:
        colours[levels // 2] = NEUTRAL
    return colours


def diverging_lefts(percents: list[float]) -> list[float]:
    """Left edge of each level's segment so that the neutral level (odd number of levels) is
    centred on zero, or the boundary between the two halves (even number) sits at zero."""
    k = len(percents)
    below = sum(percents[: k // 2]) + (percents[k // 2] / 2 if k % 2 else 0)
    return list(-below + np.concatenate([[0.0], np.cumsum(percents)[:-1]]))


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
    colours = diverging_colours(len(levels))
    left = pd.Series(0.0, index=variables)
    for i, level in enumerate(levels):
        part = valid[valid["value"] == level].set_index("variable").reindex(variables)
        width = _numeric(part["percent"].where(~part["suppressed"].fillna(False).astype(bool), 0)).to_numpy()
        label = str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else f"{level:g}"
        ax.barh(variables, width, left=left.to_numpy(), color=colours[i], label=label)
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
    ax.barh(labels, width, color=BAR_COLOUR)
    for y, (w, hidden) in enumerate(zip(width, suppressed)):
        ax.text(w + 1, y, f"<{threshold}" if hidden else f"{w:.0f}%", va="center", fontsize=7)
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of respondents who answered the item")
    ax.invert_yaxis()
    ax.set_title(title)
    fig.text(0.01, 0.01, FOOTNOTE.format(t=threshold), fontsize=6)
    fig.tight_layout()
    return fig


def _level_percents(valid: pd.DataFrame, variables: list[str], levels: list) -> pd.DataFrame:
    """Percent per variable (rows) and level (columns); suppressed cells count as 0."""
    shown = valid.assign(percent=_numeric(valid["percent"].where(~valid["suppressed"].fillna(False).astype(bool), 0))
                         .to_numpy())
    return shown.pivot_table(index="variable", columns="value", values="percent", aggfunc="sum").reindex(
        index=variables, columns=levels).fillna(0.0)


def likert_diverging_chart(table: pd.DataFrame, title: str, threshold: int) -> Figure:
    """Diverging stacked bars (Robbins & Heiberger, 2011): disagreement left of zero,
    agreement right, the neutral level centred on zero."""
    valid = table[table["kind"] == "valid"]
    variables = list(dict.fromkeys(valid["variable"]))
    levels = sorted(valid["value"].unique())
    percents = _level_percents(valid, variables, levels)
    labels = {level: (str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else f"{level:g}")
              for level, part in valid.groupby("value")}
    colours = diverging_colours(len(levels))
    fig = Figure(figsize=(7, 0.5 * len(variables) + 1.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    lefts = np.array([diverging_lefts(list(percents.loc[v])) for v in variables]).reshape(len(variables), len(levels))
    for i, level in enumerate(levels):
        ax.barh(variables, percents[level].to_numpy(), left=lefts[:, i], color=colours[i], label=labels[level],
                edgecolor="white", linewidth=0.5)
    reach = max(100.0, float(np.abs(lefts).max(initial=0)) + 5)
    ax.set_xlim(-reach, reach)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ticks = [t for t in range(-100, 101, 25) if abs(t) <= reach]
    ax.set_xticks(ticks, [f"{abs(t)}" for t in ticks])
    ax.set_xlabel("% of valid answers (disagreement left, agreement right of 0)")
    ax.invert_yaxis()
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=min(len(levels), 4), fontsize=7, frameon=False)
    fig.text(0.01, 0.01, FOOTNOTE.format(t=threshold), fontsize=6)
    fig.tight_layout()
    return fig


def sus_distribution_chart(table: pd.DataFrame, title: str, threshold: int) -> Figure:
    """Histogram of SUS scores (bins of 5 points) over the Sauro-Lewis curved grading scale;
    bins with fewer than `threshold` responses are not drawn but marked."""
    from .scoring import SUS_GRADES

    scores = pd.to_numeric(table["sus_score"], errors="coerce").dropna()
    edges = np.arange(0, 105, 5)
    counts, _ = np.histogram(scores, bins=edges)
    hidden = (counts > 0) & (counts < threshold)
    fig = Figure(figsize=(7, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bounds = [low for low, _ in SUS_GRADES] + [0.0]
    for i, (low, grade) in enumerate(SUS_GRADES):
        high = 100.0 if i == 0 else bounds[i - 1]
        ax.axvspan(low, high, color=GRADE_SHADES[i % 2], zorder=0, linewidth=0)
        narrow = high - low < 3  # neighbouring narrow grades are staggered so their letters do not touch
        ax.text((low + high) / 2, 1.01 + (0.05 if narrow and i % 2 else 0), grade, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=6 if narrow else 7)
    ax.bar(edges[:-1], np.where(hidden, 0, counts), width=5, align="edge", color=BAR_COLOUR, edgecolor="white",
           linewidth=0.5, zorder=2)
    for x in edges[:-1][hidden]:
        ax.text(x + 2.5, 0, f"<{threshold}", ha="center", va="bottom", fontsize=6, zorder=3)
    if len(scores):
        mean = float(scores.mean())
        ax.axvline(mean, color="#D55E00", linewidth=1.5, linestyle="--", zorder=3)
        ax.text(mean + 1, 0.92, f"mean {mean:.1f}", transform=ax.get_xaxis_transform(), fontsize=7, color="#D55E00")
    ax.set_xlim(0, 100)
    ax.set_xlabel("SUS score (grades: Sauro & Lewis curved grading scale)")
    ax.set_ylabel("responses")
    ax.set_title(title, pad=22)
    fig.text(0.01, 0.01, FOOTNOTE.format(t=threshold).replace("Cells", "Bins"), fontsize=6)
    fig.tight_layout()
    return fig


DRAW = {"likert": likert_chart, "likert_diverging": likert_diverging_chart, "sus": sus_distribution_chart,
        "bars": bar_chart}


def save_figure(spec: dict, directory: Path, threshold: int) -> list[str]:
    """Render one figure spec to `<name>.svg` and `<name>.png`; returns the file names."""
    with matplotlib.rc_context(STABLE):
        draw = DRAW.get(spec["kind"], bar_chart)
        fig = draw(spec["table"], spec["title"], threshold)
        svg, png = directory / f"{spec['name']}.svg", directory / f"{spec['name']}.png"
        fig.savefig(svg, format="svg", metadata=SVG_METADATA)
        fig.savefig(png, format="png", dpi=150, metadata=PNG_METADATA)
    return [svg.name, png.name]
