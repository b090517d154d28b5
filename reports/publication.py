"""The publication report: methods, APA results, nonresponse and limitations, CHERRIES and the instrument."""

from django.utils.translation import gettext as _

from reports import coded, tables
from reports import methods as methods_text
from reports.cherries import checklist
from reports.claims import Ledger
from reports.facts import common, day, figure, numbered
from reports.formatting import apa_text, bounded, count, number, percent


def document(bundle):
    context = common(bundle, _("Survey report"))
    if context["withheld"]:
        return context | {"sections": [], "cherries": [], "instrument": bundle.context.get("instrument")}
    # Results first, into the ledger; the methods and the checklist then name only what the results show.
    ledger = Ledger()
    sections = results_sections(bundle, ledger)
    blocks = [block for section in sections for block in section["blocks"]]
    numbered([b for b in blocks if b.kind == "table"])
    numbered([b for b in blocks if b.kind == "figure"])
    limitations_blocks = numbered_after(blocks, [ledger.show(tables.dropout(bundle)),
                                                 ledger.show(tables.nonresponse_balance(bundle), "smd"),
                                                 ledger.show(tables.linkage_consent(bundle)),
                                                 ledger.show(tables.weighted_estimates(bundle), "weights")])
    return context | {
        "methods": methods(bundle, ledger),
        "sections": sections,
        "limitations": limitations(bundle),
        "limitation_blocks": limitations_blocks,
        "cherries": checklist(bundle, ledger),
        "instrument": bundle.context.get("instrument"),
        "ledger": ledger,
    }


def numbered_after(blocks, more):
    last = max([b.number for b in blocks if b.kind == "table"] or [0])
    kept = [b for b in more if b is not None]
    for offset, table in enumerate(kept, start=1):
        table.number = last + offset
    return kept


def methods(bundle, ledger):
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
        "invitations_created_n": int(recruitment.get("invitations_created") or 0),
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
        "sentences": methods_text.sentences(bundle, ledger),
        "statistics": methods_text.table_rows(bundle, ledger),
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
    """"SUS: 119; Leistungserwartung (UTAUT): 147; …": how many respondents each score and model rests on."""
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


