"""Numbers as the report prints them: localized decimals, and small counts never shown.

Every count that reaches a page goes through `count`, which shows the analysis's marker
("<5") for suppressed cells and also hides any count below the threshold that arrives
unmarked, so the site's threshold holds even for a bundle made with a lower one.
"""

import math
import re

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analysis import apa
from analysis.disclosure import SECONDARY

DASH = "–"


def is_marker(value):
    """A suppressed cell: "<5" (a small count) or SECONDARY (hidden to protect a small count elsewhere);
    not a p value "< .001"."""
    return isinstance(value, str) and (re.fullmatch(r"<\d+", value) is not None or value == SECONDARY)


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
    return text[1:] if text.startswith("-") and round(value, decimals) == 0 else text  # "-0.00" reads as a sign


def count(value, threshold):
    """A count of people: the marker for 1..threshold-1, else the integer."""
    if value == SECONDARY:
        return SECONDARY
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
    """Statistics bounded by 1 (alpha, r, loadings) without the leading zero: analysis.apa's rule, localised."""
    if is_marker(value):
        return value
    if missing(value):
        return DASH
    return apa_text(apa.number(float(value), decimals, leading_zero=False))


def interval(low, high, decimals=2, bounded_by_one=False):
    """A confidence interval "[60.7, 67.1]"; with decimal commas the bounds are split by a semicolon."""
    shown = bounded if bounded_by_one else number
    separator = "; " if formats.get_format("DECIMAL_SEPARATOR") == "," else ", "
    return f"[{shown(low, decimals)}{separator}{shown(high, decimals)}]"


def apa_text(text):
    """An APA string from the analysis (analysis.apa) in the language the report is rendered in."""
    return apa.localise(text or "", (get_language() or "en")[:2])


def p_value(value):
    """A p value as APA prints it in a table ("< .001", ".012", "> .999"): analysis.apa's rule, localised."""
    if missing(value):
        return DASH
    return apa_text(apa.pvalue(float(value), with_symbol=False))


def suppressed_note(threshold):
    return _("Cells with fewer than %(n)s people are shown as “<%(n)s” (suppressed).") % {"n": threshold}


def secondary_note():
    return _("“%(marker)s”: withheld so that a suppressed cell cannot be worked out from the total (secondary "
             "suppression); the count itself may be large.") % {"marker": SECONDARY}
