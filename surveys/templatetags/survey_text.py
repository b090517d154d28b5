from django import template
from django.forms.boundfield import BoundWidget
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()


@register.filter
def in_language(text, language):
    """An instrument text ({de, en}) in the respondent's language; empty when the text is absent."""
    return text.get(language) if text else ""


@register.simple_tag
def choice_input(choice: BoundWidget) -> str:
    """The <input> of one radio button or checkbox, as Django's widget template writes it.

    Built here rather than through the form renderer's template, which costs a template render per
    option: a page of Likert items has dozens, and they were most of a page view's time.
    """
    data = choice.data
    attrs = {"type": data["type"], "name": data["name"], "value": data["value"], **data["attrs"]}
    return format_html("<input{}>", flatatt(attrs))
