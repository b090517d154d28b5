"""Instrument definitions: the YAML format, its validation, and standard-instrument includes.

An instrument is authored as a YAML file (see docs/instrument-format.md), validated here and stored
as JSON on an InstrumentVersion. The stored form keeps `include:` references as written, so an
export is the same file a researcher imported; `expand` resolves them against the library in
surveys/library/ when the survey runs or is exported.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
NOT_APPLICABLE = "na"


class InstrumentError(ValueError):
    """An instrument definition that cannot be used; the message names file, line and YAML path."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both survey languages."""

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language):
        return self.en if language == "en" else self.de


Code = Annotated[str, Field(pattern=CODE_PATTERN)]


class Condition(Strict):
    """Show an item or page only when earlier answers match.

    Exactly one form per condition: a test on one item, or all/any/not over conditions.
    """

    item: Code | None = None
    equals: str | int | float | None = None
    not_equals: str | int | float | None = None
    in_: list[str | int] | None = Field(default=None, alias="in")
    includes: str | None = None
    includes_any: list[str] | None = None
    answered: bool | None = None
    gte: float | None = None
    lte: float | None = None
    all: list["Condition"] | None = None
    any: list["Condition"] | None = None
    not_: "Condition | None" = Field(default=None, alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def tests(self):
        return {
            name: value
            for name, value in (
                ("equals", self.equals),
                ("not_equals", self.not_equals),
                ("in", self.in_),
                ("includes", self.includes),
                ("includes_any", self.includes_any),
                ("answered", self.answered),
                ("gte", self.gte),
                ("lte", self.lte),
            )
            if value is not None
        }

    def referenced_items(self):
        if self.item:
            yield self.item
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            yield from child.referenced_items()


class Option(Strict):
    code: Code
    label: Text
    value: int | None = None
    exclusive: bool = False  # e.g. "none of these": deselects the others


class ItemBase(Strict):
    code: Code
    text: Text
    help: Text | None = None
    required: bool = False
    show_if: Condition | None = None
    instrument: Code | None = None
    scale: Code | None = None
    reverse: bool = False


class ChoiceItem(ItemBase):
    options: list[Option] = Field(min_length=1)
    other: Text | None = None
    randomize: bool = False

    def coded_value(self, option_code):
        for position, option in enumerate(self.options, start=1):
            if option.code == option_code:
                return option.value if option.value is not None else position
        return None


class SingleChoice(ChoiceItem):
    type: Literal["single_choice"]


class MultipleChoice(ChoiceItem):
    type: Literal["multiple_choice"]


class Dropdown(ChoiceItem):
    type: Literal["dropdown"]


class LikertScale(Strict):
    points: Literal[5, 7]
    labels: list[Text] | str
    not_applicable: Text | None = None


class Likert(ItemBase, LikertScale):
    type: Literal["likert"]


class MatrixRow(Strict):
    code: Code
    text: Text
    reverse: bool = False
    scale: Code | None = None


class LikertMatrix(ItemBase, LikertScale):
    type: Literal["likert_matrix"]
    rows: list[MatrixRow] = Field(min_length=1)


class Scale010(ItemBase):
    type: Literal["scale_0_10"]
    low: Text | None = None
    high: Text | None = None


class Number(ItemBase):
    type: Literal["number"]
    min: float | None = None
    max: float | None = None
    integer: bool = True
    unit: Text | None = None


class ShortText(ItemBase):
    type: Literal["text"]
    max_length: int = Field(default=200, ge=1, le=1000)


class LongText(ItemBase):
    type: Literal["textarea"]
    max_length: int = Field(default=5000, ge=1, le=20000)


class Include(Strict):
    """A standard instrument from the library, by its code (e.g. `include: sus`)."""

    include: Code
    required: bool | None = None


def _item_tag(value):
    if isinstance(value, dict):
        return "include" if "include" in value else value.get("type")
    return getattr(value, "type", "include")


Item = Annotated[
    Union[
        Annotated[SingleChoice, Tag("single_choice")],
        Annotated[MultipleChoice, Tag("multiple_choice")],
        Annotated[Dropdown, Tag("dropdown")],
        Annotated[Likert, Tag("likert")],
        Annotated[LikertMatrix, Tag("likert_matrix")],
        Annotated[Scale010, Tag("scale_0_10")],
        Annotated[Number, Tag("number")],
        Annotated[ShortText, Tag("text")],
        Annotated[LongText, Tag("textarea")],
        Annotated[Include, Tag("include")],
    ],
    Discriminator(_item_tag),
]
ITEM_TYPES = ("single_choice", "multiple_choice", "dropdown", "likert", "likert_matrix",
              "scale_0_10", "number", "text", "textarea")


class Page(Strict):
    code: Code
    title: Text | None = None
    intro: Text | None = None
    show_if: Condition | None = None
    items: list[Item] = Field(min_length=1)


class Consent(Strict):
    agree: Text
    linkage: Text | None = None  # asked in pseudonymous waves only


class Instrument(Strict):
    code: Code
    title: Text
    information: Text
    consent: Consent
    thanks: Text
    label_sets: dict[Code, list[Text]] = Field(default_factory=dict)
    pages: list[Page] = Field(min_length=1)

    @field_validator("pages")
    @classmethod
    def _unique_page_codes(cls, pages):
        seen = set()
        for page in pages:
            if page.code in seen:
                raise ValueError(f"page code {page.code!r} is used twice")
            seen.add(page.code)
        return pages

    # --- helpers used once expanded -------------------------------------------------------
    def page(self, code):
        for page in self.pages:
            if page.code == code:
                return page
        return None

    def items(self):
        for page in self.pages:
            for item in page.items:
                yield page, item

    def item(self, code):
        for _page, item in self.items():
            if item.code == code:
                return item
        return None

    def likert_labels(self, item):
        if isinstance(item.labels, str):
            return self.label_sets[item.labels]
        return item.labels


class LibraryInstrument(Strict):
    """A standard instrument (SUS, UMUX-LITE ...) with its published wording and scoring."""

    code: Code
    name: str
    reference: str
    translation: str | None = None
    scoring: dict[str, Any]
    label_sets: dict[Code, list[Text]] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)


