from html import escape as escape_text

from django import template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def in_language(text, language):
    """An instrument text ({de, en}) in the respondent's language; empty when the text is absent."""
    return text.get(language) if text else ""


def html_attributes(attrs: dict) -> str:
    """Attributes as django.forms.utils.flatatt writes them (sorted, True as a bare name after the
    others, False and None left out), without its per-attribute format_html. Escaped by the standard
    library's html.escape, which Django's escape() calls after a lazy-string check per call (a page of
    Likert rows escapes some 60 attributes)."""
    pairs = sorted((name, value) for name, value in attrs.items() if not isinstance(value, bool) and value is not None)
    flags = sorted(name for name, value in attrs.items() if value is True)
    return "".join(f' {name}="{escape_text(str(value))}"' for name, value in pairs) + "".join(f" {name}" for name in flags)


def choices(field: BoundField, item, language: str) -> str:
    """The radio buttons or checkboxes of one field, each with its label, as Django's widget
    template writes the <input>.

    Built here rather than in a template loop with the form renderer: a page of Likert items has
    dozens of options, and a template node per option attribute was most of a page view's time.
    The ends of a 0-10 scale are read out with its first and last option.
    """
    ends = {}
    if item.type == "scale_0_10" and item.low:
        ends = {0: in_language(item.low, language), len(field) - 1: in_language(item.high, language)}
    rows = []
    for index, choice in enumerate(field):
        data = choice.data
        attrs = {"type": data["type"], "name": data["name"], "value": data["value"], **data["attrs"]}
        end = f'<span class="visually-hidden"> – {escape_text(ends[index])}</span>' if index in ends else ""
        rows.append(f'<div class="choice"><input{html_attributes(attrs)}><label for="{escape_text(choice.id_for_label)}">'
                    f"{conditional_escape(choice.choice_label)}{end}</label></div>")
    return mark_safe("\n      ".join(rows))


# The items of a page: written here rather than in one included template per item (and three more per field for
# its required mark, help and errors), because those includes were most of a respondent's page view. The markup
# follows Django's form templates: a fieldset with a legend for options, a label for one input.

@register.simple_tag
def page_items(groups, language: str) -> str:
    """Each item of the page (`groups` of PageForm.bound_groups: item, its fields, its "other" field)."""
    return mark_safe("\n".join(ITEM_WRITERS[item.type](item, fields, other, language) for item, fields, other in groups))


def _choice_item(item, fields, other, language: str) -> str:
    field = fields[0]
    identifier = escape_text(field.auto_id)
    ends = ""
    if item.type == "scale_0_10" and item.low:
        ends = (f'\n  <p class="scale-ends" aria-hidden="true"><span>0 = {escape_text(in_language(item.low, language) or "")}'
                f'</span><span>10 = {escape_text(in_language(item.high, language) or "")}</span></p>')
    return (f'<fieldset class="item item-{item.type}{_error_class(field)}" id="{identifier}-label"{described_by(field)}>\n'
            f'  <legend>{conditional_escape(field.label)}{required_mark(item)}</legend>\n'
            f'  {field_notes(field)}{ends}\n'
            f'  <div class="choices choices-{item.type}">\n      {choices(field, item, language)}\n  </div>\n'
            f'{_other_field(other)}</fieldset>')


def _input_item(item, fields, other, language: str) -> str:
    field = fields[0]
    identifier = escape_text(field.auto_id)
    unit = getattr(item, "unit", None)  # numbers only
    unit = f' <span class="unit">{escape_text(in_language(unit, language) or "")}</span>' if unit else ""
    return (f'<div class="item item-{item.type}{_error_class(field)}">\n'
            f'  <label for="{identifier}" id="{identifier}-label">{conditional_escape(field.label)}'
            f'{required_mark(item)}</label>\n'
            f'  {field_notes(field)}\n  {field}{unit}\n{_other_field(other)}</div>')


def _matrix_item(item, fields, other, language: str) -> str:
    help_text = f'\n  <p class="help">{escape_text(in_language(item.help, language) or "")}</p>' if item.help else ""
    rows = "".join(
        f'\n  <fieldset class="matrix-row{_error_class(field)}" id="{escape_text(field.auto_id)}-label"{described_by(field)}>\n'
        f'    <legend>{conditional_escape(field.label)}</legend>\n    {field_notes(field)}\n'
        f'    <div class="choices choices-likert">\n      {choices(field, item, language)}\n    </div>\n  </fieldset>'
        for field in fields)
    return (f'<fieldset class="item item-likert_matrix">\n'
            f'  <legend>{escape_text(in_language(item.text, language) or "")}{required_mark(item)}</legend>{help_text}{rows}\n'
            f'</fieldset>')


def _other_field(other) -> str:
    """The text box for "Other, namely:" below the options, when the item has one."""
    if other is None:
        return ""
    return (f'  <div class="other{_error_class(other)}">\n'
            f'    <label for="{escape_text(other.auto_id)}" id="{escape_text(other.auto_id)}-label">{conditional_escape(other.label)}'
            f'</label>\n'
            f'    {field_notes(other)}\n    {other}\n  </div>\n')


def _error_class(field: BoundField) -> str:
    return " has-error" if field.errors else ""


# How each item type (surveys.instruments.ITEM_TYPES) is written: options, one input, or a matrix of Likert rows.
ITEM_WRITERS = {"single_choice": _choice_item, "multiple_choice": _choice_item, "likert": _choice_item,
                "scale_0_10": _choice_item, "dropdown": _input_item, "number": _input_item, "text": _input_item,
                "textarea": _input_item, "likert_matrix": _matrix_item}


def required_mark(item) -> str:
    return f' <span class="required">({escape_text(gettext("required"))})</span>' if item.required else ""


def described_by(field: BoundField) -> str:
    """` aria-describedby="…"` naming the field's help and error paragraphs (`field_notes`), or nothing."""
    identifier = escape_text(field.auto_id)
    ids = [f"{identifier}-help"] * bool(field.help_text) + [f"{identifier}-error"] * bool(field.errors)
    return f' aria-describedby="{" ".join(ids)}"' if ids else ""


def field_notes(field: BoundField) -> str:
    """The field's help paragraph and its error paragraph (each when there is one)."""
    identifier = escape_text(field.auto_id)
    help_text = (f'<p class="help" id="{identifier}-help">{conditional_escape(field.help_text)}</p>'
                 if field.help_text else "")
    errors = (f'<p class="field-error" id="{identifier}-error"><span class="visually-hidden">'
              f'{escape_text(gettext("Error:"))} </span>{conditional_escape(" ".join(field.errors))}</p>'
              if field.errors else "")
    return f"{help_text}\n{errors}"
