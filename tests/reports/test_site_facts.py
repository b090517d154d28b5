"""A report says which site facts are missing and when its cloud prices are old, instead of dropping rows."""

from django.utils import translation

from reports import strategy
from reports.services import site_gaps


def test_missing_site_facts_are_named(settings):
    settings.UPTAKE_STAFF_COUNT = None
    settings.UPTAKE_REFERENCE_PRICES = ""
    for name in ("UPTAKE_ONPREM_HARDWARE_EUR", "UPTAKE_ONPREM_HARDWARE_YEARS", "UPTAKE_ONPREM_POWER_KW",
                 "UPTAKE_ONPREM_EUR_PER_KWH", "UPTAKE_ONPREM_STAFF_EUR_PER_YEAR", "UPTAKE_ONPREM_EUR_PER_M_INPUT",
                 "UPTAKE_ONPREM_EUR_PER_M_OUTPUT"):
        setattr(settings, name, "")

    assert site_gaps() == ["staff_count", "onprem_cost", "reference_prices"]


def test_a_complete_site_has_no_gaps(settings):
    settings.UPTAKE_STAFF_COUNT = 322
    settings.UPTAKE_REFERENCE_PRICES = '{"as_of": "2026-11-01", "models": {"x": {"eur_per_m_input": 1, "eur_per_m_output": 2}}}'
    for name, value in (("HARDWARE_EUR", "45000"), ("HARDWARE_YEARS", "5"), ("POWER_KW", "1.2"), ("EUR_PER_KWH", "0.3"),
                        ("STAFF_EUR_PER_YEAR", "8000"), ("TOKENS_PER_S_INPUT", "8000"), ("TOKENS_PER_S_OUTPUT", "800")):
        setattr(settings, f"UPTAKE_ONPREM_{name}", value)

    assert site_gaps() == []


def test_reference_prices_older_than_a_year_carry_a_warning():
    platform = {"totals": {"tokens_in": 8, "tokens_out": 2},
                "costs": {"prices": [{"name": "x"}], "reference_prices_as_of": "2025-01-15"}}

    with translation.override("en"):
        assert "more than a year old" in strategy.cost_note(platform, "2026-11-30")
        assert "more than a year old" not in strategy.cost_note(platform, "2025-12-01")
