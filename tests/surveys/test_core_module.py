"""The consortium core module: every site asks identical items, and only identical items pool."""

from pathlib import Path

import pytest

from surveys.instrument_files import (
    CORE_MODULE,
    core_version,
    expand,
    item_fingerprint,
    library_instrument,
    parse_instrument_yaml,
    read_instrument_file,
)
from surveys.instruments import InstrumentError

DEMO = Path(__file__).resolve().parents[2] / "surveys" / "demo" / "ai_platform_survey.yaml"

SITE_WITH_CORE = """
code: site_b
title: {de: Standort B, en: Site B}
information: {de: Informationen., en: Information.}
consent: {agree: {de: Ja., en: Yes.}}
thanks: {de: Danke!, en: Thanks!}
pages:
  - code: core
    items:
      - include: platform_core
        items: [%s]
      - code: own_question
        type: likert
        points: 5
        labels:
          - {de: a, en: a}
          - {de: b, en: b}
          - {de: c, en: c}
          - {de: d, en: d}
          - {de: e, en: e}
        text: {de: Eine eigene Frage des Standorts., en: A question of this site only.}
"""


def test_the_core_covers_the_constructs_of_published_platform_surveys():
    core = library_instrument(CORE_MODULE)
    codes = [item.code for item in core.items]
    assert codes == ["frequency", "channel", "non_use_reasons", "use_cases", "data_kinds", "reliability",
                     "perceived_privacy", "hallucinations"]
    rows = [row.code for row in core.items[codes.index("reliability")].rows]
    assert rows == ["rel_availability", "rel_speed", "rel_answer_quality"]
    assert [option.code for option in core.items[1].options][:2] == ["chat", "api"]
    assert core.companions == ["sus", "umux_lite", "trust"]
    assert core_version()["instruments"] == ["platform_core", "sus", "umux_lite", "trust"]


def test_a_site_includes_chosen_core_items_and_adds_its_own_beside_them():
    instrument, _ = parse_instrument_yaml(SITE_WITH_CORE % "frequency, perceived_privacy")
    items = expand(instrument).pages[0].items
    assert [item.code for item in items] == ["frequency", "perceived_privacy", "own_question"]
    assert [item.instrument for item in items] == [CORE_MODULE, CORE_MODULE, None]


def test_an_unknown_core_item_is_refused_with_its_place_and_the_choices():
    with pytest.raises(InstrumentError, match=r"items\): platform_core has no item 'frequncy'; expected one of frequency"):
        parse_instrument_yaml(SITE_WITH_CORE % "frequncy")


def test_the_demo_asks_the_core_items_word_for_word():
    instrument, _ = read_instrument_file(DEMO)
    demo_items = {item.code: item for _page, item in expand(instrument).items()}
    core = library_instrument(CORE_MODULE)
    for item in core.items:
        assert item_fingerprint(demo_items[item.code]) == item_fingerprint(item), item.code


def test_a_changed_wording_is_a_different_item_but_required_is_not():
    frequency = library_instrument(CORE_MODULE).items[0]
    reworded_text = frequency.text.model_copy(update={"en": "How often do you use the platform?"})
    assert item_fingerprint(frequency.model_copy(update={"text": reworded_text})) != item_fingerprint(frequency)
    assert item_fingerprint(frequency.model_copy(update={"required": False})) == item_fingerprint(frequency)


def test_a_label_set_reference_fingerprints_as_the_labels_it_names():
    # the demo's own `rules_clarity` names the label set agree5; written out, it reads the same
    instrument, _ = read_instrument_file(DEMO)
    expanded = expand(instrument)
    item = expanded.item("rules_clarity")
    written_out = item.model_copy(update={"labels": expanded.label_sets["agree5"]})
    assert item_fingerprint(item, expanded.label_sets) == item_fingerprint(written_out)


def test_the_core_version_is_a_content_hash():
    version = core_version()
    assert version["code"] == CORE_MODULE
    assert len(version["sha256"]) == 64 and version == core_version()
