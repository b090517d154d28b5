from django import template

register = template.Library()


@register.filter
def in_language(text, language):
    """An instrument text ({de, en}) in the respondent's language; empty when the text is absent."""
    return text.get(language) if text else ""
