"""A wave's results at a glance: per-question counts, a cross-tab of two closed questions, the response list.

Counts come from the stored answers of started responses that were not withdrawn (complete and partial
alike, as in the export). Every count passes the one disclosure rule of analysis.disclosure: counts
below the site's threshold are hidden ("< 5", as on the dashboard), and where a published total would
give a hidden count back, one more cell is hidden (secondary suppression, marked as in the reports).
The analysis package is imported on use only, so a worker serving respondents never loads pandas.
Item and option labels are read from the questionnaire in the page's language, never shown as codes.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils import formats

from studies.dashboard import DEVICE_CLASSES, Bar, ShownCount, percent, small_cell_threshold
from studies.questionnaires import page_title
from surveys.instruments import (NOT_APPLICABLE, ChoiceItem, Dropdown, Likert, LikertMatrix, LongText, MultipleChoice,
                                 Number, Scale010, ShortText, SingleChoice)
from surveys.models import Answer, Response, Wave

COUNTED = (Response.Status.IN_PROGRESS, Response.Status.COMPLETED)
NUMBER_BINS = 5
RESPONSES_PER_PAGE = 50


@dataclass
class Question:
    """One thing a respondent answered, as a researcher reads it: a matrix row is a question of its own."""

    code: str
    title: str
    page: str
    kind: str  # "choice" (one answer), "multiple", "number" or "text"
    categories: list[tuple[object, str]] = field(default_factory=list)  # stored value -> label, in order
    item: object = None


@dataclass
class QuestionResult:
    question: Question
    answered: ShownCount
    bars: list[Bar]


@dataclass
class CrossTab:
    rows: Question
    columns: Question
    cells: list[list[tuple[ShownCount, str]]]  # per row: (count, row percent) per column
    row_totals: list[ShownCount]
    column_totals: list[ShownCount]
    total: ShownCount

    @property
    def lines(self):
        """(label, cells, total) per row, for the template."""
        return [(label, cells, total) for (_value, label), cells, total
                in zip(self.rows.categories, self.cells, self.row_totals)]


def questions(wave: Wave, language: str) -> list[Question]:
    """Every question of the wave's questionnaire in page order, labelled in `language`."""
    instrument = wave.instrument_version.spec
    found = []
    for page, item in instrument.items():
        where = page_title(instrument, page, language)
        text = item.text.get(language)
        if isinstance(item, LikertMatrix):
            categories = _likert_categories(instrument, item, language)
            found += [Question(row.code, f"{text} – {row.text.get(language)}", where, "choice", categories, item)
                      for row in item.rows]
        elif isinstance(item, Likert):
            found.append(Question(item.code, text, where, "choice", _likert_categories(instrument, item, language), item))
        elif isinstance(item, ChoiceItem):
            kind = "multiple" if isinstance(item, MultipleChoice) else "choice"
            found.append(Question(item.code, text, where, kind, _choice_categories(item, language), item))
        elif isinstance(item, Scale010):
            found.append(Question(item.code, text, where, "choice", _scale_categories(item, language), item))
        elif isinstance(item, Number):
            found.append(Question(item.code, text, where, "number", item=item))
        elif isinstance(item, (ShortText, LongText)):
            found.append(Question(item.code, text, where, "text", item=item))
    return found


def closed_questions(wave: Wave, language: str) -> list[Question]:
    """The questions with one answer out of a fixed list: what a cross-tab and the answer filter offer."""
    return [question for question in questions(wave, language) if question.kind == "choice"]


def _choice_categories(item, language) -> list[tuple[object, str]]:
    categories = [(option.code, option.label.get(language)) for option in item.options]
    if item.other:
        categories.append(("other", item.other.get(language)))
    return categories


def _likert_categories(instrument, item, language) -> list[tuple[object, str]]:
    categories = [(point, f"{point} – {label.get(language)}")
                  for point, label in enumerate(instrument.likert_labels(item), start=1)]
    if item.not_applicable:
        categories.append((NOT_APPLICABLE, item.not_applicable.get(language)))
    return categories


