"""A wave's live numbers for the dashboard: a handful of GROUP BY queries, small cells suppressed.

Every count below the small-cell threshold (and above zero) is shown as "< k", as in the reports,
and a rate built on a suppressed count is suppressed with it. Speeding follows the common rule of
completing in under a third of the median time (Greszki, Meyer & Schoen 2015, Public Opinion
Quarterly 79(2)); a break-off is a started response without activity for a day. Activity is read
from the paradata (the last page entered or left), not from updated_at, which any write to the
row (a withdrawal, an import of the demo) moves.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db.models import CharField, Count, F, FloatField, Func, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studies.mailing import sampling_frame_counts
from studies.questionnaires import page_title
from surveys.models import Invitation, PageVisit, Response, Wave

# The device classes surveys/views.py records, as a researcher reads them.
DEVICE_CLASSES = {"phone": gettext_lazy("phone"), "desktop": gettext_lazy("desktop or laptop")}
BREAK_OFF_AFTER = timedelta(days=1)
SPEEDING_SHARE_OF_MEDIAN = 1 / 3
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 22, 6, 190, 560
LABEL_CHARACTERS = 24  # what fits in LABEL_WIDTH at the chart's 13 px


class SecondsBetween(Func):
    """end - start in seconds, in the database's own arithmetic (no per-row Python function on SQLite)."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))",
                           arg_joiner=" - ", **extra)


class UtcHour(Func):
    """The UTC hour of a timestamp as 'YYYY-MM-DDTHH' text; hours fold into local days in Python."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="strftime('%%%%Y-%%%%m-%%%%dT%%%%H', %(expressions)s)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')", **extra)


def small_cell_threshold() -> int:
    """The one site-wide threshold, as in the reports (UPTAKE_SUPPRESSION_THRESHOLD)."""
    return settings.UPTAKE_SUPPRESSION_THRESHOLD


@dataclass
class ShownCount:
    """A count as the dashboard may show it."""

    value: int
    threshold: int
    # analysis.disclosure.SECONDARY for a count that is not small but hidden so that a small one cannot
    # be worked out from a total (secondary suppression); empty otherwise.
    hidden_as: str = ""

    @property
    def suppressed(self) -> bool:
        return bool(self.hidden_as) or 0 < self.value < self.threshold

    def __str__(self) -> str:
        if self.hidden_as:
            return self.hidden_as
        return f"< {self.threshold}" if self.suppressed else str(self.value)


@dataclass
class Bar:
    label: str
    count: ShownCount
    share: str = ""  # the count as a percent, where one is shown


@dataclass
class Rate:
    label: str
    numerator: ShownCount
    denominator: ShownCount

    def __str__(self) -> str:
        if self.numerator.suppressed or self.denominator.suppressed or not self.denominator.value:
            return "–"
        return percent(self.numerator.value, self.denominator.value)


def percent(part: int, whole: int) -> str:
    """A share as the workspace prints it: one decimal in the page's number format ("57,1 %")."""
    return f"{number_format(round(100 * part / whole, 1), 1)} %"  # number_format cuts the digits, it does not round


@dataclass
class WaveDashboard:
    wave: Wave
    threshold: int
    totals: list[Bar] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    per_day: list[Bar] = field(default_factory=list)
    funnel: list[Bar] = field(default_factory=list)
    devices: list[Bar] = field(default_factory=list)
    flags: list[Bar] = field(default_factory=list)
    median_minutes: str = "–"


