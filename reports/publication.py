"""The publication report: methods, APA results, nonresponse and limitations, CHERRIES and the instrument."""

from django.utils.translation import gettext as _

from reports import coded, tables
from reports.cherries import checklist
from reports.facts import common, day, figure, numbered
from reports.formatting import apa_text, count, number, percent


def document(bundle):
    context = common(bundle, _("Survey report"))
    if context["withheld"]:
        return context | {"sections": [], "cherries": [], "instrument": bundle.context.get("instrument")}
    sections = results_sections(bundle)
    blocks = [block for section in sections for block in section["blocks"]]
    numbered([b for b in blocks if b.kind == "table"])
    numbered([b for b in blocks if b.kind == "figure"])
    limitations_blocks = numbered_after(blocks, [tables.dropout(bundle), tables.nonresponse(bundle)])
    return context | {
        "methods": methods(bundle),
        "sections": sections,
        "limitations": limitations(bundle),
        "limitation_blocks": limitations_blocks,
        "cherries": checklist(bundle),
        "instrument": bundle.context.get("instrument"),
    }


def numbered_after(blocks, more):
    last = max([b.number for b in blocks if b.kind == "table"] or [0])
    kept = [b for b in more if b is not None]
    for offset, table in enumerate(kept, start=1):
        table.number = last + offset
    return kept


def methods(bundle):
    wave, recruitment = bundle.context.get("wave", {}), bundle.context.get("recruitment", {})
    t = bundle.threshold
    sus = bundle.first_row("scores/sus")
    flags = {row.get("check"): row for row in bundle.rows("quality/flags")}
    excluded_any = flags.get("excluded (any excluded flag)", {}).get("flagged")
    rates = bundle.first_row("sample/rates")
    standard = sorted({item["instrument"] for page in (bundle.context.get("instrument") or {}).get("pages", [])
                       for item in page["items"] if item.get("instrument")})
    return {
        "pseudonymous": wave.get("privacy_mode") == "pseudonymous",
        "instrument_code": wave.get("instrument_code", ""),
        "instrument_version": wave.get("instrument_version", ""),
        "instrument_checksum": (wave.get("instrument_checksum") or "")[:12],
        "standard_instruments": ", ".join(s.upper().replace("_", "-") for s in standard),
        # Invitation links are not respondents: their numbers are no cell of respondent data to suppress.
        "invitations_created": number(recruitment.get("invitations_created"), 0),
        "invitations_used": number(recruitment.get("invitations_used"), 0),
        "via_invitation": count(recruitment.get("responses_via_invitation"), t),
        "via_sign_in": count(recruitment.get("responses_via_sign_in"), t),
        "linkage": linkage_facts(bundle),
        "n_per_analysis": n_per_analysis(bundle),
        "in_file": count(bundle.meta.get("responses_in_file"), t),
        "completed": count(rates.get("completed"), t),
        "analysed": count(bundle.analysed, t),
        "excluded": count(excluded_any or 0, t),
        "flagged": count(flags.get("any_flag", {}).get("flagged"), t),
        "sus_text": apa_text(bundle.result("scores/sus")["text"]) if bundle.result("scores/sus") else "",
        "has_sus": bool(sus),
        # The analysis states these facts in English only (results.json meta.methods); a German report points there.
        "statistics": statistics_in_detail(bundle) if bundle.language == "en" else [],
        "statistics_elsewhere": bundle.language != "en" and bool(bundle.meta.get("methods")),
    }


def linkage_facts(bundle):
    """The export's linkage summary (`<wave>_linkage.json`, copied into context.json) as the methods print it."""
    linkage = bundle.context.get("linkage") or {}
    if not linkage:
        return {}
    t = bundle.threshold
    return {"consenting": count(linkage.get("consenting_respondents"), t),
            "linked": count(linkage.get("respondents_linked"), t),
            "without_usage": count(linkage.get("consenting_without_usage"), t),
            "start": day((linkage.get("window_start") or "")[:10]), "end": day((linkage.get("window_end") or "")[:10])}


def n_per_analysis(bundle):
    """"SUS: 119; Leistungserwartung (TAM): 147; …": how many respondents each score and model rests on."""
    t = bundle.threshold
    parts = []
    sus = bundle.first_row("scores/sus")
    if sus:
        parts.append(f"{bundle.label('sus_score')}: {count(sus.get('n'), t)}")
    for result_id in bundle.ids("scores/"):
        row = bundle.first_row(result_id)
        if result_id not in ("scores/sus", "scores/nps") and row.get("n") is not None:
            parts.append(f"{bundle.label(result_id.split('/', 1)[1])}: {count(row.get('n'), t)}")
    nps = bundle.first_row("scores/nps")
    if nps:
        parts.append(f"{_('Net Promoter Score')}: {count(nps.get('n'), t)}")
    for result_id in bundle.ids("models/"):
        rows = bundle.rows(result_id)
        if rows and rows[0].get("n") is not None and not result_id.endswith("/thresholds"):
            outcome = tables.model_outcome(bundle.result(result_id))
            parts.append(_("model of %(outcome)s") % {"outcome": bundle.label(outcome)} + f": {count(rows[0]['n'], t)}")
    return "; ".join(parts)