def results_sections(bundle, ledger):
    """The results chapter; every block and sentence is entered in the ledger with the methods it shows."""
    show = ledger.show
    likert_ids = bundle.ids("descriptives/likert/")
    sus = bundle.result("scores/sus")
    sections = [
        {"title": _("Sample"), "text": [sample_text(bundle)],
         "blocks": [show(tables.sample_rates(bundle)),
                    *[show(tables.frequency(bundle, i), "frequencies") for i in bundle.ids("descriptives/categorical/")],
                    show(tables.quality_flags(bundle))]},
        {"title": _("Usability and satisfaction"),
         "text": [ledger.say("scores/sus", apa_text(sus["text"]), "sus")] if sus else [],
         "blocks": [show(tables.scores(bundle), *tables.score_methods(bundle)), show(tables.nps(bundle), "nps"),
                    show(figure(bundle, "sus_distribution", _("Distribution of SUS scores with the grade bands"),
                                _("SUS scores in bins of five points over the Sauro–Lewis curved grading scale (A+ to "
                                  "F); the dashed line is the mean.")), "sus"),
                    *[show(figure(bundle, name, _("Answers per item, neutral centred: %(block)s")
                                  % {"block": bundle.label(name.split("__")[-1])},
                                  _("Diverging stacked bars: the lower answers of the scale left of zero, the higher "
                                    "right, the middle answer centred on zero; percent of valid answers.")),
                           "frequencies")
                      for name in bundle.figures("likert_diverging__")],
                    *[show(tables.frequency(bundle, i), "frequencies") for i in likert_ids]]},
        {"title": _("Reliability of the scales"),
         "text": [ledger.say(i, f"{bundle.label(i.split('/')[1])}: {apa_text(r['text'])}", "reliability")
                  for i in bundle.ids("reliability/") if not i.endswith("/items") and (r := bundle.result(i)).get("text")],
         "blocks": [show(tables.reliability(bundle), "reliability")]},
        {"title": _("Use cases and data entered"), "text": [],
         "blocks": [*[show(b, "frequencies") for i in bundle.ids("descriptives/multi_select/")
                      for b in (option_figure(bundle, i.rsplit("/", 1)[1]), tables.multi_select(bundle, i))],
                    show(figure(bundle, "data_sensitivity_by_role", _("Kinds of data entered, by role"),
                                _("Percent of the respondents of each role who answered the item; several answers "
                                  "possible."))),
                    show(figure(bundle, "satisfaction_by_usage", _("Usability by usage intensity"),
                                _("SUS scores in thirds of the respondents by active days on the platform (linked "
                                  "usage); boxes: quartiles, whiskers: 10th and 90th percentile, diamond: mean.")))]},
        {"title": _("Group comparisons"), "text": [],
         "blocks": [show(tables.comparisons(bundle), *tables.comparison_methods(bundle)),
                    *[show(tables.group_summary(bundle, i)) for i in bundle.ids("comparisons/") if not i.endswith("/dunn")],
                    *[show(tables.dunn(bundle, i), "dunn") for i in bundle.ids("comparisons/") if i.endswith("/dunn")]]},
        {"title": _("Correlations with platform usage"), "text": [],
         "blocks": [show(tables.correlations(bundle), "spearman")]},
        {"title": _("Usage personas"), "text": [ledger.say("personas/choice", persona_text(bundle), "personas")],
         "blocks": [show(tables.personas(bundle), "personas"), show(tables.persona_profiles(bundle), "personas")]},
        {"title": _("Regression models"),
         "text": [ledger.say(i, apa_text(r["text"]), r["values"].get("kind", "")) for i in bundle.ids("models/")
                  if (r := bundle.result(i)).get("text")],
         "blocks": [show(tables.model(bundle, i)) for i in bundle.ids("models/")]},
        {"title": _("Factor structure"), "text": [],
         "blocks": [show(tables.loadings(bundle, i), "efa") for i in bundle.ids("factors/") if i.endswith("/loadings")]},
        {"title": _("Free-text answers"), "text": [], "blocks": [show(t, "nmf") for t in tables.topics(bundle)]},
        coded_section(bundle, ledger),
    ]
    sections = [s for s in sections if s is not None]
    for section in sections:
        section["blocks"] = [b for b in section["blocks"] if b is not None]
        section["text"] = [t for t in section["text"] if t]
    return [s for s in sections if s["blocks"] or s["text"]]


def coded_section(bundle, ledger):
    """The coded open answers (reports.coded) in the ledger: its tables show the coding, so its methods
    paragraph is printed beside them."""
    section = coded.section(bundle)
    if section is None:
        return None
    section["blocks"] = [ledger.show(block, "coding") for block in section["blocks"]]
    section["text"] = [ledger.claim(text, "coding") for text in section["text"]]
    return section


def persona_text(bundle):
    """What the clustering found, in words: the n it rests on, the k chosen, and whether there are types at all."""
    result = bundle.result("personas/choice")
    if not result or not result.get("table"):
        return ""
    values, t = result["values"], bundle.threshold
    chosen = next(row for row in result["table"] if row.get("chosen"))
    facts = {"used": count(values.get("n_used"), t), "excluded": count(values.get("n_excluded"), t),
             "k": chosen["k"], "silhouette": bounded(values.get("silhouette")),
             "features": ", ".join(bundle.label(f) for f in values.get("features") or [])}
    text = _("Usage personas were sought among %(used)s respondents with linked usage (%(excluded)s left out for a "
             "missing usage feature) on %(features)s; %(k)s clusters were the most stable, with a mean silhouette of "
             "%(silhouette)s.") % facts
    if values.get("substantial"):
        return text + " " + _("This indicates structure by Kaufman and Rousseeuw (1990); the personas are described "
                              "below.")
    return text + " " + _("By Kaufman and Rousseeuw (1990) this is no substantial structure: the respondents do not "
                          "fall into distinct usage types, so no personas are presented.")


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
    if not bundle.rows("nonresponse/smd"):
        items.append(_("Respondents were not compared with all platform users (no population file), so nonresponse "
                       "bias on usage could not be assessed."))
    return items



