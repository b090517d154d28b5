"""The strategy update for leadership: adoption, use, data sensitivity, satisfaction, cost, three messages.

Every number comes from the bundle; the key messages are chosen from the numbers by fixed rules
so the same data always gives the same messages.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from platform_logs.costs import DAYS_PER_YEAR, ONPREM
from reports import tables
from reports.facts import common, figure, numbered
from reports.formatting import DASH, count, is_marker, missing, number, percent

PATIENT_OPTIONS = ("patient_pseudonymized", "patient_identifiable")
WEEKLY_OR_MORE = ("daily", "several_weekly", "weekly")


def document(bundle):
    context = common(bundle, _("Strategy update"))
    if context["withheld"]:
        return context | {"messages": []}
    figures = {
        "trend": usage_trend(bundle),
        "use_cases_figure": figure(bundle, "use_cases", _("Use cases, most frequent first"),
                                   _("Percent of respondents who answered the item; several answers possible.")),
    }
    # Two to four pages for a board: a table only where no figure already shows the same numbers.
    use_cases = None if figures["use_cases_figure"] else tables.multi_select(
        bundle, "descriptives/multi_select/use_cases", title=_("Use cases"))
    sensitivity = data_sensitivity(bundle)
    ratings = ratings_table(bundle)
    numbered([t for t in (use_cases, sensitivity, ratings) if t])
    numbered(list(figures.values()))
    platform = bundle.context.get("platform")
    return context | figures | {
        "adoption": adoption(bundle),
        "use_cases": use_cases,
        "sensitivity": sensitivity,
        "patient": patient_data(bundle),
        "ratings": ratings,
        "previous": bundle.context.get("previous_wave"),
        "platform": platform_facts(platform),
        "cost": cost_rows(platform),
        "cost_findings": cost_findings(platform),
        "cost_note": cost_note(platform, bundle.context.get("built_on")),
        "site_gaps": site_gap_labels(bundle.context.get("site_gaps") or []),
        "messages": key_messages(bundle),
    }


def usage_trend(bundle):
    """Weekly active users and tokens (drawn into the bundle by the pipeline); None without usage."""
    return figure(bundle, "platform_weekly", _("Weekly active users and tokens over the usage window"),
                  _("From the platform logs (all users, not only respondents)."))


def _option_rows(bundle, result_id):
    return {row.get("option", "").split("__", 1)[-1]: row for row in bundle.rows(result_id)}


def patient_data(bundle):
    """Respondents who entered patient data, per kind (counts are suppressed like every other)."""
    options = _option_rows(bundle, "descriptives/multi_select/data_kinds")
    t = bundle.threshold
    return [{"label": str(options[o].get("label", o)).split(" [")[-1].rstrip("]"), "n": count(options[o].get("n"), t),
             "percent": percent(options[o].get("percent"), 0), "raw": options[o].get("n")}
            for o in PATIENT_OPTIONS if o in options]


def data_sensitivity(bundle):
    return tables.multi_select(bundle, "descriptives/multi_select/data_kinds", title=_("Kinds of data entered"))


def weekly_share(bundle):
    """Percent of valid answers saying the platform is used weekly or more often, or None."""
    instrument = bundle.context.get("instrument") or {"pages": []}
    item = next((i for p in instrument["pages"] for i in p["items"] if i["code"] == "frequency"), None)
    rows = [r for r in bundle.rows("descriptives/categorical/frequency") if r.get("kind") == "valid"]
    if not item or not rows:
        return None
    codes = item.get("option_codes") or {}
    total = 0.0
    for row in rows:
        if is_marker(row.get("percent")):
            return None  # a suppressed share cannot be added up honestly
        if codes.get(str(int(row["value"]))) in WEEKLY_OR_MORE:
            total += float(row.get("percent") or 0)
    return total


def adoption(bundle):
    t = bundle.threshold
    staff = bundle.context.get("staff_count")
    rates = bundle.first_row("sample/rates")
    completed = rates.get("completed")
    reached = (float(completed) / staff * 100) if staff and isinstance(completed, (int, float)) else None
    return {
        "completed": count(completed, t),
        "staff": count(staff, t) if staff else "",
        "reached": percent(reached) if reached is not None else "",
        "weekly": percent(weekly_share(bundle), 0) if weekly_share(bundle) is not None else "",
    }


def headline(bundle):
    """Measures the board follows from wave to wave: (label, value, decimals, previous value)."""
    rows = []
    sus, previous_sus = bundle.first_row("scores/sus"), bundle.previous.first_row("scores/sus") if bundle.previous else {}
    if sus:
        rows.append((_("Usability (SUS, 0–100)"), sus.get("mean"), 1, previous_sus.get("mean")))
    satisfied = satisfied_share(bundle)
    if satisfied is not None:
        rows.append((_("Satisfied or very satisfied (%)"), satisfied, 0,
                     satisfied_share(bundle.previous) if bundle.previous else None))
    for name, label in (("reliability", _("Reliability rating (1–5)")), ("trust", _("Trust in answers (1–5)"))):
        row = bundle.first_row(f"scores/{name}")
        if row:
            before = bundle.previous.first_row(f"scores/{name}") if bundle.previous else {}
            rows.append((label, row.get("mean"), 2, before.get("mean")))
    nps = bundle.first_row("scores/nps")
    if nps:
        rows.append((_("Net Promoter Score (−100 to 100)"), nps.get("nps"), 0,
                     bundle.previous.first_row("scores/nps").get("nps") if bundle.previous else None))
    return rows


def satisfied_share(bundle):
    rows = [r for r in bundle.rows("descriptives/likert/overall_satisfaction") if r.get("kind") == "valid"]
    if not rows or any(is_marker(r.get("percent")) for r in rows if r.get("value", 0) >= 4):
        return None
    return sum(float(r.get("percent") or 0) for r in rows if r.get("value", 0) >= 4)


def ratings_table(bundle):
    rows = []
    for label, value, decimals, before in headline(bundle):
        change = DASH if missing(before) or missing(value) else _signed(float(value) - float(before), decimals)
        rows.append([label, number(value, decimals), number(before, decimals) if not missing(before) else DASH, change])
    if not rows:
        return None
    previous = bundle.context.get("previous_wave")
    notes = [_("Previous wave: %(title)s.") % {"title": previous["title"]} if previous
             else _("This is the first wave of this survey: no change can be shown yet.")]
    return tables._table(bundle, "ratings", _("Satisfaction and reliability"),
                         [_("Measure"), _("This wave"), _("Previous wave"), _("Change since then")], rows, [1, 2, 3], notes)


def _signed(value, decimals):
    text = number(value, decimals)
    return text if text.startswith("-") else f"+{text}"


def platform_facts(platform):
    """(label, value) rows from platform_logs' summary (its `totals`, `daily`, weekly and monthly users)."""
    totals = (platform or {}).get("totals") or {}
    if not totals.get("active_users"):
        return []
    daily = [day["active_users"] for day in platform.get("daily", []) if day.get("active_users") is not None]
    full_weeks = [week for week in platform.get("weekly_active_users", []) if week.get("days") == 7]
    rows = [(_("Active users in the usage window"), number(totals["active_users"], 0))]
    if daily:
        rows.append((_("Daily active users (mean)"), number(sum(daily) / len(daily), 1)))
    if full_weeks:
        rows.append((_("Weekly active users (last full week)"), number(full_weeks[-1]["active_users"], 0)))
    rows += [
        (_("Chat replies"), number(totals.get("replies"), 0)),
        (_("Tokens in (millions)"), number((totals.get("tokens_in") or 0) / 1e6, 1)),
        (_("Tokens out (millions)"), number((totals.get("tokens_out") or 0) / 1e6, 1)),
        (_("Latency, median (s)"), number(totals.get("latency_p50"), 1)),
        (_("Latency, 95th percentile (s)"), number(totals.get("latency_p95"), 1)),
        (_("Error rate"), percent(100 * totals["error_rate"], 1) if totals.get("error_rate") is not None else DASH),
    ]
    return rows