def wave_dashboard(wave: Wave, now=None) -> WaveDashboard:
    now = now or timezone.now()
    threshold = small_cell_threshold()
    count = lambda value: ShownCount(int(value or 0), threshold)
    responses = Response.objects.filter(wave=wave)
    Status = Response.Status
    totals = responses.aggregate(
        viewed=Count("pk"),
        started=Count("pk", filter=Q(status__in=[Status.IN_PROGRESS, Status.COMPLETED])),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
        withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
    )
    totals["break_offs"] = _break_offs(responses, now)
    # The sampling frame: the mailed participant list where there is one (studies.mailing), else the links made.
    frame = sampling_frame_counts(wave)
    invited = frame["invited"] if frame["listed"] else Invitation.objects.filter(wave=wave, is_test=False).count()
    board = WaveDashboard(wave=wave, threshold=threshold)
    mailed = [Bar(_("delivered"), count(frame["delivered"])), Bar(_("opted out"), count(frame["opted_out"]))] \
        if frame["listed"] else []
    board.totals = [
        Bar(_("invited"), count(invited)),
        *mailed,
        Bar(_("viewed the information"), count(totals["viewed"])),
        Bar(_("started"), count(totals["started"])),
        Bar(_("completed"), count(totals["completed"])),
        Bar(_("withdrawn"), count(totals["withdrawn"])),
    ]
    # CHERRIES (Eysenbach 2004): view = visitors / invited, participation = started / visitors,
    # completion = completed / started.
    board.rates = [
        Rate(_("response rate (completed / invited)"), count(totals["completed"]), count(invited)),
        Rate(_("view rate (viewed / invited)"), count(totals["viewed"]), count(invited)),
        Rate(_("participation rate (started / viewed)"), count(totals["started"]), count(totals["viewed"])),
        Rate(_("completion rate (completed / started)"), count(totals["completed"]), count(totals["started"])),
    ]
    completed = responses.filter(status=Status.COMPLETED)
    board.per_day = [Bar(day, count(n)) for day, n in sorted(_completed_per_local_day(completed).items())]
    board.funnel = _funnel(wave, responses.exclude(status=Status.WITHDRAWN), count)
    board.devices = [
        Bar(str(DEVICE_CLASSES.get(row["device"], row["device"])) or _("unknown"), count(row["n"]))
        for row in responses.exclude(status=Status.WITHDRAWN).values("device").annotate(n=Count("pk")).order_by("device")
    ]
    median = _median_duration(completed, totals["completed"])
    if median is not None and totals["completed"] >= threshold:
        # Rounded first: number_format cuts a float's digits, and SQLite's julianday arithmetic gives 479.99999 s
        # for 8 minutes, which read "7.9".
        board.median_minutes = number_format(round(median.total_seconds() / 60, 1), 1)
    speeders = _durations(completed).filter(seconds__lt=median.total_seconds() * SPEEDING_SHARE_OF_MEDIAN).count() if median else 0
    board.flags = [
        Bar(_("speeders (under a third of the median time)"), count(speeders)),
        Bar(_("break-offs (no activity for a day)"), count(totals["break_offs"])),
    ]
    return board


def _break_offs(responses, now) -> int:
    """Responses in progress whose last page visit (or start, before any) is more than a day old."""
    visits = PageVisit.objects.filter(response=OuterRef("pk")).order_by().values("response")
    last_visit = Subquery(visits.annotate(last=Max(Coalesce("left_at", "entered_at"))).values("last")[:1])
    in_progress = responses.filter(status=Response.Status.IN_PROGRESS)
    last_activity = Coalesce(last_visit, "started_at", "consented_at", "info_viewed_at")
    return in_progress.annotate(last_activity=last_activity).filter(last_activity__lt=now - BREAK_OFF_AFTER).count()


def _durations(completed):
    return completed.annotate(seconds=SecondsBetween("completed_at", "started_at"))


def _completed_per_local_day(completed) -> Counter:
    """Completed responses per day in the site's time zone, from counts per UTC hour (one GROUP BY)."""
    per_day = Counter()
    for hour, n in completed.annotate(hour=UtcHour("completed_at")).values_list("hour").annotate(n=Count("pk")).order_by():
        moment = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=dt_timezone.utc)
        per_day[timezone.localtime(moment).date().isoformat()] += n
    return per_day


def _median_duration(completed, n: int) -> timedelta | None:
    """The median completion time, read as the middle row(s) of the sorted durations (no rows fetched besides)."""
    if not n:
        return None
    middle = list(_durations(completed).order_by("seconds").values_list("seconds", flat=True)[(n - 1) // 2: n // 2 + 1])
    return timedelta(seconds=sum(middle) / len(middle))


def _funnel(wave: Wave, responses, count) -> list[Bar]:
    """How many reached at least each page (from the furthest page each response reached)."""
    furthest = dict(responses.exclude(last_page="").values_list("last_page").annotate(n=Count("pk")))
    instrument, language = wave.instrument_version.spec, translation.get_language()[:2]
    reached, bars = 0, []
    for page in reversed(instrument.pages):
        reached += furthest.get(page.code, 0)
        bars.append(Bar(page_title(instrument, page, language), count(reached)))
    return list(reversed(bars))


def bar_chart_svg(bars: list[Bar], title: str) -> str:
    """A horizontal bar chart as inline SVG; suppressed bars are drawn empty with their "< k" label."""
    top = max((bar.count.value for bar in bars if not bar.count.suppressed), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    span = CHART_WIDTH - LABEL_WIDTH - (110 if any(bar.share for bar in bars) else 60)  # room for the count's text
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {CHART_WIDTH} {height}" '
             f'width="{CHART_WIDTH}" height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, bar in enumerate(bars):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = 0 if bar.count.suppressed else round(span * bar.count.value / top)
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end">{escape(_fitted(bar.label))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" class="bar"/>')
        value = f"{bar.count} ({bar.share})" if bar.share else str(bar.count)
        parts.append(f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 16}">{escape(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fitted(label: str) -> str:
    """A label cut to the room left of the bars, with an ellipsis (the table below the chart has it in full)."""
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1].rstrip() + "…"
