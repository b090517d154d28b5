"""What the platform's tokens cost: on the site's own hardware, and at reference cloud prices.

Prices are EUR per 1M tokens, separately for input (prompt) and output (completion) tokens. The
site's own price comes from UPTAKE_ONPREM_EUR_PER_M_INPUT / _OUTPUT (docs/platform-logs.md shows
how to derive it from hardware, power and staff); reference prices from UPTAKE_REFERENCE_PRICES
(JSON text or a JSON file) or, when that is empty, REFERENCE_PRICES below. Tokens are those of
the replies people got in the chat UI (LiteLLM's API tokens may be the same calls, so they are
not added on top).
"""

import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from analysis.disclosure import DEFAULT_THRESHOLD
from platform_logs.models import UsageEvent

ONPREM = "onprem"
# Vendor list prices (standard API tier, no batch or cache discounts) in USD per 1M tokens,
# converted at 1 USD = 0.96 EUR, as of the date below. Prices change: a site reporting costs
# should check them and set UPTAKE_REFERENCE_PRICES.
REFERENCE_PRICES = {
    "as_of": "2025-01-15",
    "note": "vendor list prices in USD converted at 1 USD = 0.96 EUR",
    "models": {
        "gpt-4o": {"eur_per_m_input": 2.40, "eur_per_m_output": 9.60},
        "gpt-4o-mini": {"eur_per_m_input": 0.14, "eur_per_m_output": 0.58},
        "claude-3.5-sonnet": {"eur_per_m_input": 2.88, "eur_per_m_output": 14.40},
    },
}
PER_MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    name: str
    eur_per_m_input: float
    eur_per_m_output: float

    def cost(self, tokens_in, tokens_out):
        """EUR for the given token counts."""
        return (tokens_in * self.eur_per_m_input + tokens_out * self.eur_per_m_output) / PER_MILLION


def onprem_price():
    """The site's own price, or None when the site has not set one."""
    prices = [_setting_float(name) for name in ("UPTAKE_ONPREM_EUR_PER_M_INPUT", "UPTAKE_ONPREM_EUR_PER_M_OUTPUT")]
    if prices == [None, None]:
        return None
    if None in prices:
        raise ImproperlyConfigured("set both UPTAKE_ONPREM_EUR_PER_M_INPUT and UPTAKE_ONPREM_EUR_PER_M_OUTPUT, or neither")
    return Price(ONPREM, *prices)


def reference_prices():
    """The reference price list: {"as_of": date, "note": text, "models": {name: {eur_per_m_input, eur_per_m_output}}}."""
    configured = (getattr(settings, "UPTAKE_REFERENCE_PRICES", "") or "").strip()
    if not configured:
        return REFERENCE_PRICES
    text = configured if configured.startswith("{") else _read_price_file(configured)
    try:
        prices = json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"UPTAKE_REFERENCE_PRICES: expected JSON, {error}") from None
    for name, entry in (prices.get("models") or {}).items() if isinstance(prices, dict) else [(None, None)]:
        if not (isinstance(entry, dict) and all(_is_price(entry.get(key)) for key in ("eur_per_m_input", "eur_per_m_output"))):
            raise ImproperlyConfigured(
                f"UPTAKE_REFERENCE_PRICES: expected {{\"as_of\": date, \"models\": {{name: {{\"eur_per_m_input\": number, "
                f"\"eur_per_m_output\": number}}}}}}, got {json.dumps(entry)[:80]} for {name!r}")
    return {"as_of": str(prices.get("as_of", "")), "note": str(prices.get("note", "")), "models": prices.get("models") or {}}


def prices():
    """Every price to cost tokens at: the site's own first (if set), then the references."""
    own = onprem_price()
    references = [Price(name, float(entry["eur_per_m_input"]), float(entry["eur_per_m_output"]))
                  for name, entry in reference_prices()["models"].items()]
    return ([own] if own else []) + references


def with_costs(tokens, price_list=None):
    """`tokens` (columns tokens_in, tokens_out) with one `cost_<price name>` column (EUR) per price."""
    result = tokens.copy()
    for price in price_list if price_list is not None else prices():
        result[f"cost_{price.name}"] = price.cost(tokens["tokens_in"], tokens["tokens_out"]).round(4)
    return result


def monthly_tokens(start, end):
    """Reply tokens per local calendar month in [start, end): index `month` ("2025-06"), tokens_in, tokens_out."""
    replies = (UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end, kind=UsageEvent.Kind.REPLY)
               .values_list("occurred_at", "tokens_in", "tokens_out"))
    frame = pd.DataFrame.from_records(replies.iterator(chunk_size=5000), columns=["occurred_at", "tokens_in", "tokens_out"])
    months = pd.period_range(_local(start), _local(end - timedelta(microseconds=1)), freq="M").strftime("%Y-%m")
    frame["month"] = pd.to_datetime(frame["occurred_at"], utc=True).dt.tz_convert(settings.TIME_ZONE).dt.strftime("%Y-%m")
    counts = frame[["tokens_in", "tokens_out"]].apply(pd.to_numeric, errors="coerce").fillna(0)
    monthly = counts.groupby(frame["month"]).sum().reindex(pd.Index(months, name="month"), fill_value=0)
    return monthly.astype("int64")


def costs_by_month(start, end, price_list=None):
    return with_costs(monthly_tokens(start, end), price_list)


def costs_by_group(table, group_column, threshold=DEFAULT_THRESHOLD, price_list=None):
    """Reply tokens and costs per value of `group_column` in an export table with usage columns.

    Only rows that carry usage (linked respondents) count. Groups with fewer than `threshold`
    people get no token or cost figures (`suppressed` 1): a small group's total would show one
    person's usage.
    """
    linked = table[table["usage_tokens_in"].notna() & table[group_column].notna()]
    grouped = linked.groupby(group_column)
    result = pd.DataFrame({
        "people": grouped.size(),
        "tokens_in": grouped["usage_tokens_in"].sum(),
        "tokens_out": grouped["usage_tokens_out"].sum(),
    }).astype("int64")
    result.index.name = "group"
    result = with_costs(result, price_list)
    small = result["people"] < threshold
    result = result.astype("float64")
    result.loc[small, result.columns.drop("people")] = math.nan
    result["suppressed"] = small.astype("int64")
    return result


def _setting_float(name):
    value = str(getattr(settings, name, "") or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected EUR per 1M tokens as a number like 0.35, got {value!r}") from None
    if not _is_price(number):
        raise ImproperlyConfigured(f"{name}: expected a price of 0 or more, got {value!r}")
    return number


def _is_price(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _read_price_file(path):
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ImproperlyConfigured(f"UPTAKE_REFERENCE_PRICES: expected JSON or a readable JSON file, {path}: "
                                   f"{error.strerror}") from None


def _local(moment):
    return pd.Timestamp(moment).tz_convert(settings.TIME_ZONE).tz_localize(None)
