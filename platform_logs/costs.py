"""What the platform's tokens cost: on the site's own hardware, and at reference cloud prices.

Prices are EUR per 1M tokens, separately for input (prompt) and output (completion) tokens.
On-premises the cost is fixed: hardware written off over its years, power and staff
(UPTAKE_ONPREM_*; docs/platform-logs.md, "What a token costs on-premises"). Divided by the tokens
actually served it gives the price at the observed utilisation (for a few hundred users on one
H100, far above the cloud); divided by what the hardware can serve at full load, the capacity
price. A site may instead set a fixed own price (UPTAKE_ONPREM_EUR_PER_M_INPUT / _OUTPUT).
Reference prices come from UPTAKE_REFERENCE_PRICES (JSON text or a JSON file) or, when that is
empty, REFERENCE_PRICES below. Tokens are those of the replies people got in the chat UI
(LiteLLM's API tokens may be the same calls, so they are not added on top).
"""

import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
HOURS_PER_YEAR = 8_760
SECONDS_PER_YEAR = HOURS_PER_YEAR * 3_600
DAYS_PER_YEAR = 365
ONPREM_COST_SETTINGS = ("UPTAKE_ONPREM_HARDWARE_EUR", "UPTAKE_ONPREM_HARDWARE_YEARS", "UPTAKE_ONPREM_POWER_KW",
                        "UPTAKE_ONPREM_EUR_PER_KWH", "UPTAKE_ONPREM_STAFF_EUR_PER_YEAR")
THROUGHPUT_SETTINGS = ("UPTAKE_ONPREM_TOKENS_PER_S_INPUT", "UPTAKE_ONPREM_TOKENS_PER_S_OUTPUT")


@dataclass(frozen=True)
class Price:
    name: str
    eur_per_m_input: float
    eur_per_m_output: float

    def cost(self, tokens_in, tokens_out):
        """EUR for the given token counts."""
        return (tokens_in * self.eur_per_m_input + tokens_out * self.eur_per_m_output) / PER_MILLION


@dataclass(frozen=True)
class OnpremService:
    """The site's own service as the cost model sees it: what it costs a year and what it can serve."""

    hardware_eur: float
    hardware_years: float
    power_kw: float
    eur_per_kwh: float
    staff_eur_per_year: float
    tokens_per_s_input: float | None = None
    tokens_per_s_output: float | None = None

    @property
    def annual_eur(self) -> float:
        return (self.hardware_eur / self.hardware_years + self.power_kw * HOURS_PER_YEAR * self.eur_per_kwh
                + self.staff_eur_per_year)

    @property
    def has_throughput(self) -> bool:
        return bool(self.tokens_per_s_input and self.tokens_per_s_output)

    def seconds_per_million(self, input_share: float) -> float:
        """Busy seconds to serve 1M tokens of which `input_share` are input tokens, at full load."""
        return PER_MILLION * (input_share / self.tokens_per_s_input + (1 - input_share) / self.tokens_per_s_output)


def onprem_service() -> OnpremService | None:
    """The site's own service from the settings, or None when no cost is set (all or none of the five)."""
    values = {name: _setting_float(name) for name in ONPREM_COST_SETTINGS}
    if all(value is None for value in values.values()):
        return None
    missing = [name for name, value in values.items() if value is None]
    if missing:
        raise ImproperlyConfigured(f"{missing[0]}: the on-premises cost needs all of {', '.join(ONPREM_COST_SETTINGS)}")
    if not values["UPTAKE_ONPREM_HARDWARE_YEARS"]:
        raise ImproperlyConfigured("UPTAKE_ONPREM_HARDWARE_YEARS: expected the years the hardware is used, more than 0")
    throughput = [_setting_float(name) for name in THROUGHPUT_SETTINGS]
    if any(rate == 0 for rate in throughput):
        raise ImproperlyConfigured("UPTAKE_ONPREM_TOKENS_PER_S_*: expected tokens per second, more than 0")
    return OnpremService(*values.values(), *throughput)