def statistics_in_detail(bundle):
    """The analysis's own account of each test that ran (results.json `meta.methods`): how each p was
    computed (exact, asymptotic, Monte Carlo with resamples and seed), the correction, the effect size
    and the software version."""
    return [[entry.get("analysis", ""),
             "; ".join(filter(None, [entry.get("p_value"), entry.get("assumption")])),
             entry.get("correction", ""), entry.get("effect_size", ""), entry.get("software", "")]
            for entry in bundle.meta.get("methods") or []]


def results_sections(bundle):
    likert_ids = bundle.ids("descriptives/likert/")
    sections = [
        {"title": _("Sample"), "text": [sample_text(bundle)],
         "blocks": [tables.sample_rates(bundle),
                    *[tables.frequency(bundle, i) for i in bundle.ids("descriptives/categorical/")],
                    tables.quality_flags(bundle)]},
        {"title": _("Usability and satisfaction"),
         "text": [apa_text(bundle.result("scores/sus")["text"])] if bundle.result("scores/sus") else [],
         "blocks": [tables.scores(bundle), tables.nps(bundle),
                    figure(bundle, "sus_distribution", _("Distribution of SUS scores with the grade bands"),
                           _("SUS scores in bins of five points over the Sauro–Lewis curved grading scale (A+ to F); "
                             "the dashed line is the mean.")),
                    *[figure(bundle, name, _("Answers per item, neutral centred: %(block)s")
                             % {"block": bundle.label(name.split("__")[-1])},
                             _("Diverging stacked bars: the lower answers of the scale left of zero, the higher right, "
                               "the middle answer centred on zero; percent of valid answers."))
                      for name in bundle.figures("likert_diverging__")],
                    *[tables.frequency(bundle, i) for i in likert_ids]]},
        {"title": _("Reliability of the scales"),
         "text": [f"{bundle.label(i.split('/')[1])}: {apa_text(r['text'])}" for i in bundle.ids("reliability/")
                  if not i.endswith("/items") and (r := bundle.result(i)).get("text")],
         "blocks": [tables.reliability(bundle)]},
        {"title": _("Use cases and data entered"), "text": [],
         "blocks": [*[b for i in bundle.ids("descriptives/multi_select/")
                      for b in (option_figure(bundle, i.rsplit("/", 1)[1]), tables.multi_select(bundle, i))],
                    figure(bundle, "data_sensitivity_by_role", _("Kinds of data entered, by role"),
                           _("Percent of the respondents of each role who answered the item; several answers possible.")),
                    figure(bundle, "satisfaction_by_usage", _("Usability by usage intensity"),
                           _("SUS scores in thirds of the respondents by active days on the platform (linked usage); "
                             "boxes: quartiles, whiskers: 10th and 90th percentile, diamond: mean."))]},
        {"title": _("Group comparisons"), "text": [],
         "blocks": [tables.comparisons(bundle),
                    *[tables.group_summary(bundle, i) for i in bundle.ids("comparisons/") if not i.endswith("/dunn")]]},
        {"title": _("Regression models"), "text": [r["text"] for i in bundle.ids("models/") if (r := bundle.result(i)).get("text")],
         "blocks": [tables.model(bundle, i) for i in bundle.ids("models/")]},
        {"title": _("Factor structure"), "text": [],
         "blocks": [tables.loadings(bundle, i) for i in bundle.ids("factors/") if i.endswith("/loadings")]},
        {"title": _("Free-text answers"), "text": [], "blocks": tables.topics(bundle)},
        coded.section(bundle),
    ]
    sections = [s for s in sections if s is not None]
    for section in sections:
        section["blocks"] = [b for b in section["blocks"] if b is not None]
        section["text"] = [t for t in section["text"] if t]
    return [s for s in sections if s["blocks"] or s["text"]]


def option_figure(bundle, block):
    """The plan's sorted frequency figure of a multiple-choice block when there is one (e.g. `use_cases`),
    else the block's bars in questionnaire order."""
    name = block if bundle.figure(block) else f"multi_select__{block}"
    return figure(bundle, name, _("Share of respondents per option: %(block)s") % {"block": bundle.label(block)},
                  _("Several answers possible."))


def sample_text(bundle):
    rates = bundle.first_row("sample/rates")
    if not rates:
        return ""
    t = bundle.threshold
    return _("Of %(viewed)s people who opened the survey, %(consented)s consented and %(completed)s completed it "
             "(completion rate %(rate)s); %(analysed)s responses were analysed.") % {
        "viewed": count(rates.get("viewed"), t), "consented": count(rates.get("consented"), t),
        "completed": count(rates.get("completed"), t),
        "rate": percent((rates.get("completion_rate") or 0) * 100) if isinstance(rates.get("completion_rate"), float) else "–",
        "analysed": count(bundle.analysed, t)}


def limitations(bundle):
    rates = bundle.first_row("sample/rates")
    items = [_("Participation was voluntary: respondents may be more engaged with the platform than staff who did not "
               "answer (self-selection), and all answers are self-reports.")]
    if rates.get("view_rate") is None:
        items.append(_("The number of people invited is not recorded in the analysis plan, so the view rate cannot be "
                       "given and the response rate among all staff is unknown."))
    items.append(_("The design is cross-sectional: associations are not evidence of cause and effect."))
    items.append(_("Cells with fewer than %(n)s people are suppressed to protect respondents; small groups are "
                   "therefore not described separately.") % {"n": bundle.threshold})
    if not bundle.ids("nonresponse/"):
        items.append(_("Respondents were not compared with all platform users (no population file), so nonresponse "
                       "bias on usage could not be assessed."))
    return items



