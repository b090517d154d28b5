"""Usage features per pseudonym over a window, and the platform's daily series, as pandas DataFrames.

Column names (all prefixed `usage_`) are documented in docs/platform-logs.md. Counts are over the
window [start, end); `usage_first_seen` looks at everything before `end`.
"""

from datetime import timedelta

import pandas as pd
from django.conf import settings
from django.db.models import Min

from platform_logs.models import FEATURES, INFERENCE_PATHS, PlatformRequest, UsageEvent, UsageWindow
from surveys.models import Response

Kind = UsageEvent.Kind
EVENT_COLUMNS = ["pseudonym", "kind", "occurred_at", "chat_key", "model", "features", "tokens_in", "tokens_out",
                 "rating", "score"]
COUNT_COLUMNS = ["usage_active_days", "usage_chats", "usage_messages", "usage_replies", "usage_tokens_in",
                 "usage_tokens_out", "usage_models", "usage_ratings", "usage_logins", "usage_api_requests",
                 "usage_api_tokens_in", "usage_api_tokens_out"]
SHARE_COLUMNS = [f"usage_share_{feature}" for feature in FEATURES]
COLUMNS = COUNT_COLUMNS + SHARE_COLUMNS + ["usage_rating_mean", "usage_score_mean", "usage_first_seen"]
DAILY_COLUMNS = ["active_users", "messages", "tokens_in", "tokens_out", "requests", "other_requests", "latency_p50",
                 "latency_p95", "error_rate"]


def usage_window(wave):
    """(start, end) of the wave's usage window: its UsageWindow, else the 90 days before it opened."""
    return UsageWindow.for_wave(wave)


def linkable_responses(wave):
    """The wave's completed responses whose respondent consented to linkage (pseudonymous waves only)."""
    if not wave.is_pseudonymous:
        return Response.objects.none()
    return (Response.objects.filter(wave=wave, status=Response.Status.COMPLETED, linkage_consent=True)
            .exclude(pseudonym=""))


def usage_for_wave(wave):
    """Usage features for the wave's completed respondents who consented to linkage, one row each (zeros if no usage)."""
    pseudonyms = list(linkable_responses(wave).values_list("pseudonym", flat=True).distinct())
    start, end = usage_window(wave)
    return usage_features(start, end, pseudonyms)


def usage_features(start, end, pseudonyms=None):
    """One row per pseudonym (all with usage in the window, or exactly `pseudonyms`), columns COLUMNS."""
    events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exclude(pseudonym="")
    if pseudonyms is not None:
        events = events.filter(pseudonym__in=list(pseudonyms))
    frame = pd.DataFrame.from_records(events.values_list(*EVENT_COLUMNS).iterator(chunk_size=5000), columns=EVENT_COLUMNS)
    features = _features(frame) if len(frame) else pd.DataFrame(columns=COLUMNS[:-1])
    index = pd.Index(sorted(set(pseudonyms)) if pseudonyms is not None else features.index, name="pseudonym")
    features = features.reindex(index)
    features[COUNT_COLUMNS] = features[COUNT_COLUMNS].fillna(0).astype("int64")
    features["usage_first_seen"] = _first_seen(end, list(index)).reindex(index)
    return features[COLUMNS]


