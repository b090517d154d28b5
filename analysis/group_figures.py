"""Figures that compare groups: shares of multiple-choice options per group (e.g. data kinds by
role) and a rating across thirds of usage intensity. Each has a tidy table function (disclosure
control applied, so the figure and results.json show the same cells) and a drawing function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import disclosure
from .figure_text import number, short_label, words, wrap
from .figures import BAR_COLOUR, footnote, new_figure, title

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
        for y, (w, off) in enumerate(zip(width, hidden)):
            ax.text(w + 2, y, f"<{threshold}" if off else f"{number(w, 0, language)} %", va="center", fontsize=6)
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
    footnote(fig, text["footnote"].format(t=threshold))
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
