"""Checks that span fields of an instrument, and error messages that point into the YAML file.

pydantic validates each field; here: codes unique across items and matrix rows, conditions that use
only answers from earlier pages and real option codes, label counts that match the scale. Every
problem is reported with the file's line and the YAML path, e.g. `survey.yaml line 52 (pages[3].items[0].points)`.
"""

import yaml
from django.utils.translation import gettext as _

from surveys.instruments import ITEM_TYPES, LikertMatrix


def check_consistency(instrument):
    """Return (path, message) for the first problem, or None."""
    variables = {}
    seen_items = {}
    for page_index, page in enumerate(instrument.pages):
        page_path = ["pages", page_index]
        if page.show_if:
            problem = _check_condition(page.show_if, seen_items, page_path + ["show_if"])
            if problem:
                return problem
        page_items = {}
        for item_index, item in enumerate(page.items):
            path = page_path + ["items", item_index]
            if item.show_if:
                problem = _check_condition(item.show_if, seen_items, path + ["show_if"])
                if problem:
                    return problem
            for name in _variable_codes(item):
                if name in variables:
                    return path + ["code"], _("code %(code)r is already used at %(place)s") % {"code": name, "place": variables[name]}
                variables[name] = format_path(path)
            if hasattr(item, "options"):
                codes = [option.code for option in item.options]
                duplicates = sorted({code for code in codes if codes.count(code) > 1})
                if duplicates:
                    return path + ["options"], _("option code %(code)r is used twice") % {"code": duplicates[0]}
                if item.other and "other" in codes:
                    return path + ["options"], _("option code 'other' is reserved for the 'other:' text")
            if hasattr(item, "labels"):
                labels = item.labels
                if isinstance(labels, str):
                    if labels not in instrument.label_sets:
                        return path + ["labels"], _("unknown label set %(labels)r; expected one of %(known)s") % {
                            "labels": labels, "known": sorted(instrument.label_sets) or _("none defined")}
                    labels = instrument.label_sets[labels]
                if len(labels) != item.points:
                    return path + ["labels"], _("expected %(points)s labels for a %(points)s-point scale, got %(found)s") % {
                        "points": item.points, "found": len(labels)}
            if getattr(item, "min", None) is not None and getattr(item, "max", None) is not None and item.min > item.max:
                return path + ["min"], _("min %(min)s is greater than max %(max)s") % {"min": item.min, "max": item.max}
            page_items[item.code] = item
            for row in getattr(item, "rows", []):
                page_items[row.code] = item
        seen_items.update(page_items)
    return None


def _variable_codes(item):
    if isinstance(item, LikertMatrix):
        return [item.code] + [row.code for row in item.rows]
    return [item.code]


def _check_condition(condition, earlier_items, path):
    tests = condition.tests
    combinators = [name for name in ("all", "any", "not_") if getattr(condition, name) is not None]
    if condition.item is None and not combinators:
        return path, _("a condition needs `item:` with a test, or `all:`, `any:` or `not:`")
    if condition.item is not None:
        if combinators or len(tests) != 1:
            return path, _("a condition on `item:` needs exactly one test (equals, not_equals, in, includes, includes_any, "
                           "answered, gte, lte)")
        item = earlier_items.get(condition.item)
        if item is None:
            return path + ["item"], _("%(item)r is not an item on an earlier page (conditions may only use answers already "
                                      "given)") % {"item": condition.item}
        values = []
        for name in ("equals", "not_equals", "includes"):
            if name in tests:
                values.append(tests[name])
        values += list(tests.get("in", [])) + list(tests.get("includes_any", []))
        if hasattr(item, "options") and values:
            known = {option.code for option in item.options} | ({"other"} if item.other else set())
            unknown = [value for value in values if value not in known]
            if unknown:
                return path, _("%(value)r is not an option of %(item)r; expected one of %(known)s") % {
                    "value": unknown[0], "item": condition.item, "known": sorted(known)}
        return None
    for index, child in enumerate((condition.all or []) + (condition.any or [])):
        key = "all" if condition.all else "any"
        problem = _check_condition(child, earlier_items, path + [key, index])
        if problem:
            return problem
    if condition.not_:
        return _check_condition(condition.not_, earlier_items, path + ["not"])
    return None


# --- error messages with YAML path and line ---


def describe_validation_error(exc, data, source, text):
    lines = []
    for error in exc.errors()[:5]:
        path = _data_path(error["loc"], data)
        lines.append(f"{source}{line_of(text, path)} ({format_path(path)}): {_explain(error)}")
    more = exc.error_count() - 5
    if more > 0:
        lines.append(_("... and %(count)s more problems") % {"count": more})
    return "\n".join(lines)


def _explain(error):
    if error["type"] == "missing":
        return _("required field is missing")
    if error["type"] == "extra_forbidden":
        return _("unknown field (check the spelling; see docs/instrument-format.md)")
    if error["type"] == "union_tag_invalid" or error["type"] == "union_tag_not_found":
        return _("unknown item type; expected `type:` one of %(types)s or `include:`") % {"types": ", ".join(ITEM_TYPES)}
    if error["type"] == "string_type":
        return _("expected text, got %(found)r (quote words YAML reads as booleans: yes, no, on, off)") % {"found": error["input"]}
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    if error["type"] == "string_pattern_mismatch":
        return _("expected a code of lower-case letters, digits and _ starting with a letter (max 40)")
    if error["type"] == "literal_error":  # pydantic's "Input should be 5 or 7", its "or" in the page's language
        first, _or, last = error["ctx"]["expected"].rpartition(" or ")
        return _("Input should be %(expected)s") % {"expected": _("%(first)s or %(last)s") % {"first": first, "last": last}
                                                    if first else last}
    return error["msg"]


def _data_path(loc, data):
    """Drop pydantic's union-tag entries from a location so it matches the YAML document."""
    path, node = [], data
    for index, key in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            path.append(key)
            node = node[key]
        elif isinstance(node, dict) and key in node:
            path.append(key)
            node = node[key]
        elif isinstance(node, dict) and key == "in_" and "in" in node:
            path.append("in")
            node = node["in"]
        elif last or not isinstance(node, dict) or key not in ITEM_TYPES + ("include",):
            path.append(key)
            node = None
    return path


def format_path(path):
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def line_of(text, path):
    """' line N' where the YAML node at path (or its nearest parent) starts, if text is known."""
    if not text:
        return ""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return ""
    line = node.start_mark.line if node is not None else None
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for name, value in node.value if name.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
        line = node.start_mark.line
    return " " + _("line %(line)s") % {"line": line + 1} if line is not None else ""
