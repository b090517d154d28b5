"""Numbers as the report prints them: localized decimals, and small counts never shown.

Every count that reaches a page goes through `count`, which shows the analysis's marker
("<5") for suppressed cells and also hides any count below the threshold that arrives
unmarked, so the site's threshold holds even for a bundle made with a lower one.
"""

import math

from django.utils import formats
from django.utils.translation import gettext as _

DASH = "–"


def is_marker(value):
    return isinstance(value, str) and value.startswith("<")


def missing(value):
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def number(value, decimals=2):
    """A localized number ("65.2" / "65,2"); markers pass through, missing values are a dash."""
    if is_marker(value):
        return value
    if missing(value):
        return DASH
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = formats.number_format(round(value, decimals), decimals, force_grouping=True)
    return text[1:] if text.startswith("-") and float(value) == 0 else text


def count(value, threshold):
    """A count of people: the marker for 1..threshold-1, else the integer."""
    if is_marker(value):
        return f"<{threshold}"
    if missing(value):
        return DASH
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if 0 < value < threshold:
        return f"<{threshold}"
    return formats.number_format(int(round(value)), 0, force_grouping=True)


def percent(value, decimals=1):
    if is_marker(value):
        return value
    if missing(value):
        return DASH
    return f"{number(value, decimals)} %"


def bounded(value, decimals=2):
    """Statistics bounded by 1 (alpha, r, p) without the leading zero, APA style."""
    text = number(value, decimals)
    for zero in ("0.", "0,"):
        if text.startswith(zero):
            return text[1:]
        if text.startswith("-" + zero):
            return "-" + text[2:]
    return text


def p_value(value):
    if missing(value):
        return DASH
    if value < 0.001:
        return "< " + bounded(0.001, 3)
    return bounded(value, 3)


def suppressed_note(threshold):
    return _("Cells with fewer than %(n)s people are shown as “<%(n)s” (suppressed).") % {"n": threshold}
