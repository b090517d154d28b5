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

from .figure_text import number, short_label, words, wrap

STABLE = {"svg.hashsalt": "uptake-analysis", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "Creator": None, "Producer": None}

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


def new_figure(height: float, width: float = 7.0) -> Figure:
    """A figure with constrained layout, so axis labels, the legend below them and the footnote never overlap."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def footnote(fig: Figure, text: str) -> None:
    """The suppression note at the bottom left; as the figure's supxlabel the layout keeps room for it
    below the axis label and the legend."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=6)


def item_labels(spec: dict, variables: list[str]) -> list[str]:
    """Tick labels for the items of a block: the codebook wording (row or option text), wrapped."""
    labels = spec.get("labels") or {}
    return [wrap(short_label(labels.get(v, v))) for v in variables]


def lines(labels: list[str]) -> int:
    return sum(label.count("\n") + 1 for label in labels)


def _legend_above(fig: Figure, ax, levels: int) -> None:
    """The level legend above the bars, so it can never collide with the axis label below
    (constrained layout keeps room for it); long level labels are wrapped.

    Long item labels leave the axes narrow, so seven levels go in two rows: one row ran off the
    figure's edge."""
    handles, labels = ax.get_legend_handles_labels()
    columns = levels if levels <= 5 else -(-levels // 2)
    width = max(12, int(fig.get_figwidth() * 40 / columns / 7.2))  # characters per entry that fit in a row
    ax.legend(handles, [wrap(label, width) for label in labels], loc="lower center", bbox_to_anchor=(0.5, 1.01),
              ncol=columns, fontsize=7, frameon=False, handlelength=1.2, columnspacing=1.0)


def title(fig: Figure, text: str) -> None:
    """The title centred over the whole figure (long item labels would push an axes title off the page)."""
    fig.suptitle(wrap(text, 75), fontsize=9.5)


def likert_chart(spec: dict, threshold: int) -> Figure:
    """Stacked horizontal bars: percent of valid answers per level, one bar per item."""
    text = words(spec.get("language", "en"))
    table = spec["table"]
    valid = table[table["kind"] == "valid"]
    variables = list(dict.fromkeys(valid["variable"]))
    ticks = item_labels(spec, variables)
    levels = sorted(valid["value"].unique())
    fig = new_figure(0.17 * lines(ticks) + 0.25 * len(variables) + 2.0)
    ax = fig.add_subplot()
    colours = diverging_colours(len(levels))
    left = pd.Series(0.0, index=variables)
    for i, level in enumerate(levels):
        part = valid[valid["value"] == level].set_index("variable").reindex(variables)
        width = _numeric(part["percent"].where(~part["suppressed"].fillna(False).astype(bool), 0)).to_numpy()
        label = str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else f"{level:g}"
        ax.barh(range(len(variables)), width, left=left.to_numpy(), color=colours[i], label=label,
                edgecolor="white", linewidth=0.5)
        left += width
    ax.set_yticks(range(len(variables)), ticks)
    ax.set_xlim(0, 100)
    ax.set_xlabel(text["percent_valid"])
    ax.invert_yaxis()
    title(fig, spec["title"])
    _legend_above(fig, ax, len(levels))
    footnote(fig, text["footnote"].format(t=threshold))
    return fig


def bar_chart(spec: dict, threshold: int) -> Figure:
    """Horizontal bars of percent selected per option; suppressed options labelled '<t'.
    With `sorted` in the spec the most frequent option comes first (suppressed ones last)."""
    text = words(spec.get("language", "en"))
    table = spec["table"].reset_index(drop=True)
    if spec.get("sorted"):
        shown = _numeric(table["percent"].where(~table["suppressed"].astype(bool), -1))
        table = table.iloc[np.argsort(-shown.to_numpy(), kind="stable")].reset_index(drop=True)
    labels = item_labels(spec, table["option"].astype(str).tolist())
    suppressed = table["suppressed"].astype(bool).to_numpy()
    width = _numeric(table["percent"].where(~table["suppressed"].astype(bool), 0)).to_numpy()
    fig = new_figure(0.17 * lines(labels) + 0.12 * len(labels) + 1.3)
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), width, color=BAR_COLOUR)
    language = spec.get("language", "en")
    for y, (w, hidden) in enumerate(zip(width, suppressed)):
        ax.text(w + 1, y, f"<{threshold}" if hidden else f"{number(w, 0, language)} %", va="center", fontsize=7)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(0, 110)
    ax.set_xlabel(text["percent_answered"])
    ax.invert_yaxis()
    title(fig, spec["title"])
    footnote(fig, text["footnote"].format(t=threshold))
    return fig


