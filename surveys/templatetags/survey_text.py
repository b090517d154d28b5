from django import template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def in_language(text, language):
    """An instrument text ({de, en}) in the respondent's language; empty when the text is absent."""
    return text.get(language) if text else ""


def html_attributes(attrs: dict) -> str:
    """Attributes as django.forms.utils.flatatt writes them (sorted, True as a bare name after the
    others, False and None left out), without its per-attribute format_html."""
    pairs = sorted((name, value) for name, value in attrs.items() if not isinstance(value, bool) and value is not None)
    flags = sorted(name for name, value in attrs.items() if value is True)
    return "".join(f' {name}="{escape(value)}"' for name, value in pairs) + "".join(f" {name}" for name in flags)


@register.simple_tag
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
        end = f'<span class="visually-hidden"> – {escape(ends[index])}</span>' if index in ends else ""
        rows.append(f'<div class="choice"><input{html_attributes(attrs)}><label for="{escape(choice.id_for_label)}">'
                    f"{conditional_escape(choice.choice_label)}{end}</label></div>")
    return mark_safe("\n      ".join(rows))


# A field's required mark, help and error text, and the aria-describedby that points at them: written here
# rather than in included templates, because a page of matrix rows included three small templates per row.

@register.simple_tag
def required_mark(item) -> str:
    return mark_safe(f' <span class="required">({escape(gettext("required"))})</span>') if item.required else ""


@register.simple_tag
def described_by(field: BoundField) -> str:
    """` aria-describedby="…"` naming the field's help and error paragraphs (`field_notes`), or nothing."""
    ids = [f"{field.auto_id}-help"] * bool(field.help_text) + [f"{field.auto_id}-error"] * bool(field.errors)
    return mark_safe(f' aria-describedby="{escape(" ".join(ids))}"') if ids else ""


@register.simple_tag
def field_notes(field: BoundField) -> str:
    """The field's help paragraph and its error paragraph (each when there is one)."""
    help_text = (f'<p class="help" id="{escape(field.auto_id)}-help">{conditional_escape(field.help_text)}</p>'
                 if field.help_text else "")
    errors = (f'<p class="field-error" id="{escape(field.auto_id)}-error"><span class="visually-hidden">'
              f'{escape(gettext("Error:"))} </span>{conditional_escape(" ".join(field.errors))}</p>'
              if field.errors else "")
    return mark_safe(f"{help_text}\n{errors}")
