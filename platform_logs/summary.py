"""The platform in a wave's usage window as one JSON-serializable dict: what reports show about usage and cost."""

import math

from django.conf import settings

from platform_logs import costs
from platform_logs.export import wave_table_with_usage
from platform_logs.features import active_users_by_period, platform_daily, usage_window, window_totals
from platform_logs.models import UsageWindow


def summarize(wave):
    """The platform in the wave's usage window, for reports: a JSON-serializable dict, keys in a fixed order.

    Keys (docs/platform-logs.md, "Platform summary"): window, daily, weekly_active_users,
    monthly_active_users, totals, costs (with onprem_economics when the site's annual cost is set:
    platform_logs.costs.economics). Costs per group need the export's group column
    (settings.UPTAKE_COST_GROUP_ITEM) and count linked respondents only; small groups are suppressed.
    """
    start, end = usage_window(wave)
    custom = UsageWindow.objects.filter(wave=wave).exists()
    daily = platform_daily(start, end)
    price_list = costs.prices()
    references = costs.reference_prices()
    totals = window_totals(start, end)
    total_cost = {price.name: round(price.cost(totals["tokens_in"], totals["tokens_out"]), 4) for price in price_list}
    service = costs.onprem_service()
    economics = costs.economics(service, totals["tokens_in"], totals["tokens_out"], (end - start).days,
                                costs.peak_hour_load(start, end), price_list) if service else None
    group_item = settings.UPTAKE_COST_GROUP_ITEM
    by_group = []
    if group_item:
        table, _codebook = wave_table_with_usage(wave)
        if group_item in table:
            threshold = getattr(settings, "UPTAKE_SUPPRESSION_THRESHOLD", 0)
            by_group = _records(costs.costs_by_group(table, group_item, threshold, price_list), "group")
    return {
        "window": {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days,
                   "set_for_wave": custom},
        "daily": _records(daily, "day"),
        "weekly_active_users": _records(active_users_by_period(start, end, "week"), "week"),
        "monthly_active_users": _records(active_users_by_period(start, end, "month"), "month"),
        "totals": totals,
        "costs": {
            "currency": "EUR",
            "tokens": "replies in the chat UI (input and output tokens)",
            "prices": [{"name": price.name, "eur_per_m_input": price.eur_per_m_input,
                        "eur_per_m_output": price.eur_per_m_output} for price in price_list],
            "reference_prices_as_of": references["as_of"],
            "reference_prices_note": references["note"],
            "total": total_cost,
            "monthly": _records(costs.costs_by_month(start, end, price_list), "month"),
            "group_item": group_item if by_group else "",
            "by_group": by_group,
            "onprem_economics": economics,
        },
    }


def _records(frame, index_name):
    """DataFrame rows as plain dicts (index first); NaN becomes None, dates ISO strings, numpy numbers Python ones."""
    rows = []
    for label, values in frame.iterrows():
        row = {index_name: label.isoformat() if hasattr(label, "isoformat") else _plain(label)}
        row.update({name: _plain(value) for name, value in values.items()})
        rows.append(row)
    return rows


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    return value