def _features(frame):
    frame["day"] = _local_dates(frame["occurred_at"])
    active = frame[frame["kind"] != Kind.LOGIN_ERROR]
    chats = frame[frame["kind"].isin([Kind.PROMPT, Kind.REPLY]) & (frame["chat_key"] != "")]
    replies = frame[frame["kind"] == Kind.REPLY]
    api = frame[frame["kind"] == Kind.API_REQUEST]
    ratings = frame[frame["kind"] == Kind.RATING]
    used_models = frame[frame["kind"].isin([Kind.PROMPT, Kind.REPLY, Kind.API_REQUEST]) & (frame["model"] != "")]
    result = pd.DataFrame(index=pd.Index(frame["pseudonym"].unique(), name="pseudonym"))
    result = result.assign(**{
        "usage_active_days": active.groupby("pseudonym")["day"].nunique(),
        "usage_chats": chats.groupby("pseudonym")["chat_key"].nunique(),
        "usage_messages": frame[frame["kind"] == Kind.PROMPT].groupby("pseudonym").size(),
        "usage_replies": replies.groupby("pseudonym").size(),
        "usage_tokens_in": replies.groupby("pseudonym")["tokens_in"].sum(),
        "usage_tokens_out": replies.groupby("pseudonym")["tokens_out"].sum(),
        "usage_models": used_models.groupby("pseudonym")["model"].nunique(),
        "usage_ratings": ratings.groupby("pseudonym").size(),
        "usage_logins": frame[frame["kind"] == Kind.LOGIN].groupby("pseudonym").size(),
        "usage_api_requests": api.groupby("pseudonym").size(),
        "usage_api_tokens_in": api.groupby("pseudonym")["tokens_in"].sum(),
        "usage_api_tokens_out": api.groupby("pseudonym")["tokens_out"].sum(),
        "usage_rating_mean": ratings.groupby("pseudonym")["rating"].mean(),
        "usage_score_mean": ratings.groupby("pseudonym")["score"].mean(),
    })
    # Shares are over replies: a reply carries its own features and those of the prompt it answers.
    flags = replies["features"].str.get_dummies(sep=",").reindex(columns=list(FEATURES), fill_value=0)
    shares = flags.groupby(replies["pseudonym"]).mean().add_prefix("usage_share_")
    return result.join(shares, how="left")


def _first_seen(end, pseudonyms):
    earliest = (UsageEvent.objects.filter(occurred_at__lt=end, pseudonym__in=pseudonyms).exclude(kind=Kind.LOGIN_ERROR)
                .values("pseudonym").annotate(first=Min("occurred_at")))
    series = pd.Series({row["pseudonym"]: row["first"] for row in earliest}, dtype="object")
    return _local_dates(pd.to_datetime(series, utc=True)) if len(series) else series


def platform_daily(start, end):
    """One row per local day in [start, end): active users, messages, tokens, model-server requests, latency, errors."""
    events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    frame = pd.DataFrame.from_records(events.values_list(*EVENT_COLUMNS).iterator(chunk_size=5000), columns=EVENT_COLUMNS)
    requests = pd.DataFrame.from_records(
        PlatformRequest.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values_list("occurred_at", "method", "path", "status", "latency_seconds").iterator(chunk_size=5000),
        columns=["occurred_at", "method", "path", "status", "latency_seconds"],
    )
    days = pd.Index(pd.date_range(_local_day(start), _local_day(end - timedelta(microseconds=1)), freq="D").date, name="day")
    daily = pd.DataFrame(index=days, columns=DAILY_COLUMNS, dtype="float64")
    if len(frame):
        frame["day"] = _local_dates(frame["occurred_at"])
        people = frame[(frame["pseudonym"] != "") & (frame["kind"] != Kind.LOGIN_ERROR)]
        replies = frame[frame["kind"] == Kind.REPLY]
        daily["active_users"] = people.groupby("day")["pseudonym"].nunique()
        daily["messages"] = frame[frame["kind"] == Kind.PROMPT].groupby("day").size()
        daily["tokens_in"] = replies.groupby("day")["tokens_in"].sum()
        daily["tokens_out"] = replies.groupby("day")["tokens_out"].sum()
    if len(requests):
        requests["day"] = _local_dates(requests["occurred_at"])
        work = model_requests(requests)
        daily["requests"] = work.groupby("day").size()
        daily["other_requests"] = requests[~requests.index.isin(work.index)].groupby("day").size()
        daily["latency_p50"] = work.groupby("day")["latency_seconds"].quantile(0.5)
        daily["latency_p95"] = work.groupby("day")["latency_seconds"].quantile(0.95)
        daily["error_rate"] = requests.groupby("day")["status"].apply(lambda status: (status >= 400).mean())
    counts = ["active_users", "messages", "tokens_in", "tokens_out", "requests", "other_requests"]
    daily[counts] = daily[counts].fillna(0).astype("int64")
    return daily


