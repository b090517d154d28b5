"""Conditions of other survey tools, translated into Uptake's `show_if` where they mean the same.

LimeSurvey ExpressionScript (`Q1.NAOK == "A1" and !is_empty(Q2)`), XLSForm (`${q1} = 'a1' or
selected(${q2}, 'x')`) and REDCap branching logic (`[q1] = "1" and [q2(3)] = "1"`) share one small
grammar: comparisons of earlier answers with literals, combined with and/or/not. That part is
parsed here and translated with the help of a resolver that knows each source variable; anything
else raises Untranslatable, and the importer keeps the expression verbatim with a warning.

"Not equal" holds for an unanswered question in all three tools, so `!=` becomes
`not: {equals: ...}` (true when unanswered), never Uptake's `not_equals` (false when unanswered).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DIALECTS = ("limesurvey", "xlsform", "redcap")
TYPOGRAPHIC_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
REFERENCES = {
    "limesurvey": r"(?P<ref>[A-Za-z][A-Za-z0-9_]*)(?:\.(?:NAOK|value|code))?(?![A-Za-z0-9_.(])",
    "xlsform": r"\$\{(?P<ref>[^}\s]+)\}|(?P<current>\.)(?![0-9])",
    "redcap": r"(?P<event>\[[^\]]+\])?\[(?P<ref>[A-Za-z0-9_]+(?:\([^)\s]+\))?)\]",
}
TOKEN = r"""
    (?P<space>\s+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|<>|>=|<=|=|<|>|&&|\|\||!|\(|\)|,)
  | {reference}
  | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
"""
WORD_OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "and": "and", "or": "or",
                  "not": "not"}
SYMBOL_OPERATORS = {"&&": "and", "||": "or", "!": "not", "<>": "!=", "=": "=="}
FLIPPED = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
ALWAYS = {"1", "true", "true()"}


class Untranslatable(ValueError):
    """An expression (or part) Uptake cannot express; the message says which part and why."""


@dataclass(frozen=True)
class Target:
    """What a source variable is in Uptake: the item it became and how its values map.

    kind: choice (one option code), multi (several option codes), option (one option of a
    multiple choice, as LimeSurvey's Q_SQ001 or REDCap's [q(code)]), number, text.
    values maps a source value to the stored Uptake value (option code or number).
    """

    item: str
    kind: str
    values: dict = field(default_factory=dict)
    option: str | None = None


def is_always(expression):
    return (expression or "").strip().lower() in ALWAYS | {""}


def translate(expression: str, dialect: str, resolve: Callable[[str], Target]) -> dict | None:
    """The Uptake condition (a dict for `show_if`) for a source expression, or None if it always holds.

    resolve(name) returns the Target of a source variable or raises Untranslatable.
    """
    if is_always(expression):
        return None
    tree = parse(expression, dialect)
    return _condition(tree, resolve)


def referenced_items(condition):
    """Item codes a translated condition tests."""
    if "item" in condition:
        yield condition["item"]
    for child in condition.get("all", []) + condition.get("any", []):
        yield from referenced_items(child)
    if "not" in condition:
        yield from referenced_items(condition["not"])


# --- parsing ---------------------------------------------------------------------------------


def tokens(expression, dialect):
    pattern = re.compile(TOKEN.format(reference=REFERENCES[dialect]), re.VERBOSE)
    text = expression.translate(TYPOGRAPHIC_QUOTES)
    found, position = [], 0
    while position < len(text):
        match = pattern.match(text, position)
        if match is None:
            raise Untranslatable(_("cannot read %(text)r") % {"text": text[position:position + 20]})
        position = match.end()
        kind = match.lastgroup
        if kind == "space":
            continue
        if match.groupdict().get("event"):
            raise Untranslatable(_("refers to another event of a longitudinal project"))
        reference = match.groupdict().get("ref")
        if reference is not None and reference.lower() in WORD_OPERATORS and dialect == "limesurvey":
            found.append(("op", WORD_OPERATORS[reference.lower()]))
        elif reference is not None:
            found.append(("ref", reference))
        elif kind == "current":
            found.append(("ref", "."))
        elif kind == "string":
            found.append(("literal", match.group(kind)[1:-1]))
        elif kind == "number":
            found.append(("literal", match.group(kind)))
        elif kind == "op":
            symbol = match.group(kind)
            found.append(("op", SYMBOL_OPERATORS.get(symbol, symbol)))
        elif match.group(kind).lower() in WORD_OPERATORS:
            found.append(("op", WORD_OPERATORS[match.group(kind).lower()]))
        else:
            found.append(("word", match.group(kind)))
    return found


def parse(expression: str, dialect: str) -> tuple:
    """A tree of ("and"|"or", [..]), ("not", x), ("cmp", op, left, right), ("call", name, [args]),
    ("ref", name), ("literal", text), ("true",)."""
    parser = _Parser(tokens(expression, dialect))
    tree = parser.disjunction()
    if parser.peek() is not None:
        raise Untranslatable(_("unexpected %(token)r") % {"token": parser.peek()[1]})
    return tree


class _Parser:
    def __init__(self, found):
        self.found, self.position = found, 0

    def peek(self):
        return self.found[self.position] if self.position < len(self.found) else None

    def take(self, expected=None):
        token = self.peek()
        if token is None or (expected and token != ("op", expected)):
            raise Untranslatable(_("expected %(expected)s at the end") % {"expected": expected or _("more")} if token is None else
                                 _("expected %(expected)r, got %(found)r") % {"expected": expected, "found": token[1]})
        self.position += 1
        return token

    def disjunction(self):
        parts = [self.conjunction()]
        while self.peek() == ("op", "or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self):
        parts = [self.negation()]
        while self.peek() == ("op", "and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def negation(self):
        if self.peek() == ("op", "not"):
            self.take()
            return ("not", self.negation())
        return self.comparison()

    def comparison(self):
        if self.peek() == ("op", "("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        left = self.operand()
        token = self.peek()
        if token and token[0] == "op" and token[1] in FLIPPED:
            self.take()
            return ("cmp", token[1], left, self.operand())
        return left

    def operand(self):
        token = self.take()
        if token[0] in ("ref", "literal"):
            return token
        if token[0] == "word" and self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.disjunction())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            return ("call", token[1].lower(), args)
        if token[0] == "word" and token[1].lower() == "true":
            return ("true",)
        raise Untranslatable(_("unexpected %(token)r") % {"token": token[1]})


# --- translation -----------------------------------------------------------------------------


def _condition(tree, resolve):
    kind = tree[0]
    if kind in ("and", "or"):
        return {"all" if kind == "and" else "any": [_condition(part, resolve) for part in tree[1]]}
    if kind == "not":
        return negated(_condition(tree[1], resolve))
    if kind == "cmp":
        return _comparison(*tree[1:], resolve)
    if kind == "call":
        return _call(tree[1], tree[2], resolve)
    raise Untranslatable(_("%(expression)s alone is not a test of an answer") % {"expression": _show(tree)})


def _call(name, args, resolve):
    if name == "is_empty" and len(args) == 1 and args[0][0] == "ref":
        return {"item": resolve(args[0][1]).item, "answered": False}
    if name == "not" and len(args) == 1:
        return negated(_condition(args[0], resolve))
    if name == "selected" and len(args) == 2 and args[0][0] == "ref" and args[1][0] == "literal":
        target = resolve(args[0][1])
        value = _option(target, args[1][1])
        return {"item": target.item, "includes" if target.kind == "multi" else "equals": value}
    raise Untranslatable(_("function %(name)s() has no Uptake equivalent") % {"name": name})


def _comparison(op, left, right, resolve):
    if left[0] != "ref" and right[0] == "ref":
        op, left, right = FLIPPED[op], right, left
    if left[0] != "ref" or right[0] != "literal":
        raise Untranslatable(_("%(expression)s does not compare an answer with a value") % {
            "expression": f"{_show(left)} {op} {_show(right)}"})
    target, literal = resolve(left[1]), right[1]
    if literal == "" and op in ("==", "!="):
        return {"item": target.item, "answered": op == "!="}
    if target.kind == "option":
        return _option_flag(target, op, literal)
    if target.kind == "choice" and op not in ("==", "!="):
        return _ordered_choice(target, op, literal)
    if target.kind in ("choice", "text"):
        if op not in ("==", "!="):
            raise Untranslatable(_("%(op)s on a text answer") % {"op": op})
        value = _option(target, literal) if target.kind == "choice" else literal
        return _equality(target.item, op, value)
    if target.kind == "number":
        return _numeric(target, op, literal)
    raise Untranslatable(_("%(item)s holds several answers; compare with selected() or one option") % {"item": left[1]})


def negated(condition):
    if set(condition) == {"not"}:
        return condition["not"]
    if "answered" in condition:
        return {"item": condition["item"], "answered": not condition["answered"]}
    return {"not": condition}


def _equality(item, op, value):
    test = {"item": item, "equals": value}
    return test if op == "==" else {"not": test}


def _ordered_choice(target, op, literal):
    """REDCap's `[pain] >= 3` on a radio with numeric codes: the options whose code satisfies it."""
    try:
        bound = float(literal)
        codes = {float(raw): code for raw, code in target.values.items() if raw not in ("-oth-", "other")}
    except ValueError:
        raise Untranslatable(_("%(op)s on a choice answer whose codes are not numbers") % {"op": op}) from None
    test = {"<": float.__lt__, ">": float.__gt__, "<=": float.__le__, ">=": float.__ge__}[op]
    return {"item": target.item, "in": [code for number, code in codes.items() if test(number, bound)]}


