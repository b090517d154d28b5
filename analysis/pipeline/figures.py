"""Figures as SVG and PDF, byte-stable for identical inputs, with their words in the run's language.

Uses the object-oriented Matplotlib API with the Agg canvas (no pyplot, no global
backend switch); SVG ids come from a fixed `svg.hashsalt` and the date/software
metadata is left out of both formats, so reruns write identical files.

Labels come from the codebook (label_de / label_en), never from this module: a matrix row or a
multiple-choice option is shown by the text in its brackets ("… [Speed of the answers]"), wrapped
so long wording does not push the plot aside. results.json keeps its keys and codes whatever the
language. Group figures (shares of options per group, a rating across thirds of usage) have a tidy
table function (disclosure control applied, so figure and results.json show the same cells) and a
drawing function.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis import disclosure
from analysis.scoring import SUS_GRADES

WRAP = 40  # characters per line of a tick label or title

TEXT = {
    "en": {
        "percent_valid": "% of valid answers",
        "percent_diverging": "% of valid answers (towards “{low}” left, towards “{high}” right of 0)",
        "percent_answered": "% of respondents who answered the item",
        "percent_group": "% of respondents in the group who answered the item",
        "footnote": "Cells with fewer than {t} responses are suppressed (not drawn, marked “<{t}”).",
        "footnote_bins": "Bins with fewer than {t} responses are suppressed (not drawn, marked “<{t}”).",
        "footnote_secondary": "“(s)”: withheld so that a suppressed cell cannot be worked out from the total "
                              "(secondary suppression); the count itself may be large.",
        "sus_axis": "SUS score (grades: Sauro & Lewis curved grading scale)",
        "sus_title": "System Usability Scale: distribution of scores",
        "responses": "responses",
        "mean": "mean {m}",
        "tertile": ["low", "middle", "high"],
        "usage_groups": "{label}: thirds of the respondents",
        "suppressed_group": "fewer than {t}: not shown",
        "n": "n = {n}",
        "active_users": "Active users",
        "tokens_millions": "Tokens (millions)",
        "week": "Week (starting Monday)",
        "weekly_title": "Weekly active users and tokens processed",
        "weekly_footnote": "Weeks with fewer than {t} active users are suppressed (marked “<{t}”); "
                           "weeks only partly inside the usage window are left out.",
    },
    "de": {
        "percent_valid": "% der gültigen Antworten",
        "percent_diverging": "% der gültigen Antworten (Richtung „{low}“ links, Richtung „{high}“ rechts von 0)",
        "percent_answered": "% der Befragten, die die Frage beantwortet haben",
        "percent_group": "% der Befragten der Gruppe, die die Frage beantwortet haben",
        "footnote": "Zellen mit weniger als {t} Antworten sind unterdrückt (nicht gezeichnet, markiert „<{t}“).",
        "footnote_bins": "Klassen mit weniger als {t} Antworten sind unterdrückt (nicht gezeichnet, markiert „<{t}“).",
        "footnote_secondary": "„(s)“: zurückgehalten, damit eine unterdrückte Zelle nicht aus der Summe errechnet "
                              "werden kann (sekundäre Unterdrückung); die Zahl selbst kann groß sein.",
        "sus_axis": "SUS-Wert (Noten: Sauro-Lewis-Notenskala)",
        "sus_title": "System Usability Scale: Verteilung der Werte",
        "responses": "Antworten",
        "mean": "Mittelwert {m}",
        "tertile": ["niedrig", "mittel", "hoch"],
        "usage_groups": "{label}: Drittel der Befragten",
        "suppressed_group": "weniger als {t}: nicht gezeigt",
        "n": "n = {n}",
        "active_users": "Aktive Nutzende",
        "tokens_millions": "Tokens (Millionen)",
        "week": "Woche (ab Montag)",
        "weekly_title": "Aktive Nutzende und verarbeitete Tokens je Woche",
        "weekly_footnote": "Wochen mit weniger als {t} aktiven Nutzenden sind unterdrückt (markiert „<{t}“); "
                           "Wochen, die nur teilweise im Nutzungszeitraum liegen, sind weggelassen.",
    },
}

# Scores the run derives have no codebook row; their names in figures.
DERIVED = {
    "en": {"sus_score": "SUS score (0–100)", "umux_lite": "UMUX-LITE (0–100)", "nps": "Likelihood to recommend (0–10)"},
    "de": {"sus_score": "SUS-Wert (0–100)", "umux_lite": "UMUX-LITE (0–100)", "nps": "Weiterempfehlung (0–10)"},
}


def words(language: str) -> dict:
    return TEXT.get(language, TEXT["en"])


def wrap(text: str, width: int = WRAP) -> str:
    """Break a label into lines of at most `width` characters (a longer single word stays whole)."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def short_label(label: str) -> str:
    """The part a figure needs: the row or option in brackets, else the whole label."""
    text = str(label).strip()
    if text.endswith("]") and " [" in text:
        return text.rsplit(" [", 1)[1][:-1]
    return text


