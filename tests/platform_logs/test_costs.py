"""The on-premises cost model against the worked example in docs/platform-logs.md.

The inputs are read from the example's YAML block and the expected numbers from its bold figures,
which were worked out by hand in the text: docs and code cannot drift apart.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from platform_logs import costs

DOC = Path(__file__).resolve().parents[2] / "docs" / "platform-logs.md"


def worked_example():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("**Worked example**"):text.index("## Demo usage")]
    inputs = yaml.safe_load(section.split("```yaml", 1)[1].split("```", 1)[0])
    bold = [value.replace(",", "") for value in re.findall(r"\*\*(?:EUR )?([\d,.]+)[^*]*\*\*", section)]
    return inputs, [float(value) for value in bold]


@pytest.fixture
def site(settings):
    inputs, _ = worked_example()
    for key, value in inputs.items():
        setattr(settings, f"UPTAKE_{key.upper()}", str(value))
    settings.UPTAKE_REFERENCE_PRICES = ""
    return inputs


def test_the_worked_example_in_the_docs_is_what_the_cost_model_computes(site):
    _, (annual, observed, capacity, utilisation_percent, gpt4o, break_even, peak_percent) = worked_example()
    service = costs.onprem_service()

    result = costs.economics(service, tokens_in=30_000_000, tokens_out=7_500_000, days=90,
                             peak_hour={"tokens_out": 450_000}, price_list=costs.prices())

    assert result["annual_eur"] == pytest.approx(annual)
    assert result["observed_eur_per_m"] == pytest.approx(observed)
    assert result["capacity_eur_per_m"] == pytest.approx(capacity)
    assert round(result["utilisation"] * 100, 2) == pytest.approx(utilisation_percent)
    cloud = {row["name"]: row for row in result["cloud"]}
    assert cloud["gpt-4o"]["eur_per_m"] == pytest.approx(gpt4o)
    assert cloud["gpt-4o"]["annual_eur"] == pytest.approx(584.00)
    assert cloud["gpt-4o"]["break_even_annual_tokens"] == pytest.approx(break_even, abs=1)
    assert round(result["peak_hour_utilisation"] * 100, 1) == pytest.approx(peak_percent)


def test_the_window_carries_its_share_of_the_fixed_annual_cost(site):
    result = costs.economics(costs.onprem_service(), 1_000, 1_000, 73, {"tokens_out": 0}, [])

    assert result["window_eur"] == pytest.approx(20_153.60 * 73 / 365, abs=0.01)  # a fifth of the year


def test_without_throughput_there_is_no_capacity_price_but_the_observed_one(site, settings):
    settings.UPTAKE_ONPREM_TOKENS_PER_S_INPUT = ""
    settings.UPTAKE_ONPREM_TOKENS_PER_S_OUTPUT = ""

    result = costs.economics(costs.onprem_service(), 30_000_000, 7_500_000, 90, {"tokens_out": 450_000}, [])

    assert result["capacity_eur_per_m"] is None and result["peak_hour_utilisation"] is None
    assert result["observed_eur_per_m"] == pytest.approx(132.52)


def test_no_cost_settings_mean_no_on_premises_service(settings):
    for name in costs.ONPREM_COST_SETTINGS:
        setattr(settings, name, "")

    assert costs.onprem_service() is None


def test_a_partial_cost_setting_names_what_is_missing(site, settings):
    settings.UPTAKE_ONPREM_POWER_KW = ""

    with pytest.raises(ImproperlyConfigured, match="UPTAKE_ONPREM_POWER_KW"):
        costs.onprem_service()


@pytest.mark.django_db
def test_the_busiest_hour_and_the_generation_speed_come_from_the_reply_durations():
    from datetime import datetime, timezone

    from platform_logs.models import UsageEvent

    def reply(key, hour, minute, tokens_out, seconds):
        UsageEvent.objects.create(event_key=key, source="generic", kind=UsageEvent.Kind.REPLY, tokens_out=tokens_out,
                                  occurred_at=datetime(2025, 8, 1, hour, minute, tzinfo=timezone.utc),
                                  duration_seconds=seconds)

    reply("a", 10, 5, 1_000, 30)
    reply("b", 10, 40, 2_000, 60)
    reply("c", 11, 15, 2_500, 90)

    load = costs.peak_hour_load(datetime(2025, 8, 1, tzinfo=timezone.utc), datetime(2025, 8, 2, tzinfo=timezone.utc))

    # 10:00-11:00 carries 3,000 output tokens (11:00 only 2,500); 90 s of generation in 3,600 s;
    # over the day 5,500 tokens in 180 s of generation.
    assert load == {"tokens_out": 3_000, "concurrency": 0.025, "tokens_per_s_per_reply": 30.56}