def cost_rows(platform):
    """The cost table: on-premises at the observed use and at full load, then each cloud price for the same
    token mix; EUR per 1M tokens and what a year at today's volume costs."""
    costs = (platform or {}).get("costs") or {}
    economics = costs.get("onprem_economics")
    rows = []
    if economics:
        rows.append({"label": _("On-premises, at the observed use (%(share)s of capacity)")
                     % {"share": percent(100 * economics["utilisation"], 2) if economics["utilisation"] is not None
                        else DASH},
                     "per_m": number(economics["observed_eur_per_m"], 2),
                     "annual": number(economics["annual_eur"], 0), "own": True})
        if economics["capacity_eur_per_m"] is not None:
            rows.append({"label": _("On-premises, at full load (capacity price)"),
                         "per_m": number(economics["capacity_eur_per_m"], 2), "annual": DASH, "own": True})
        for cloud in economics["cloud"]:
            rows.append({"label": _("%(model)s (cloud list price)") % {"model": cloud["name"]},
                         "per_m": number(cloud["eur_per_m"], 2), "annual": number(cloud["annual_eur"], 0), "own": False})
        return rows
    totals = costs.get("total") or {}
    days = ((platform or {}).get("window") or {}).get("days") or 0
    share = _input_share((platform or {}).get("totals") or {})
    for price in costs.get("prices") or []:
        name = price["name"]
        blended = share * price["eur_per_m_input"] + (1 - share) * price["eur_per_m_output"]
        annual = totals.get(name) * DAYS_PER_YEAR / days if days and totals.get(name) is not None else None
        rows.append({"label": _("On-premises, the site's own price") if name == ONPREM
                     else _("%(model)s (cloud list price)") % {"model": name},
                     "per_m": number(blended, 2), "annual": number(annual, 0), "own": name == ONPREM})
    return sorted(rows, key=lambda row: not row["own"])