def model_requests(requests):
    """The rows of a requests frame (`method`, `path`) that ran a model: POSTs to INFERENCE_PATHS."""
    return requests[(requests["method"] == "POST") & requests["path"].isin(INFERENCE_PATHS)]


def _local_dates(moments):
    return pd.to_datetime(moments, utc=True).dt.tz_convert(settings.TIME_ZONE).dt.date


def _local_day(moment):
    return pd.Timestamp(moment).tz_convert(settings.TIME_ZONE).date()


def active_users_by_period(start, end, period):
    """Distinct active people per calendar week (`"week"`, starting Monday) or month (`"month"`), local time.

    Columns: `active_users`, and `days`, how many of the period's days lie in [start, end) (the
    first and last period of a window are usually partial). Active means any event but a failed login.
    """
    if period not in ("week", "month"):
        raise ValueError(f"period: expected 'week' or 'month', got {period!r}")
    events = (UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end).exclude(pseudonym="")
              .exclude(kind=Kind.LOGIN_ERROR).values_list("pseudonym", "occurred_at"))
    frame = pd.DataFrame.from_records(events.iterator(chunk_size=5000), columns=["pseudonym", "occurred_at"])
    days = pd.Series(pd.date_range(_local_day(start), _local_day(end - timedelta(microseconds=1)), freq="D").date)
    periods = pd.DataFrame({"day": days, "period": days.map(lambda day: _period_start(day, period))})
    result = periods.groupby("period").size().rename("days").to_frame()
    result.index.name = period
    if len(frame):
        frame["period"] = _local_dates(frame["occurred_at"]).map(lambda day: _period_start(day, period))
        result["active_users"] = frame.groupby("period")["pseudonym"].nunique()
    else:
        result["active_users"] = 0
    result["active_users"] = result["active_users"].fillna(0).astype("int64")
    return result[["active_users", "days"]]


def _period_start(day, period):
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def window_totals(start, end):
    """The window as a whole: distinct active people, prompts, replies, tokens, model-server load and latency."""
    events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    frame = pd.DataFrame.from_records(events.values_list(*EVENT_COLUMNS).iterator(chunk_size=5000), columns=EVENT_COLUMNS)
    requests = pd.DataFrame.from_records(
        PlatformRequest.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values_list("method", "path", "status", "latency_seconds").iterator(chunk_size=5000),
        columns=["method", "path", "status", "latency_seconds"],
    )
    people = frame[(frame["pseudonym"] != "") & (frame["kind"] != Kind.LOGIN_ERROR)]
    replies, api = frame[frame["kind"] == Kind.REPLY], frame[frame["kind"] == Kind.API_REQUEST]
    work = model_requests(requests)
    return {
        "active_users": int(people["pseudonym"].nunique()),
        "messages": int((frame["kind"] == Kind.PROMPT).sum()),
        "replies": int(len(replies)),
        "tokens_in": _total(replies["tokens_in"]),
        "tokens_out": _total(replies["tokens_out"]),
        "api_requests": int(len(api)),
        "api_tokens_in": _total(api["tokens_in"]),
        "api_tokens_out": _total(api["tokens_out"]),
        "requests": int(len(work)),
        "other_requests": int(len(requests) - len(work)),
        "latency_p50": float(work["latency_seconds"].quantile(0.5)) if len(work) else None,
        "latency_p95": float(work["latency_seconds"].quantile(0.95)) if len(work) else None,
        "error_rate": float((requests["status"] >= 400).mean()) if len(requests) else None,
    }


def _total(values):
    return int(pd.to_numeric(values, errors="coerce").fillna(0).sum())
