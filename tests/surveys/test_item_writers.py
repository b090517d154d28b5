"""Every item type an instrument may use has the function that writes it on a page."""

from surveys.instruments import ITEM_TYPES
from surveys.templatetags.survey_text import ITEM_WRITERS


def test_every_item_type_is_written_by_a_function():
    assert set(ITEM_WRITERS) == set(ITEM_TYPES)