# --- parsing ----------------------------------------------------------------------------------


def parse_instrument_yaml(text, source="instrument"):
    """Validate YAML text and return (Instrument, definition dict as stored)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        started = f"; {exc.context} that starts on line {context.line + 1}" if context and exc.context else ""
        raise InstrumentError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)}{started})") from exc
    if not isinstance(data, dict):
        raise InstrumentError(f"{source}: expected a mapping with code, title, pages ..., got {type(data).__name__}")
    instrument = validate_definition(data, source=source, text=text)
    return instrument, instrument.model_dump(mode="json", exclude_unset=True, by_alias=True)


def validate_definition(data, source="instrument", text=None):
    """Validate a definition (as loaded from YAML or JSON) including its includes."""
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(_describe(exc, data, source, text)) from None
    expanded = expand(instrument, source=source)
    problem = _check_consistency(expanded)
    if problem:
        path, message = problem
        raise InstrumentError(f"{source}{_line_of(text, path)} ({_format_path(path)}): {message}")
    return instrument


def resolve(definition):
    """The definition with standard instruments written out, as respondents will see it.

    Versions store this, so a later edit of a library file cannot change what a frozen version
    showed; importing the same file after such an edit yields a new version.
    """
    expanded = expand(Instrument.model_validate(definition))
    return expanded.model_dump(mode="json", exclude_unset=True, by_alias=True)


def load_definition(resolved):
    """The Instrument for a stored resolved definition (cached by content)."""
    return _load_cached(json.dumps(resolved, sort_keys=True))


@lru_cache(maxsize=64)
def _load_cached(resolved_json):
    return Instrument.model_validate(json.loads(resolved_json))


def definition_checksum(definition):
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


KEY_ORDER = ("code", "type", "include", "title", "text", "label", "help", "required", "show_if")


def dump_yaml(definition):
    """YAML for a stored definition, with code/type/text first so a person can read and diff it."""
    return yaml.safe_dump(_ordered(definition), sort_keys=False, allow_unicode=True, width=100)


def _ordered(node):
    if isinstance(node, list):
        return [_ordered(value) for value in node]
    if not isinstance(node, dict):
        return node
    rank = lambda key: KEY_ORDER.index(key) if key in KEY_ORDER else len(KEY_ORDER)
    return {key: _ordered(node[key]) for key in sorted(node, key=rank)}


# --- the standard-instrument library ------------------------------------------------------------


@lru_cache(maxsize=None)
def library_instrument(code):
    path = LIBRARY_DIR / f"{code}.yaml"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        return LibraryInstrument.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise InstrumentError(_describe(exc, yaml.safe_load(text), str(path), text)) from None


def library_codes():
    return sorted(path.stem for path in LIBRARY_DIR.glob("*.yaml"))


def expand(instrument, source="instrument"):
    """Replace `include:` items by the library's items, tagged with their instrument code."""
    label_sets = dict(instrument.label_sets)
    pages = []
    for page_index, page in enumerate(instrument.pages):
        items = []
        for item_index, item in enumerate(page.items):
            if not isinstance(item, Include):
                items.append(item)
                continue
            library = library_instrument(item.include)
            if library is None:
                raise InstrumentError(
                    f"{source} (pages[{page_index}].items[{item_index}].include): unknown standard instrument "
                    f"{item.include!r}; expected one of {', '.join(library_codes())}"
                )
            label_sets.update(library.label_sets)
            for included in library.items:
                update = {"instrument": library.code}
                if item.required is not None:
                    update["required"] = item.required
                items.append(included.model_copy(update=update))
        pages.append(page.model_copy(update={"items": items}))
    return instrument.model_copy(update={"pages": pages, "label_sets": label_sets})