def _input_share(totals):
    tokens = (totals.get("tokens_in") or 0) + (totals.get("tokens_out") or 0)
    return (totals.get("tokens_in") or 0) / tokens if tokens else 0.0


def cost_findings(platform):
    """Sentences for leadership under the table: break-even volume and headroom for hardware planning."""
    economics = ((platform or {}).get("costs") or {}).get("onprem_economics")
    if not economics or not economics["annual_tokens"]:
        return []
    findings = []
    main = economics["cloud"][0] if economics["cloud"] else None  # the first reference price is the comparison
    if main and main["break_even_annual_tokens"]:
        volume = main["break_even_annual_tokens"]
        capacity = economics["capacity_annual_tokens"]
        findings.append(
            _("At %(model)s prices the cloud would cost as much as the platform at %(volume)s million tokens a year, "
              "%(times)s times today's volume%(reachable)s.") % {
                "model": main["name"], "volume": number(volume / 1e6, 0),
                "times": number(volume / economics["annual_tokens"], 1),
                "reachable": (_(" (within the hardware's capacity)") if capacity and volume <= capacity
                              else _(" (beyond the hardware's capacity)") if capacity else "")})
    if economics["peak_hour_utilisation"] is not None:
        findings.append(_("In the busiest hour the platform used %(share)s of its measured output capacity.")
                        % {"share": percent(100 * economics["peak_hour_utilisation"], 1)})
    if economics.get("peak_hour_concurrency") is not None:
        findings.append(_("In that hour %(n)s replies were being generated at once on average, each at about "
                          "%(rate)s tokens per second (from the chat logs' durations).")
                        % {"n": number(economics["peak_hour_concurrency"], 1),
                           "rate": number(economics["tokens_per_s_per_reply"], 0)})
    return findings


def cost_note(platform, built_on):
    costs = (platform or {}).get("costs") or {}
    if not costs.get("prices") and not costs.get("onprem_economics"):
        return ""
    share = _input_share((platform or {}).get("totals") or {})
    return _("Prices per 1M tokens for the observed mix of %(share)s input tokens; a year at the usage window's "
             "volume. On-premises: the annual cost of hardware, power and staff (site file). Cloud list prices as "
             "of %(date)s.") % {"share": percent(100 * share, 0), "date": costs.get("reference_prices_as_of", DASH)} + (
        " " + _("These prices are more than a year old: check them before deciding.")
        if prices_are_old(costs.get("reference_prices_as_of"), built_on) else "")


def site_gap_labels(gaps):
    labels = {
        "staff_count": _("the number of staff who could use the platform (share reached)"),
        "onprem_cost": _("the on-premises annual cost (hardware, power, staff)"),
        "onprem_throughput": _("the measured throughput (capacity price and headroom)"),
        "reference_prices": _("the site's own check of cloud prices (the built-in list is used)"),
    }
    return [labels[gap] for gap in gaps if gap in labels]


def prices_are_old(as_of, built_on):
    """True when the reference prices are dated more than a year before the report was built."""
    try:
        return date.fromisoformat(built_on) - date.fromisoformat(as_of) > timedelta(days=365)
    except (TypeError, ValueError):
        return False


def key_messages(bundle):
    """Three messages, each carried by one number, chosen in a fixed order of importance."""
    messages = []
    t = bundle.threshold
    weekly = weekly_share(bundle)
    if weekly is not None:
        messages.append((percent(weekly, 0), _("of respondents use the platform at least weekly.")))
    sus = bundle.first_row("scores/sus")
    if sus and not missing(sus.get("mean")):
        messages.append((number(sus["mean"], 1), _("is the usability score (SUS, 0–100): grade %(grade)s, “%(adjective)s”.")
                         % {"grade": sus.get("grade", DASH), "adjective": sus.get("adjective", DASH)}))
    patient = [p for p in patient_data(bundle) if not is_marker(p["raw"])]
    identifiable = next((p for p in patient_data(bundle) if "identif" in p["label"].lower()), None)
    if identifiable and not is_marker(identifiable["raw"]) and identifiable["raw"]:
        messages.append((identifiable["n"], _("respondents say they entered identifiable patient data: the rules for "
                                              "sensitive data need attention.")))
    elif patient:
        messages.append((patient[0]["n"], _("respondents entered pseudonymised patient data.")))
    satisfied = satisfied_share(bundle)
    if len(messages) < 3 and satisfied is not None:
        messages.append((percent(satisfied, 0), _("are satisfied or very satisfied overall.")))
    if len(messages) < 3:
        messages.append((count(bundle.analysed, t), _("completed responses were analysed.")))
    return messages[:3]