def _option(target, literal):
    if target.kind == "choice" or target.kind == "multi":
        if literal not in target.values:
            raise Untranslatable(_("%(value)r is not an option of %(item)s") % {"value": literal, "item": target.item})
        return target.values[literal]
    raise Untranslatable(_("%(item)s has no options") % {"item": target.item})


def _option_flag(target, op, literal):
    """LimeSurvey Q_SQ001 == "Y", REDCap [q(1)] = "1": is one option of a multiple choice ticked."""
    chosen = literal.upper() in ("Y", "1")
    if not chosen and literal.upper() not in ("N", "0"):
        raise Untranslatable(_("an option is ticked or not, not %(value)r") % {"value": literal})
    if op not in ("==", "!="):
        raise Untranslatable(_("%(op)s on a ticked option") % {"op": op})
    test = {"item": target.item, "includes": target.option}
    return test if chosen == (op == "==") else {"not": test}


def _numeric(target, op, literal):
    raw = target.values.get(literal, literal)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise Untranslatable(_("%(value)r is not a number") % {"value": literal}) from None
    value = int(number) if number.is_integer() else number
    if op in ("==", "!="):
        return _equality(target.item, op, value)
    if op in (">=", "<="):
        return {"item": target.item, "gte" if op == ">=" else "lte": value}
    # Strict comparisons: answered and not the opposite closed test (unanswered is neither > nor <).
    opposite = "lte" if op == ">" else "gte"
    return {"all": [{"item": target.item, "answered": True}, {"not": {"item": target.item, opposite: value}}]}


def _show(tree):
    if tree[0] in ("ref", "literal"):
        return str(tree[1])
    if tree[0] == "call":
        return f"{tree[1]}()"
    return tree[0]
