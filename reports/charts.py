"""Figures the report draws itself from context.json: platform usage over time.

The analysis never sees platform logs, so weekly active users and tokens come from the platform
summary the pipeline puts into context.json (platform_logs.summary). Drawn like the analysis figures
(analysis.pipeline.figures: Agg canvas, fixed SVG hash salt, no dates in the files, constrained layout), written
into the bundle's figures/ so the report embeds the SVG and the assets export it like any other.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.ticker import FuncFormatter

from analysis.pipeline.figures import BAR_COLOUR, PDF_METADATA, PNG_METADATA, STABLE, SVG_METADATA, footnote, new_figure, title

TOKENS_COLOUR = "#D55E00"  # Okabe-Ito vermillion; drawn as a line with markers, so it differs from the bars in greyscale


def has_usage(platform):
    """True when the summary holds any activity (a wave without linked logs has only zeros)."""
    if not platform:
        return False
    weekly = platform.get("weekly_active_users") or []
    totals = platform.get("totals") or {}
    return any((row.get("active_users") or 0) > 0 for row in weekly) or bool(totals.get("tokens_in") or totals.get("tokens_out"))


def weekly_usage(platform, threshold):
    """Rows of (week start, active users or None when suppressed, tokens in + out) in week order."""
    tokens = defaultdict(float)
    for day in platform.get("daily") or []:
        monday = date.fromisoformat(day["day"][:10])
        monday -= timedelta(days=monday.weekday())
        tokens[monday] += float(day.get("tokens_in") or 0) + float(day.get("tokens_out") or 0)
    rows = []
    for row in platform.get("weekly_active_users") or []:
        week = date.fromisoformat(row["week"][:10])
        users = int(row.get("active_users") or 0)
        rows.append((week, None if 0 < users < threshold else users, tokens.get(week, 0.0)))
    return rows


def weekly_usage_figure(platform, threshold, directory, name="platform_weekly"):
    """Write `<name>.svg` and `.png` into `directory` (the bundle's figures/); returns the SVG path, or None."""
    if not has_usage(platform):
        return None
    rows = weekly_usage(platform, threshold)
    if not rows:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    with rc_context(STABLE):
        fig = new_figure(3.8)
        users_ax, tokens_ax = fig.subplots(2, 1, sharex=True)
        positions = range(len(rows))
        users = [u or 0 for _w, u, _t in rows]
        users_ax.bar(positions, users, color=BAR_COLOUR, width=0.8)
        for x, (_week, shown, _tokens) in enumerate(rows):
            if shown is None:
                users_ax.text(x, 0, f"<{threshold}", ha="center", va="bottom", fontsize=5.5, rotation=90)
        users_ax.set_ylabel(_("Active users"), fontsize=8)
        tokens_ax.plot(positions, [t / 1e6 for _w, _u, t in rows], color=TOKENS_COLOUR, marker="o", markersize=3)
        tokens_ax.set_ylabel(_("Tokens (millions)"), fontsize=8)
        tokens_ax.set_ylim(bottom=0)
        tokens_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        step = max(1, -(-len(rows) // 7))  # at most seven dated ticks, so the labels never overlap
        tokens_ax.set_xticks(list(positions)[::step], [w.isoformat() for w, _u, _t in rows][::step], fontsize=7,
                             rotation=30, ha="right")
        tokens_ax.set_xlabel(_("Week (starting Monday)"), fontsize=8)
        title(fig, _("Weekly active users and tokens processed"))
        footnote(fig, _("Weeks with fewer than %(n)s active users are suppressed (marked “<%(n)s”).") % {"n": threshold})
        svg = directory / f"{name}.svg"
        fig.savefig(svg, format="svg", metadata=SVG_METADATA)
        fig.savefig(directory / f"{name}.pdf", format="pdf", metadata=PDF_METADATA)
        fig.savefig(directory / f"{name}.png", format="png", dpi=150, metadata=PNG_METADATA)
    return svg