def economics(service: OnpremService, tokens_in: int, tokens_out: int, days: float, peak_hour: dict,
              price_list: list[Price]) -> dict:
    """On-premises against the cloud for the usage observed in `days` days, as leadership asks it.

    - observed: the annual cost divided by the tokens served in a year at this volume;
    - capacity: the annual cost divided by what the hardware serves of the same token mix at full load;
    - cloud: each reference price for the same mix, and what this volume would cost there a year;
    - break-even: the yearly volume at which the cloud would cost as much as the service;
    - headroom: the busiest hour's output tokens (`peak_hour`, from peak_hour_load) against the measured
      full-load output throughput, with the mean number of replies generated at once in that hour.
    Prices per 1M tokens are blended over input and output in the observed mix.
    """
    annual = service.annual_eur
    tokens = tokens_in + tokens_out
    annual_tokens = tokens * DAYS_PER_YEAR / days if days else 0
    input_share = tokens_in / tokens if tokens else 0.0
    result = {
        "annual_eur": round(annual, 2),
        "days": days,
        "tokens": tokens,
        "input_share": round(input_share, 4),
        "annual_tokens": round(annual_tokens),
        "window_eur": round(annual * days / DAYS_PER_YEAR, 2),
        "observed_eur_per_m": round(annual / annual_tokens * PER_MILLION, 2) if annual_tokens else None,
        "capacity_eur_per_m": None,
        "capacity_annual_tokens": None,
        "utilisation": None,
        "peak_hour_tokens_out": peak_hour["tokens_out"],
        "peak_hour_concurrency": peak_hour.get("concurrency"),
        "tokens_per_s_per_reply": peak_hour.get("tokens_per_s_per_reply"),
        "peak_hour_utilisation": None,
        "cloud": [],
    }
    if service.has_throughput and tokens:
        seconds = service.seconds_per_million(input_share)
        capacity = SECONDS_PER_YEAR / seconds * PER_MILLION
        result.update({
            "capacity_eur_per_m": round(annual / SECONDS_PER_YEAR * seconds, 4),
            "capacity_annual_tokens": round(capacity),
            "utilisation": round(annual_tokens / capacity, 6),
            "peak_hour_utilisation": round(peak_hour["tokens_out"] / (service.tokens_per_s_output * 3_600), 6),
        })
    for price in price_list:
        if price.name == ONPREM:
            continue
        blended = input_share * price.eur_per_m_input + (1 - input_share) * price.eur_per_m_output
        result["cloud"].append({
            "name": price.name,
            "eur_per_m": round(blended, 4),
            "annual_eur": round(annual_tokens * blended / PER_MILLION, 2),
            "break_even_annual_tokens": round(annual / blended * PER_MILLION) if blended else None,
        })
    return result


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


def peak_hour_load(start, end) -> dict:
    """The busiest clock hour of [start, end) by reply output tokens: its tokens, and how many replies were
    being generated at once on average (their summed durations ÷ 3,600 s); plus the generation speed of one
    reply over the whole window (output tokens ÷ generation seconds), all from the chat logs' durations."""
    replies = (UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end, kind=UsageEvent.Kind.REPLY,
                                         tokens_out__isnull=False).values_list("occurred_at", "tokens_out", "duration_seconds"))
    frame = pd.DataFrame.from_records(replies.iterator(chunk_size=5000), columns=["occurred_at", "tokens_out", "seconds"])
    if frame.empty:
        return {"tokens_out": 0, "concurrency": None, "tokens_per_s_per_reply": None}
    frame["hour"] = pd.to_datetime(frame["occurred_at"], utc=True).dt.floor("h")
    frame["seconds"] = pd.to_numeric(frame["seconds"], errors="coerce")
    hourly = frame.groupby("hour").agg(tokens_out=("tokens_out", "sum"), seconds=("seconds", "sum"))
    busiest = hourly.loc[hourly["tokens_out"].idxmax()]
    timed = frame.dropna(subset=["seconds"])
    rate = timed["tokens_out"].sum() / timed["seconds"].sum() if timed["seconds"].sum() > 0 else None
    return {"tokens_out": int(busiest["tokens_out"]),
            "concurrency": round(float(busiest["seconds"]) / 3_600, 3) if busiest["seconds"] > 0 else None,
            "tokens_per_s_per_reply": round(float(rate), 2) if rate is not None else None}


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


def costs_by_group(table, group_column, threshold=0, price_list=None):
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