def stem(label: str) -> str:
    """The question a matrix row or an option belongs to (the text before the brackets)."""
    text = str(label).strip()
    return text.rsplit(" [", 1)[0] if text.endswith("]") and " [" in text else text


def number(value: float, decimals: int, language: str) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if language == "de" else text


STABLE = {"svg.hashsalt": "uptake-analysis", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}
SVG_METADATA = {"Date": None, "Creator": None}
UNROTATED = re.compile(rb' transform="rotate\(-0 [-+.0-9e]+ [-+.0-9e]+\)"')
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
    below the axis label and the legend. Wrapped to the figure's width (about 18 characters of 6-pt text
    per inch): a line runs on past the figure's edge otherwise."""
    fig.supxlabel(wrap(text, int(fig.get_figwidth() * 18)), x=0.01, ha="left", fontsize=6)


def suppression_footnote(fig: Figure, text: dict, threshold: int, cells) -> None:
    """The suppression note, with the note on secondary suppression when a cell of the table has its marker."""
    note = text["footnote"].format(t=threshold)
    if any(cell == disclosure.SECONDARY for cell in cells):
        note += " " + text["footnote_secondary"]
    footnote(fig, note)


def hidden_label(cell, threshold: int) -> str:
    """The label of a bar not drawn: the table's own marker, so a cell hidden by secondary suppression (whose
    count may be large) reads "(s)", never "<t"."""
    return disclosure.SECONDARY if cell == disclosure.SECONDARY else disclosure.marker(threshold)


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
    # Rows are evenly spaced, so each gets the height of the longest label: a three-line label beside
    # one-line ones would otherwise run into its neighbours.
    tallest = max((label.count("\n") + 1 for label in labels), default=1)
    fig = new_figure(max(0.17 * tallest + 0.08, 0.29) * len(labels) + 1.3)
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), width, color=BAR_COLOUR)
    language = spec.get("language", "en")
    for y, (w, hidden, cell) in enumerate(zip(width, suppressed, table["n"])):
        ax.text(w + 1, y, hidden_label(cell, threshold) if hidden else f"{number(w, 0, language)} %", va="center",
                fontsize=7)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlim(0, 110)
    ax.set_xlabel(text["percent_answered"])
    ax.invert_yaxis()
    title(fig, spec["title"])
    suppression_footnote(fig, text, threshold, table["n"])
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
    # The scale's own words for its ends: "Never … Very often" is no agreement scale.
    ax.set_xlabel(wrap(text["percent_diverging"].format(low=labels[levels[0]], high=labels[levels[-1]]), 60))
    ax.invert_yaxis()
    title(fig, spec["title"])
    _legend_above(fig, ax, len(levels))
    suppression_footnote(fig, text, threshold, valid["n"])
    return fig


def sus_distribution_chart(spec: dict, threshold: int) -> Figure:
    """Histogram of SUS scores (bins of 5 points) over the Sauro-Lewis curved grading scale;
    bins with fewer than `threshold` responses are not drawn but marked."""

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


TOKENS_COLOUR = "#D55E00"  # Okabe-Ito vermillion; a line with markers, so it differs from the bars in greyscale


