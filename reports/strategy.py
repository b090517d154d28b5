"""The strategy update for leadership: adoption, use, data sensitivity, satisfaction, cost, three messages.

Every number comes from the bundle; the key messages are chosen from the numbers by fixed rules
so the same data always gives the same messages.
"""

from django.utils.translation import gettext as _

from platform_logs.costs import ONPREM
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
        "cost_note": cost_note(platform),
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
    """One row per price in the summary's cost model: EUR per 1M input/output tokens and this window's cost."""
    costs = (platform or {}).get("costs") or {}
    totals = costs.get("total") or {}
    rows = []
    for price in costs.get("prices") or []:
        name = price["name"]
        rows.append({
            "label": _("On-premises platform") if name == ONPREM else name,
            "input": number(price["eur_per_m_input"], 2),
            "output": number(price["eur_per_m_output"], 2),
            "total": number(totals.get(name), 0),
            "own": name == ONPREM,
        })
    return sorted(rows, key=lambda row: not row["own"])


def cost_note(platform):
    costs = (platform or {}).get("costs") or {}
    if not costs.get("prices"):
        return ""
    # The reference price file's own note is English prose for whoever maintains it, not report text.
    return _("Cost of the usage window's chat tokens at each price. Cloud list prices as of %(date)s (vendor list "
             "prices, converted to EUR); the on-premises price is the site's own setting.") % {
        "date": costs.get("reference_prices_as_of", DASH)}


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
