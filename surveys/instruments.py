"""The instrument definition format: pages, item types, conditions and standard-instrument includes.

An instrument is authored as a YAML file (see docs/instrument-format.md); these pydantic models
validate each field. Reading, writing and resolving files is in surveys.instrument_files, checks
that span fields (unique codes, conditions on earlier pages) in surveys.instrument_checks.
"""

import hashlib
from typing import Annotated, Any, Literal, Union

from django.conf.locale import LANG_INFO
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
NOT_APPLICABLE = "na"


class InstrumentError(ValueError):
    """An instrument definition that cannot be used; the message names file, line and YAML path."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both survey languages, plus any further languages an imported questionnaire had.

    Respondents see German or English; other languages (e.g. `et` from a LimeSurvey archive) are
    kept so that nothing of the source is lost and an export can carry them back.
    """

    de: str = Field(min_length=1)
    en: str = Field(min_length=1)
    __pydantic_extra__: dict[str, str]

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="after")
    def _known_languages(self):
        for language, text in (self.model_extra or {}).items():
            if language not in LANG_INFO:
                raise ValueError(f"unknown field {language!r}: expected de, en or another language code (et, fr, ...)")
            if not text:
                raise ValueError(f"the {language!r} text is empty")
        return self

    @property
    def languages(self):
        return ["de", "en", *sorted(self.model_extra or {})]

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
    never_export: bool = False  # identifying (e.g. REDCap's "Identifier?"): stored, never in an export
    untranslated: dict[str, str] | None = None  # source-tool logic Uptake could not express; not evaluated


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
    """A standard instrument from the library, by its code (e.g. `include: sus`).

    `items` picks some of its items by code, so a module such as the consortium core can be
    spread over a site's own pages (`include: platform_core`, `items: [frequency]`).
    """

    include: Code
    required: bool | None = None
    items: list[Code] | None = None


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
    untranslated: dict[str, str] | None = None  # source-tool logic Uptake could not express; not evaluated
    items: list[Item] = Field(min_length=1)


class Consent(Strict):
    agree: Text
    linkage: Text | None = None  # asked in pseudonymous waves only


class Instrument(Strict):
    code: Code
    title: Text
    information: Text
    # True only when the information text tells respondents that open answers may be processed by the
    # site's own language model (coding/services.py refuses model coding otherwise).
    open_answers_to_site_model: bool = False
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
    name: Text
    reference: str
    translation: str | None = None
    scoring: dict[str, Any]
    companions: list[Code] = Field(default_factory=list)  # library instruments that belong to this module
    label_sets: dict[Code, list[Text]] = Field(default_factory=dict)
    items: list[Item] = Field(min_length=1)


def option_order(item, seed):
    """Options in display order: as defined, or shuffled stably per respondent when randomized."""
    if not getattr(item, "randomize", False):
        return list(item.options)
    key = lambda option: hashlib.sha256(f"{seed}:{item.code}:{option.code}".encode()).hexdigest()
    movable = [option for option in item.options if not option.exclusive]
    fixed = [option for option in item.options if option.exclusive]
    return sorted(movable, key=key) + fixed
