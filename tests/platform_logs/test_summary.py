"""The platform summary for reports: active users per week and month, totals, and what the tokens cost.

`linked_wave` (conftest.py): in the window (June–August 2025, UTC) bob was active on Tue 15 July,
alice on Fri 1 and Wed 20 August, dave on Thu 21 August; carl only failed to log in (22 August).
Reply tokens: July 10,000 in / 20,000 out (bob); August 150,000 in / 550,000 out (alice).
"""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from platform_logs import costs
from platform_logs.features import active_users_by_period
from platform_logs.services import platform_summary

from .conftest import WINDOW

pytestmark = pytest.mark.django_db

PRICES = '{"as_of": "2025-01-15", "models": {"cloud": {"eur_per_m_input": 2.5, "eur_per_m_output": 10}}}'


@pytest.fixture
def priced(settings):
    settings.UPTAKE_ONPREM_EUR_PER_M_INPUT = "0.50"
    settings.UPTAKE_ONPREM_EUR_PER_M_OUTPUT = "1.50"
    settings.UPTAKE_REFERENCE_PRICES = PRICES
    settings.UPTAKE_SUPPRESSION_THRESHOLD = 0


def test_weekly_active_users_are_counted_per_monday_week(linked_wave):
    weeks = active_users_by_period(*WINDOW, "week")

    active = {str(week): users for week, users in weeks["active_users"].items() if users}
    assert active == {"2025-07-14": 1, "2025-07-28": 1, "2025-08-18": 2}  # bob; alice (1 Aug); alice + dave
    assert len(weeks) == 14  # 26 May (1 day in the window: Sunday 1 June) .. 25 August
    assert (weeks["days"].iloc[0], weeks["days"].iloc[-1]) == (1, 7)


def test_monthly_active_users_leave_out_failed_logins(linked_wave):
    months = active_users_by_period(*WINDOW, "month")

    assert {str(month): users for month, users in months["active_users"].items()} == {
        "2025-06-01": 0, "2025-07-01": 1, "2025-08-01": 2}  # carl's failed login does not count


def test_costs_per_month_follow_the_prices_per_million_tokens(linked_wave, priced):
    monthly = costs.costs_by_month(*WINDOW)

    august = monthly.loc["2025-08"]
    # on-prem: 150,000 × 0.50 / 1M + 550,000 × 1.50 / 1M = 0.075 + 0.825
    assert august["cost_onprem"] == pytest.approx(0.90)
    # cloud: 150,000 × 2.50 / 1M + 550,000 × 10 / 1M = 0.375 + 5.5
    assert august["cost_cloud"] == pytest.approx(5.875)
    # July: 10,000 × 0.50 / 1M + 20,000 × 1.50 / 1M = 0.005 + 0.03
    assert monthly.loc["2025-07", "cost_onprem"] == pytest.approx(0.035)
    assert monthly.loc["2025-06", "tokens_in"] == 0


def test_costs_per_group_count_linked_respondents_and_suppress_small_groups(linked_wave, priced):
    from platform_logs.export import wave_table_with_usage

    table, _codebook = wave_table_with_usage(linked_wave)

    groups = costs.costs_by_group(table, "role", threshold=1)
    assert groups.loc[1, "people"] == 1 and groups.loc[1, "cost_onprem"] == pytest.approx(0.90)  # alice, physician
    assert groups.loc[2, "people"] == 1 and groups.loc[2, "cost_cloud"] == 0  # erin; bob is not linked
    suppressed = costs.costs_by_group(table, "role", threshold=2)
    assert suppressed["suppressed"].tolist() == [1, 1] and suppressed["cost_onprem"].isna().all()


def test_reference_prices_default_to_a_dated_list(settings):
    settings.UPTAKE_REFERENCE_PRICES = ""

    references = costs.reference_prices()

    assert references["as_of"] and len(references["models"]) >= 2


def test_reference_prices_can_come_from_a_file(settings, tmp_path):
    (tmp_path / "prices.json").write_text(PRICES, encoding="utf-8")
    settings.UPTAKE_REFERENCE_PRICES = str(tmp_path / "prices.json")

    assert [price.name for price in costs.prices()] == ["cloud"]


@pytest.mark.parametrize("setting, value, message", [
    ("UPTAKE_REFERENCE_PRICES", '{"models": {"x": {"eur_per_m_input": -1, "eur_per_m_output": 2}}}', "'x'"),
    ("UPTAKE_REFERENCE_PRICES", "/nonexistent/prices.json", "readable JSON file"),
    ("UPTAKE_ONPREM_EUR_PER_M_INPUT", "cheap", "a number like 0.35"),
])
def test_a_misconfigured_price_says_which_setting_and_what_it_expects(settings, setting, value, message):
    setattr(settings, setting, value)
    settings.UPTAKE_ONPREM_EUR_PER_M_OUTPUT = settings.UPTAKE_ONPREM_EUR_PER_M_OUTPUT or "1"
    settings.UPTAKE_ONPREM_EUR_PER_M_INPUT = settings.UPTAKE_ONPREM_EUR_PER_M_INPUT or "1"

    with pytest.raises(ImproperlyConfigured, match=message):
        costs.prices()


def test_the_platform_summary_is_json_with_its_documented_keys(linked_wave, priced):
    summary = platform_summary(linked_wave)

    assert list(summary) == ["window", "daily", "weekly_active_users", "monthly_active_users", "totals", "costs"]
    assert summary["window"] == {"start": "2025-06-01T00:00:00+00:00", "end": "2025-09-01T00:00:00+00:00", "days": 92,
                                 "set_for_wave": True}
    assert len(summary["daily"]) == 92 and summary["daily"][0]["day"] == "2025-06-01"
    assert summary["monthly_active_users"][-1] == {"month": "2025-08-01", "active_users": 2, "days": 31}
    assert summary["totals"]["active_users"] == 3 and summary["totals"]["tokens_out"] == 570_000
    assert summary["costs"]["total"] == {"onprem": pytest.approx(0.935), "cloud": pytest.approx(6.1)}
    assert [group["group"] for group in summary["costs"]["by_group"]] == [1, 2]
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