def weekly_usage(platform: dict | None, threshold: int) -> pd.DataFrame:
    """Full weeks of the platform summary (platform_logs' `weekly_active_users` and `daily`): `week`,
    `active_users` (None when below the threshold) and `tokens` (in + out). A week only partly inside the usage
    window is left out: its smaller numbers would read as a drop in use."""
    platform = platform or {}
    tokens: dict[str, float] = {}
    for day in platform.get("daily") or []:
        monday = pd.Timestamp(day["day"][:10])
        week = (monday - pd.Timedelta(days=monday.weekday())).date().isoformat()
        tokens[week] = tokens.get(week, 0.0) + float(day.get("tokens_in") or 0) + float(day.get("tokens_out") or 0)
    rows = []
    for row in platform.get("weekly_active_users") or []:
        if int(row.get("days") or 7) < 7:
            continue
        week, users = row["week"][:10], int(row.get("active_users") or 0)
        rows.append({"week": week, "active_users": None if 0 < users < threshold else users,
                     "tokens": tokens.get(week, 0.0)})
    table = pd.DataFrame(rows, columns=["week", "active_users", "tokens"])
    table["active_users"] = pd.Series([row["active_users"] for row in rows], dtype=object)  # None, not NaN
    return table


def has_usage(platform: dict | None) -> bool:
    """True when the summary holds any activity (a wave without linked logs has only zeros)."""
    platform = platform or {}
    totals = platform.get("totals") or {}
    return (any((row.get("active_users") or 0) > 0 for row in platform.get("weekly_active_users") or [])
            or bool(totals.get("tokens_in") or totals.get("tokens_out")))


