"""The standard-instrument library and the demo survey, checked against their published sources."""

from pathlib import Path

import pytest

from surveys.flow import visible_pages
from surveys.instrument_files import expand, library_codes, library_instrument, read_instrument_file
from surveys.instruments import LikertMatrix, Scale010

DEMO = Path(__file__).resolve().parents[2] / "surveys" / "demo" / "ai_platform_survey.yaml"
STANDARD = ["nps", "sus", "tam_bi", "tam_ee", "tam_pe", "trust", "umux_lite"]

# Brooke, J. (1996). SUS: A "quick and dirty" usability scale, items 1-10 in order.
BROOKE_1996 = [
    "I think that I would like to use this system frequently.",
    "I found the system unnecessarily complex.",
    "I thought the system was easy to use.",
    "I think that I would need the support of a technical person to be able to use this system.",
    "I found the various functions in this system were well integrated.",
    "I thought there was too much inconsistency in this system.",
    "I would imagine that most people would learn to use this system very quickly.",
    "I found the system very cumbersome to use.",
    "I felt very confident using the system.",
    "I needed to learn a lot of things before I could get going with this system.",
]


def only_matrix(code):
    (item,) = library_instrument(code).items
    assert isinstance(item, LikertMatrix)
    return item


def test_the_library_holds_every_standard_instrument():
    assert set(STANDARD) <= set(library_codes())


@pytest.mark.parametrize("code", STANDARD)
def test_library_instrument_loads_and_names_its_sources_and_scoring(code):
    instrument = library_instrument(code)

    assert instrument.code == code
    assert instrument.reference.strip()
    assert instrument.translation.strip()
    assert instrument.scoring["method"]


@pytest.mark.parametrize("code", STANDARD)
def test_reversed_items_in_scoring_are_exactly_the_reversed_rows(code):
    instrument = library_instrument(code)
    reversed_rows = [row.code for item in instrument.items for row in getattr(item, "rows", []) if row.reverse]

    assert instrument.scoring.get("reversed_items", []) == reversed_rows


def test_sus_has_brookes_ten_items_in_order_on_five_points():
    sus = only_matrix("sus")

    assert sus.points == 5
    assert [row.code for row in sus.rows] == [f"sus_{n:02d}" for n in range(1, 11)]
    assert sus.rows[0].text.en == "I think that I would like to use this system frequently."
    assert sus.rows[1].text.en == "I found the system unnecessarily complex."
    assert [row.text.en for row in sus.rows] == BROOKE_1996


def test_sus_odd_items_are_positive_and_even_items_reversed():
    sus = only_matrix("sus")

    assert [row.reverse for row in sus.rows] == [False, True] * 5
    assert library_instrument("sus").scoring["item_range"] == [1, 5]


def test_sus_keeps_the_word_system_in_every_item():
    assert all("system" in row.text.en and "System" in row.text.de for row in only_matrix("sus").rows)


def test_umux_lite_has_two_items_on_seven_points():
    umux = only_matrix("umux_lite")

    assert umux.points == 7
    assert [row.code for row in umux.rows] == ["umux_lite_1", "umux_lite_2"]
    assert umux.rows[0].text.en == "This system's capabilities meet my requirements."
    assert umux.rows[1].text.en == "This system is easy to use."


def test_nps_is_one_question_from_0_to_10_with_labelled_ends():
    nps = library_instrument("nps")
    (item,) = nps.items

    assert isinstance(item, Scale010)
    assert item.code == "nps"
    assert item.low.en == "Not at all likely" and item.high.en == "Extremely likely"
    assert nps.scoring["promoters"] == [9, 10]
    assert nps.scoring["detractors"] == list(range(0, 7))


@pytest.mark.parametrize(
    ("code", "points", "scales"),
    [
        ("tam_pe", 7, {"performance_expectancy": ["pe_1", "pe_2", "pe_3", "pe_4"]}),
        ("tam_ee", 7, {"effort_expectancy": ["ee_1", "ee_2", "ee_3", "ee_4"]}),
        ("tam_bi", 7, {"behavioural_intention": ["bi_1", "bi_2", "bi_3"]}),
        (
            "trust",
            5,
            {
                "reliability_competence": ["trust_1", "trust_2", "trust_3", "trust_4", "trust_5", "trust_6"],
                "trust_in_automation": ["trust_7", "trust_8"],
            },
        ),
    ],
)
def test_acceptance_and_trust_scales_put_every_row_in_its_scale(code, points, scales):
    matrix = only_matrix(code)
    rows_by_scale = {}
    for row in matrix.rows:
        rows_by_scale.setdefault(row.scale, []).append(row.code)

    assert matrix.points == points
    assert rows_by_scale == scales
    assert library_instrument(code).scoring["scales"] == scales


def test_trust_reverses_the_two_negatively_worded_tia_items():
    reversed_rows = {row.code: row.text.en for row in only_matrix("trust").rows if row.reverse}

    assert reversed_rows == {
        "trust_3": "A system malfunction is likely.",
        "trust_5": "The system might make sporadic errors.",
    }


@pytest.fixture(scope="module")
def demo():
    instrument, _definition = read_instrument_file(DEMO)
    return instrument


def test_demo_survey_validates_and_asks_for_consent_and_linkage(demo):
    assert demo.code == "ai_platform_survey"
    assert demo.consent.agree.de and demo.consent.linkage.en


def test_demo_survey_includes_sus_and_nps(demo):
    includes = {item.include for page in demo.pages for item in page.items if hasattr(item, "include")}
    expanded = expand(demo)

    assert {"sus", "nps"} <= includes
    assert expanded.item("sus").instrument == "sus"
    assert expanded.item("nps").instrument == "nps"


def test_sensitive_data_page_is_shown_only_to_those_who_entered_personal_data(demo):
    condition = demo.page("sensitive_data").show_if

    assert condition.item == "data_kinds"
    assert set(condition.includes_any) == {"personal_staff", "patient_pseudonymized", "patient_identifiable"}


def test_demo_data_kinds_offers_an_exclusive_none(demo):
    options = {option.code: option for option in expand(demo).item("data_kinds").options}

    assert options["none"].exclusive
    assert not options["patient_identifiable"].exclusive


def visible_page_codes(instrument, answers):
    return [page.code for page in visible_pages(expand(instrument), answers)]


def test_demo_routes_non_users_past_the_usage_pages(demo):
    assert visible_page_codes(demo, {"frequency": "never"}) == [
        "about_you", "usage", "non_use", "acceptance", "wishes",
    ]


def test_demo_asks_users_about_personal_data_only_when_they_entered_some(demo):
    public_only = visible_page_codes(demo, {"frequency": "weekly", "data_kinds": ["public"]})
    patient_data = visible_page_codes(demo, {"frequency": "weekly", "data_kinds": ["public", "patient_pseudonymized"]})

    assert "sensitive_data" not in public_only
    assert "sensitive_data" in patient_data
    assert "non_use" not in patient_data