def _scale_categories(item: Scale010, language) -> list[tuple[object, str]]:
    ends = {0: item.low, 10: item.high}
    return [(point, f"{point} – {ends[point].get(language)}" if ends.get(point) else str(point)) for point in range(11)]


def counted_responses(wave: Wave):
    """The responses whose answers are counted: started, not withdrawn."""
    return Response.objects.filter(wave=wave, status__in=COUNTED)


def question_results(wave: Wave, language: str) -> list[QuestionResult]:
    """Each question's answers as counts with percents of those who answered it, small cells suppressed."""
    threshold = small_cell_threshold()
    counts, answered = _answer_counts(wave)
    results = []
    for question in questions(wave, language):
        n = answered[question.code]
        if question.kind == "text":
            bars = []  # open answers are counted, never shown here
        elif question.kind == "number":
            bars = _suppressed_bars(_number_bins(question.item, counts[question.code]), n, threshold)
        else:
            tallied = [(label, counts[question.code][value]) for value, label in question.categories]
            # Options of a multiple choice are separate yes/no counts that add up to no published total.
            bars = _suppressed_bars(tallied, n, threshold, secondary=question.kind == "choice")
        results.append(QuestionResult(question, ShownCount(n, threshold), bars))
    return results


def _answer_counts(wave: Wave) -> tuple[dict[str, Counter], Counter]:
    """Per item: how often each value was given (each option of a multiple choice on its own), and how many answered."""
    rows = (Answer.objects.filter(response__in=counted_responses(wave)).values_list("item", "value")
            .annotate(n=Count("pk")).order_by())
    counts, answered = defaultdict(Counter), Counter()
    for item, value, n in rows:
        if value in (None, "", []):
            continue
        answered[item] += n
        for one in value if isinstance(value, list) else [value]:
            counts[item][one] += n
    return counts, answered


