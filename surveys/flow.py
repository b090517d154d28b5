"""Which pages a respondent sees, given their answers so far.

Pure functions over an expanded instrument and a dict of answers (item or matrix-row code -> value),
so routing can be reasoned about and tested without a database.
"""

from surveys.instruments import LikertMatrix


def condition_holds(condition, answers):
    if condition is None:
        return True
    if condition.all is not None:
        return all(condition_holds(child, answers) for child in condition.all)
    if condition.any is not None:
        return any(condition_holds(child, answers) for child in condition.any)
    if condition.not_ is not None:
        return not condition_holds(condition.not_, answers)
    value = answers.get(condition.item)
    (test, expected), = condition.tests.items()
    if test == "answered":
        return (value not in (None, "", [])) == expected
    if value is None:
        return False
    if test == "equals":
        return value == expected
    if test == "not_equals":
        return value != expected
    if test == "in":
        return value in expected
    if test == "includes":
        return isinstance(value, list) and expected in value
    if test == "includes_any":
        return isinstance(value, list) and any(code in value for code in expected)
    if not isinstance(value, (int, float)):
        return False
    return value >= expected if test == "gte" else value <= expected


def visible_pages(instrument, answers):
    return [page for page in instrument.pages if condition_holds(page.show_if, answers)]


def expected_page_count(instrument, answers):
    """Pages shown so far plus conditional pages whose deciding answers are not given yet (for progress)."""
    def undecided(page):
        return any(answers.get(code) is None for code in page.show_if.referenced_items())

    return sum(1 for page in instrument.pages if condition_holds(page.show_if, answers) or undecided(page))


def visible_items(page, answers):
    return [item for item in page.items if condition_holds(item.show_if, answers)]


def page_after(instrument, answers, page_code):
    pages = visible_pages(instrument, answers)
    codes = [page.code for page in pages]
    if page_code not in codes:
        return pages[0] if pages else None
    index = codes.index(page_code)
    return pages[index + 1] if index + 1 < len(pages) else None


def page_before(instrument, answers, page_code):
    pages = visible_pages(instrument, answers)
    codes = [page.code for page in pages]
    if page_code not in codes or codes.index(page_code) == 0:
        return None
    return pages[codes.index(page_code) - 1]


def page_position(instrument, page_code):
    """Index of a page in the full definition order (for 'furthest page reached')."""
    for index, page in enumerate(instrument.pages):
        if page.code == page_code:
            return index
    return -1


def answer_codes(item):
    """The codes under which an item's answers are stored: the item, or each matrix row."""
    if isinstance(item, LikertMatrix):
        return [row.code for row in item.rows]
    return [item.code]


def missing_required(instrument, answers):
    """(page, item) of the first required item on a visible page that has no answer, or None."""
    for page in visible_pages(instrument, answers):
        for item in visible_items(page, answers):
            if not item.required:
                continue
            for code in answer_codes(item):
                if answers.get(code) in (None, "", []):
                    return page, item
    return None


def hidden_answer_codes(instrument, answers):
    """Codes of stored answers whose item is no longer shown (an earlier answer changed)."""
    shown = set()
    for page in visible_pages(instrument, answers):
        for item in visible_items(page, answers):
            shown.update(answer_codes(item))
    return [code for code in answers if code not in shown]