# --- consistency checks beyond single fields ----------------------------------------------------


def _check_consistency(instrument):
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
                    return path + ["code"], f"code {name!r} is already used at {variables[name]}"
                variables[name] = _format_path(path)
            if hasattr(item, "options"):
                codes = [option.code for option in item.options]
                duplicates = sorted({code for code in codes if codes.count(code) > 1})
                if duplicates:
                    return path + ["options"], f"option code {duplicates[0]!r} is used twice"
                if item.other and "other" in codes:
                    return path + ["options"], "option code 'other' is reserved for the 'other:' text"
            if hasattr(item, "labels"):
                labels = item.labels
                if isinstance(labels, str):
                    if labels not in instrument.label_sets:
                        return path + ["labels"], (
                            f"unknown label set {labels!r}; expected one of {sorted(instrument.label_sets) or 'none defined'}"
                        )
                    labels = instrument.label_sets[labels]
                if len(labels) != item.points:
                    return path + ["labels"], f"expected {item.points} labels for a {item.points}-point scale, got {len(labels)}"
            if getattr(item, "min", None) is not None and getattr(item, "max", None) is not None and item.min > item.max:
                return path + ["min"], f"min {item.min} is greater than max {item.max}"
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
        return path, "a condition needs `item:` with a test, or `all:`, `any:` or `not:`"
    if condition.item is not None:
        if combinators or len(tests) != 1:
            return path, "a condition on `item:` needs exactly one test (equals, not_equals, in, includes, includes_any, answered, gte, lte)"
        item = earlier_items.get(condition.item)
        if item is None:
            return path + ["item"], f"{condition.item!r} is not an item on an earlier page (conditions may only use answers already given)"
        values = []
        for name in ("equals", "not_equals", "includes"):
            if name in tests:
                values.append(tests[name])
        values += list(tests.get("in", [])) + list(tests.get("includes_any", []))
        if hasattr(item, "options") and values:
            known = {option.code for option in item.options} | ({"other"} if item.other else set())
            unknown = [value for value in values if value not in known]
            if unknown:
                return path, f"{unknown[0]!r} is not an option of {condition.item!r}; expected one of {sorted(known)}"
        return None
    for index, child in enumerate((condition.all or []) + (condition.any or [])):
        key = "all" if condition.all else "any"
        problem = _check_condition(child, earlier_items, path + [key, index])
        if problem:
            return problem
    if condition.not_:
        return _check_condition(condition.not_, earlier_items, path + ["not"])
    return None


# --- error messages with YAML path and line -----------------------------------------------------


def _describe(exc, data, source, text):
    lines = []
    for error in exc.errors()[:5]:
        path = _data_path(error["loc"], data)
        lines.append(f"{source}{_line_of(text, path)} ({_format_path(path)}): {_explain(error)}")
    more = exc.error_count() - 5
    if more > 0:
        lines.append(f"... and {more} more problems")
    return "\n".join(lines)


def _explain(error):
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see docs/instrument-format.md)"
    if error["type"] == "union_tag_invalid" or error["type"] == "union_tag_not_found":
        return f"unknown item type; expected `type:` one of {', '.join(ITEM_TYPES)} or `include:`"
    if error["type"] == "string_type":
        return f"expected text, got {error['input']!r} (quote words YAML reads as booleans: yes, no, on, off)"
    if error["type"] == "string_pattern_mismatch":
        return "expected a code of lower-case letters, digits and _ starting with a letter (max 40)"
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


def _format_path(path):
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def _line_of(text, path):
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
    return f" line {line + 1}" if line is not None else ""


def read_instrument_file(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(f"{path}: cannot read the file ({exc})") from exc
    return parse_instrument_yaml(text, source=str(path))


def option_order(item, seed):
    """Options in display order: as defined, or shuffled stably per respondent when randomized."""
    if not getattr(item, "randomize", False):
        return list(item.options)
    key = lambda option: hashlib.sha256(f"{seed}:{item.code}:{option.code}".encode()).hexdigest()
    movable = [option for option in item.options if not option.exclusive]
    fixed = [option for option in item.options if option.exclusive]
    return sorted(movable, key=key) + fixed