def _number_bins(item: Number, counts: Counter) -> list[tuple[str, int]]:
    """Equal bins over the item's range (or the answers' range rounded outwards), as (label, count)."""
    values = [value for value in counts if isinstance(value, (int, float))]
    if not values:
        return []
    low = item.min if item.min is not None else min(values)
    high = item.max if item.max is not None else max(values)
    step = _round_step((high - low + (1 if item.integer else 0)) / NUMBER_BINS)
    if item.integer:
        step = max(1, math.ceil(step))
    low = math.floor(low / step) * step
    bins = [0] * max(1, math.ceil((high - low + (1 if item.integer else 0)) / step))
    for value, n in counts.items():
        if isinstance(value, (int, float)):
            bins[min(max(0, int((value - low) // step)), len(bins) - 1)] += n
    labels = []
    for index in range(len(bins)):
        start, end = low + index * step, low + (index + 1) * step
        if item.integer:
            last = end - 1 if item.max is None else min(end - 1, item.max)  # no answer's own value as an edge
            labels.append(_number(start) if last == start else f"{_number(start)}–{_number(last)}")
        else:
            labels.append(f"{_number(start)}–{_number(end)}")
    return list(zip(labels, bins))


def _round_step(raw: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least `raw` (bin edges people read easily)."""
    if raw <= 0:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    return next(multiple * power for multiple in (1, 2, 5, 10) if multiple * power >= raw)


def _number(value) -> str:
    return formats.number_format(value, 0 if float(value).is_integer() else 2)


def _suppressed_bars(tallied: list[tuple[str, int]], answered: int, threshold: int, secondary: bool = True) -> list[Bar]:
    """Bars with counts and percents of `answered`; small counts hidden, and with `secondary` the
    complementary cells that the published total would give them back by (analysis.disclosure)."""
    from analysis.disclosure import SECONDARY, suppression_mask

    counts = [n for _label, n in tallied]
    hidden = suppression_mask(counts, threshold) if secondary and counts else [False] * len(counts)
    bars = []
    for (label, n), withheld in zip(tallied, hidden):
        shown = ShownCount(n, threshold, hidden_as=SECONDARY if withheld and not 0 < n < threshold else "")
        bars.append(Bar(label, shown, share="" if shown.suppressed or not answered else percent(n, answered)))
    return bars


def secondary_marker() -> str:
    """The reports' marker of a cell hidden by secondary suppression, for the pages' legend."""
    from analysis.disclosure import SECONDARY

    return SECONDARY


def crosstab(wave: Wave, rows: Question, columns: Question) -> CrossTab:
    """Responses answering both questions, counted by their two answers, with row percents and margins,
    protected by analysis.disclosure.suppress_crosstab (primary, secondary and small margins)."""
    import pandas as pd
    from analysis.disclosure import SECONDARY, suppress_crosstab

    threshold = small_cell_threshold()
    pairs = defaultdict(dict)
    for response, item, value in Answer.objects.filter(response__in=counted_responses(wave),
                                                       item__in=[rows.code, columns.code]).values_list("response", "item", "value"):
        pairs[response][item] = value
    row_index = {value: index for index, (value, _label) in enumerate(rows.categories)}
    column_index = {value: index for index, (value, _label) in enumerate(columns.categories)}
    grid = [[0] * len(column_index) for _row in row_index]
    for answers in pairs.values():
        row, column = row_index.get(answers.get(rows.code)), column_index.get(answers.get(columns.code))
        if row is not None and column is not None:
            grid[row][column] += 1
    shown = suppress_crosstab(pd.DataFrame(grid), threshold)
    marked = lambda n, cell: ShownCount(n, threshold, hidden_as=SECONDARY if cell == SECONDARY else "")
    row_totals = [marked(sum(line), shown.loc[str(r), "Total"]) for r, line in enumerate(grid)]
    cells = []
    for r, line in enumerate(grid):
        cells.append([])
        for c, n in enumerate(line):
            count = marked(n, shown.loc[str(r), str(c)])
            visible = not count.suppressed and not row_totals[r].suppressed and row_totals[r].value
            cells[-1].append((count, percent(n, row_totals[r].value) if visible else ""))
    column_totals = [marked(sum(line[c] for line in grid), shown.loc["Total", str(c)]) for c in range(len(column_index))]
    return CrossTab(rows, columns, cells, row_totals, column_totals, ShownCount(sum(map(sum, grid)), threshold))


# --- the response list --------------------------------------------------------------------------


@dataclass
class ListedResponse:
    """A response as the list shows it: no pseudonym, no answers, the page reached by its title."""

    pk: int
    status: str
    language: str
    device: str
    started_at: object
    completed_at: object
    page_reached: str


def filtered_responses(wave: Wave, filters: dict, answer: tuple[str, object] | None):
    """The wave's responses, newest first, narrowed by the list's filters (all optional)."""
    shown = Response.objects.filter(wave=wave).order_by("-pk")
    if filters.get("status"):
        shown = shown.filter(status=filters["status"])
    if filters.get("device"):
        shown = shown.filter(device=filters["device"])
    if filters.get("language"):
        shown = shown.filter(language=filters["language"])
    if filters.get("started_from"):
        shown = shown.filter(started_at__date__gte=filters["started_from"])
    if filters.get("started_to"):
        shown = shown.filter(started_at__date__lte=filters["started_to"])
    if answer:
        item, value = answer
        shown = shown.filter(pk__in=Answer.objects.filter(response__wave=wave, item=item, value=value).values("response"))
    return shown.only("pk", "status", "language", "device", "last_page", "started_at", "completed_at")


def response_page(wave: Wave, responses, number, language: str):
    """One page of the list, each response with its page reached by title and its device as a researcher reads it."""
    page = Paginator(responses, RESPONSES_PER_PAGE).get_page(number)
    instrument = wave.instrument_version.spec
    titles = {one.code: page_title(instrument, one, language) for one in instrument.pages}
    languages = dict(settings.LANGUAGES)
    page.listed = [ListedResponse(
        response.pk, response.get_status_display(), str(languages.get(response.language, response.language)),
        str(DEVICE_CLASSES.get(response.device, response.device or "–")), response.started_at, response.completed_at,
        titles.get(response.last_page, "–")) for response in page.object_list]
    return page