def weekly_usage_chart(spec: dict, threshold: int) -> Figure:
    """Active users per week as bars over tokens per week as a line, sharing the weeks."""
    text = words(spec.get("language", "en"))
    table = spec["table"]
    fig = new_figure(3.8)
    users_ax, tokens_ax = fig.subplots(2, 1, sharex=True)
    positions = list(range(len(table)))
    users_ax.bar(positions, [u if u is not None and not pd.isna(u) else 0 for u in table["active_users"]],
                 color=BAR_COLOUR, width=0.8)
    for x, shown in enumerate(table["active_users"]):
        if shown is None or pd.isna(shown):
            users_ax.text(x, 0, f"<{threshold}", ha="center", va="bottom", fontsize=5.5, rotation=90)
    users_ax.set_ylabel(text["active_users"], fontsize=8)
    tokens_ax.plot(positions, list(table["tokens"] / 1e6), color=TOKENS_COLOUR, marker="o", markersize=3)
    tokens_ax.set_ylabel(text["tokens_millions"], fontsize=8)
    tokens_ax.set_ylim(bottom=0)
    tokens_ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _p: number(v, 1, spec.get("language", "en")).removesuffix(",0").removesuffix(".0")))
    step = max(1, -(-len(table) // 7))  # at most seven dated ticks, so the labels never overlap
    tokens_ax.set_xticks(positions[::step], list(table["week"])[::step], fontsize=7, rotation=30, ha="right")
    tokens_ax.set_xlabel(text["week"], fontsize=8)
    title(fig, spec["title"])
    footnote(fig, text["weekly_footnote"].format(t=threshold))
    return fig


def weekly_usage_figure(platform: dict | None, threshold: int, directory: Path, language: str = "en",
                        name: str = "platform_weekly") -> Path | None:
    """Draw the platform's full weeks into `directory` like every other figure; the SVG path, or None without usage."""
    table = weekly_usage(platform, threshold)
    if not has_usage(platform) or table.empty:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    spec = {"name": name, "kind": "weekly_usage", "title": words(language)["weekly_title"], "table": table,
            "language": language}
    save_figure(spec, directory, threshold)
    return directory / f"{name}.svg"


def _draw(kind: str):

    return {"likert_diverging": likert_diverging_chart, "sus": sus_distribution_chart,
            "bars": bar_chart, "frequencies": bar_chart, "shares_by_group": shares_by_group_chart,
            "by_usage": outcome_by_usage_chart, "weekly_usage": weekly_usage_chart}.get(kind, bar_chart)


def render_figure(spec: dict, threshold: int) -> dict[str, bytes]:
    """One figure spec drawn as `{"svg": bytes, "pdf": bytes}`.

    Vector only: the report embeds the SVG, and its journal files take the PDF as matplotlib wrote it
    and rasterise it themselves (reports/assets.py), so a PNG here was drawn for nobody. The PDF
    comes straight from matplotlib so a report can offer each figure alone as vector PDF without
    re-drawing the SVG (drawing SVGs dominated report time).

    A spec has `name`, `kind`, `title` and `table`, and optionally `labels` ({column: codebook label})
    and `language` (`en`, `de`) for the words around the data."""
    with matplotlib.rc_context(STABLE):
        fig = _draw(spec["kind"])(spec, threshold)
        svg, pdf = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata=SVG_METADATA)
        # matplotlib gives every unrotated text an identity rotation, `rotate(-0 x y)`; WeasyPrint parses and
        # applies each when it draws the report, a fifth of drawing its figures.
        svg = io.BytesIO(UNROTATED.sub(b"", svg.getvalue()))
        # The layout is settled by the first drawing; the PDF keeps it instead of solving the
        # constrained layout again (each solve is a full draw of the figure).
        fig.set_layout_engine("none")
        fig.savefig(pdf, format="pdf", metadata=PDF_METADATA)
    return {"svg": svg.getvalue(), "pdf": pdf.getvalue()}


def write_figure(name: str, drawn: dict[str, bytes], directory: Path) -> list[str]:
    """Write a drawn figure as `<name>.svg` and `<name>.pdf`; returns the file names."""
    names = []
    for suffix, content in drawn.items():
        (directory / f"{name}.{suffix}").write_bytes(content)
        names.append(f"{name}.{suffix}")
    return names


def save_figure(spec: dict, directory: Path, threshold: int) -> list[str]:
    """Draw one figure spec into `directory` (render_figure); returns the file names."""
    return write_figure(spec["name"], render_figure(spec, threshold), directory)


PANEL_COLUMNS = 3


def shares_by_group(frame: pd.DataFrame, options: list[str], groups: pd.Series, threshold: int) -> pd.DataFrame:
    """Per group and option: respondents who answered the item (`n_answered`), chose the option (`n`),
    and `percent`. Counts 1..threshold-1 and every cell of a group smaller than the threshold are
    suppressed (`suppressed` True, count and percent replaced by the marker)."""
    answered = frame[options].notna().any(axis=1)
    rows = []
    for group in groups.cat.categories:
        members = frame[(groups == group) & answered]
        for option in options:
            chosen = int((pd.to_numeric(members[option], errors="coerce") == 1).sum())
            rows.append({"group": group, "option": option, "n_answered": int(len(members)), "n": chosen,
                         "percent": 100 * chosen / len(members) if len(members) else np.nan})
    table = pd.DataFrame(rows, columns=["group", "option", "n_answered", "n", "percent"])
    small = (table["n"].between(1, threshold - 1)) | (table["n_answered"].between(1, threshold - 1))
    shown = table.astype({"n": object, "percent": object, "n_answered": object})
    mark = disclosure.marker(threshold)
    shown.loc[small, ["n", "percent"]] = mark
    shown.loc[table["n_answered"].between(1, threshold - 1), "n_answered"] = mark
    shown["suppressed"] = small
    return shown[table["n_answered"] > 0].reset_index(drop=True)


def by_usage_thirds(outcome: pd.Series, usage: pd.Series, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents with both values split into thirds of usage (fewer groups when usage has ties);
    returns (summary per third: usage range, n, median, quartiles, mean; small groups withheld,
    values used for the figure: `group`, `outcome`)."""
    both = pd.DataFrame({"outcome": pd.to_numeric(outcome, errors="coerce"),
                         "usage": pd.to_numeric(usage, errors="coerce")}).dropna()
    if both["usage"].nunique() < 2:  # no usage linked, or everyone alike: there are no thirds
        return pd.DataFrame(), both.assign(group=pd.Series(dtype=int))
    both["group"] = pd.qcut(both["usage"], 3, labels=False, duplicates="drop").astype(int)
    rows = []
    for group, part in both.groupby("group"):
        rows.append({"group": int(group), "usage_min": part["usage"].min(), "usage_max": part["usage"].max(),
                     "n": int(len(part)), "median": part["outcome"].median(), "q1": part["outcome"].quantile(0.25),
                     "q3": part["outcome"].quantile(0.75), "mean": part["outcome"].mean()})
    summary = disclosure.mask_small_groups(pd.DataFrame(rows), "n", ["usage_min", "usage_max", "median", "q1", "q3",
                                                                     "mean"], threshold)
    return summary, both[["group", "outcome"]]


def shares_by_group_chart(spec: dict, threshold: int) -> Figure:
    """One small panel per option, a bar per group: shares are comparable across groups at a glance,
    in one colour (readable in greyscale). Suppressed cells are marked '<t' instead of a bar."""
    language = spec.get("language", "en")
    text = words(language)
    table = spec["table"]
    labels = spec.get("labels") or {}
    options = list(dict.fromkeys(table["option"]))
    groups = list(dict.fromkeys(table["group"]))
    rows = -(-len(options) // PANEL_COLUMNS)
    group_labels = [wrap(g, 24) for g in groups]
    panel_height = 0.16 * sum(label.count("\n") + 1 for label in group_labels) + 0.1 * len(groups) + 0.6
    fig = new_figure(rows * panel_height + 1.2, width=7.2)
    axes = fig.subplots(rows, PANEL_COLUMNS, sharey=True, squeeze=False)
    for ax, option in zip(axes.flat, options):
        part = table[table["option"] == option].set_index("group").reindex(groups)
        hidden = part["suppressed"].fillna(False).astype(bool).to_numpy()
        width = pd.to_numeric(part["percent"].where(~hidden), errors="coerce").fillna(0).to_numpy()
        ax.barh(range(len(groups)), width, color=BAR_COLOUR)
        for y, (w, off, cell) in enumerate(zip(width, hidden, part["n"])):
            ax.text(w + 2, y, hidden_label(cell, threshold) if off else f"{number(w, 0, language)} %", va="center",
                    fontsize=6)
        ax.set_title(wrap(short_label(labels.get(option, option)), 30), fontsize=7.5)
        ax.set_xlim(0, 115)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.tick_params(labelsize=6.5)
    for ax in axes.flat[len(options):]:
        ax.set_visible(False)
    for column in range(min(PANEL_COLUMNS, len(options))):  # the lowest panel of each column explains the axis
        lowest = max(i for i in range(column, len(options), PANEL_COLUMNS))
        axes.flat[lowest].set_xlabel(wrap(text["percent_group"], 30), fontsize=7)
    axes[0, 0].set_yticks(range(len(groups)), group_labels)
    axes[0, 0].invert_yaxis()
    title(fig, spec["title"])
    suppression_footnote(fig, text, threshold, table["n"])
    return fig


def outcome_by_usage_chart(spec: dict, threshold: int) -> Figure:
    """Box plots (median, quartiles, whiskers at the 10th and 90th percentile, no single points) of a
    rating in each third of usage intensity, mean as a diamond; groups below the threshold are not drawn."""
    language = spec.get("language", "en")
    text = words(language)
    summary, values = spec["table"], spec["values"]
    fig = new_figure(3.4)
    ax = fig.add_subplot()
    positions, boxes, ticks = [], [], []
    for position, row in enumerate(summary.itertuples(), start=1):
        name = text["tertile"][position - 1] if len(summary) == 3 else str(position)
        if row.suppressed:
            ticks.append(f"{name}\n{text['suppressed_group'].format(t=threshold)}")
            continue
        low, high = number(row.usage_min, 0, language), number(row.usage_max, 0, language)
        ticks.append(f"{name} ({low}–{high})\n{text['n'].format(n=row.n)}")
        positions.append(position)
        boxes.append(values.loc[values["group"] == row.group, "outcome"].to_numpy())
    if boxes:
        ax.boxplot(boxes, positions=positions, widths=0.5, whis=(10, 90), showfliers=False, patch_artist=True,
                   boxprops={"facecolor": "#cfe3f1", "edgecolor": BAR_COLOUR}, medianprops={"color": "#000000"},
                   showmeans=True, meanprops={"marker": "D", "markerfacecolor": "#D55E00", "markeredgecolor": "#000000",
                                              "markersize": 4})
    ax.set_xticks(range(1, len(ticks) + 1), ticks, fontsize=7)
    ax.set_xlim(0.4, max(len(ticks), 1) + 0.6)
    ax.set_ylabel(wrap(spec.get("outcome_label", ""), 45))
    ax.set_xlabel(wrap(text["usage_groups"].format(label=spec.get("usage_label", "")), 90))
    title(fig, spec["title"])
    footnote(fig, text["footnote"].format(t=threshold))
    return fig
