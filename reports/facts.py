"""What both reports print about a wave: title facts, provenance, figures and the withheld rule."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats
from django.utils.translation import gettext as _

from reports.formatting import count

HASH_SHOWN = 12


@dataclass
class Figure:
    key: str
    title: str
    src: str
    note: str = ""
    number: int = 0
    kind = "figure"


def withheld_reason(bundle):
    """Why numbers are withheld (a too small or empty wave), or '' when the report can show them."""
    if bundle.analysed == 0:
        return _("No completed responses could be analysed for this wave, so there are no results to report yet.")
    if bundle.analysed < bundle.threshold:
        return _("Fewer than %(n)s responses could be analysed. Results for groups this small could identify "
                 "individual respondents, so every number is withheld until more responses are in.") % {"n": bundle.threshold}
    return ""


def period(wave):
    opens, closes = date.fromisoformat(wave["opens_at"]), date.fromisoformat(wave["closes_at"])
    return f"{formats.date_format(opens, 'DATE_FORMAT')} – {formats.date_format(closes, 'DATE_FORMAT')}"


def provenance(bundle):
    inputs, software = bundle.meta.get("inputs", {}), bundle.meta.get("software", {})
    return {
        "data_hash": inputs.get("data_sha256", "")[:HASH_SHOWN],
        "plan_hash": inputs.get("plan_sha256", "")[:HASH_SHOWN],
        "seed": bundle.meta.get("seed"),
        "software": software,
        "software_text": ", ".join(f"{name} {version}" for name, version in sorted(software.items()) if version),
    }


def report_title(bundle):
    """The survey's name in the report's language: the instrument's title as respondents saw it, with the
    year the wave opened (a wave's own title is in one language only), else the wave's or plan's title."""
    wave = bundle.context.get("wave", {})
    title = (bundle.context.get("instrument") or {}).get("title") or ""
    if not title:
        return wave.get("title") or bundle.meta.get("title", "")
    year = (wave.get("opens_at") or "")[:4]
    return f"{title} {year}" if year and year not in title else title


def day(iso):
    """An ISO date (or "YYYY-MM-DD HH:MM") in the report language's date format."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    text = formats.date_format(moment.date(), "DATE_FORMAT")
    return f"{text}, {moment:%H:%M}" if len(iso) > 10 else text


def common(bundle, kind_title):
    """Template context both reports share."""
    wave = bundle.context.get("wave", {})
    branding = bundle.context.get("branding") or {}
    title = report_title(bundle)
    return {
        "language": bundle.language,
        "kind_title": kind_title,
        "title": title,
        "document_title": f"{kind_title}: {title}",
        "wave": wave,
        "period": period(wave) if wave.get("opens_at") else "",
        "built_on": day(bundle.context.get("built_on")),
        "data_cutoff": day(bundle.context.get("data_cutoff")),
        "fieldwork_open": bool(bundle.context.get("fieldwork_open")),
        "institution": branding.get("institution", ""),
        "logo": branding.get("logo", ""),
        "colours": branding.get("colours") or {"primary": "#1f4e79", "secondary": "#0f7b6c", "accent": "#d9822b"},
        "threshold": bundle.threshold,
        "analysed": count(bundle.analysed, bundle.threshold),
        "withheld": withheld_reason(bundle),
        "provenance": provenance(bundle),
    }


def figure(bundle, name, title, note=""):
    path = bundle.figure(name)
    if path is None:
        return None
    return Figure(key=name, title=title, src=f"figures/{path.name}", note=note)


def numbered(items):
    """Drop missing entries and number the rest 1, 2, ... (APA numbers tables and figures separately)."""
    kept = [item for item in items if item is not None]
    for position, item in enumerate(kept, start=1):
        item.number = position
    return kept