def _level_percents(valid: pd.DataFrame, variables: list[str], levels: list) -> pd.DataFrame:
    """Percent per variable (rows) and level (columns); suppressed cells count as 0."""
    shown = valid.assign(percent=_numeric(valid["percent"].where(~valid["suppressed"].fillna(False).astype(bool), 0))
                         .to_numpy())
    return shown.pivot_table(index="variable", columns="value", values="percent", aggfunc="sum").reindex(
        index=variables, columns=levels).fillna(0.0)


def likert_diverging_chart(spec: dict, threshold: int) -> Figure:
    """Diverging stacked bars (Robbins & Heiberger, 2011): disagreement left of zero,
    agreement right, the neutral level centred on zero."""
    text = words(spec.get("language", "en"))
    table = spec["table"]
    valid = table[table["kind"] == "valid"]
    variables = list(dict.fromkeys(valid["variable"]))
    ticks = item_labels(spec, variables)
    levels = sorted(valid["value"].unique())
    percents = _level_percents(valid, variables, levels)
    labels = {level: (str(part["label"].dropna().iloc[0]) if part["label"].notna().any() else f"{level:g}")
              for level, part in valid.groupby("value")}
    colours = diverging_colours(len(levels))
    fig = new_figure(0.17 * lines(ticks) + 0.25 * len(variables) + 2.0)
    ax = fig.add_subplot()
    lefts = np.array([diverging_lefts(list(percents.loc[v])) for v in variables]).reshape(len(variables), len(levels))
    for i, level in enumerate(levels):
        ax.barh(range(len(variables)), percents[level].to_numpy(), left=lefts[:, i], color=colours[i],
                label=labels[level], edgecolor="white", linewidth=0.5)
    ax.set_yticks(range(len(variables)), ticks)
    reach = max(100.0, float(np.abs(lefts).max(initial=0)) + 5)
    ax.set_xlim(-reach, reach)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ticks = [t for t in range(-100, 101, 25) if abs(t) <= reach]
    ax.set_xticks(ticks, [f"{abs(t)}" for t in ticks])
    ax.set_xlabel(wrap(text["percent_diverging"], 50))
    ax.invert_yaxis()
    title(fig, spec["title"])
    _legend_above(fig, ax, len(levels))
    footnote(fig, text["footnote"].format(t=threshold))
    return fig


def sus_distribution_chart(spec: dict, threshold: int) -> Figure:
    """Histogram of SUS scores (bins of 5 points) over the Sauro-Lewis curved grading scale;
    bins with fewer than `threshold` responses are not drawn but marked."""
    from .scoring import SUS_GRADES

    language = spec.get("language", "en")
    text = words(language)
    scores = pd.to_numeric(spec["table"]["sus_score"], errors="coerce").dropna()
    edges = np.arange(0, 105, 5)
    counts, _ = np.histogram(scores, bins=edges)
    hidden = (counts > 0) & (counts < threshold)
    fig = new_figure(3.6)
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
        ax.text(mean + 1, 0.92, text["mean"].format(m=number(mean, 1, language)), transform=ax.get_xaxis_transform(), fontsize=7, color="#D55E00")
    ax.set_xlim(0, 100)
    ax.set_xlabel(text["sus_axis"])
    ax.set_ylabel(text["responses"])
    ax.set_title(text["sus_title"], pad=22)
    footnote(fig, text["footnote_bins"].format(t=threshold))
    return fig


def _draw(kind: str):
    from .group_figures import shares_by_group_chart, outcome_by_usage_chart

    return {"likert": likert_chart, "likert_diverging": likert_diverging_chart, "sus": sus_distribution_chart,
            "bars": bar_chart, "frequencies": bar_chart, "shares_by_group": shares_by_group_chart,
            "by_usage": outcome_by_usage_chart}.get(kind, bar_chart)


def save_figure(spec: dict, directory: Path, threshold: int) -> list[str]:
    """Render one figure spec to `<name>.svg`, `<name>.pdf` and `<name>.png`; returns the file names.

    The PDF comes straight from matplotlib so a report can offer each figure alone as vector PDF
    without re-drawing the SVG (drawing SVGs dominated report time).

    A spec has `name`, `kind`, `title` and `table`, and optionally `labels` ({column: codebook label})
    and `language` (`en`, `de`) for the words around the data."""
    with matplotlib.rc_context(STABLE):
        fig = _draw(spec["kind"])(spec, threshold)
        svg, pdf, png = (directory / f"{spec['name']}.{suffix}" for suffix in ("svg", "pdf", "png"))
        fig.savefig(svg, format="svg", metadata=SVG_METADATA)
        fig.savefig(pdf, format="pdf", metadata=PDF_METADATA)
        fig.savefig(png, format="png", dpi=150, metadata=PNG_METADATA)
    return [svg.name, pdf.name, png.name]
