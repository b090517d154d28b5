"""The publication report's coded open answers: how the coding was done and checked, and what it found.

The methods paragraph and the agreement table come from context.json (`coding`, written from the
database: model, server, codebook version, temperature, seed, agreement and gate); the coded
categories from the analysis bundle (`coded/<item>`). No answer text reaches the report.
"""

from django.utils.translation import gettext as _

from analysis.disclosure import marker
from reports.formatting import DASH, count, missing, number, percent
from reports.tables import _table

CODE_MARK = "_code__"


def section(bundle):
    """The report section for coded open answers, or None when no sample was double-coded."""
    summaries = bundle.context.get("coding") or []
    if not summaries:
        return None
    texts, blocks = [], []
    for summary in summaries:
        texts.append(methods_paragraph(bundle, summary))
        blocks.append(agreement_table(bundle, summary))
        blocks.append(categories_table(bundle, summary, f"coded/{summary['item']}"))
        for result_id in bundle.ids(f"coded/{summary['item']}/by/"):
            blocks.append(categories_table(bundle, summary, result_id))
    return {"title": _("Coded open answers"), "text": texts, "blocks": [b for b in blocks if b is not None]}


def _who(summary, code):
    return _("model") if summary["coded_by"].get(code) == "model" else _("people (sample)")


def methods_paragraph(bundle, summary):
    labels = summary["labels"]
    facts = {"item": bundle.label(summary["item"]), "version": summary["codebook_version"], "people": summary["people"],
             "sample": summary["sample_size"], "min_alpha": number(summary["min_alpha"], 3)}
    text = _("Answers to “%(item)s” were coded with codebook version %(version)s. %(people)s people coded a random "
             "sample of %(sample)s answers blind to each other.") % facts
    if not summary["model"]:
        return text + " " + _("All codes are reported from the people's codes on this sample (a code counts when more "
                              "than half of the people gave it).")
    text += " " + _("The site's own language model %(model)s (server %(host)s, temperature %(temperature)s, seed "
                    "%(seed)s) coded every answer, asked for a short rationale before the codes; replies not matching "
                    "the codebook's schema were not stored. Per code, the model's Krippendorff's α with each person was "
                    "compared with the people's α among themselves; codes below the people's level or below α = "
                    "%(min_alpha)s stay with people and are reported from the sample.") % {
        **facts, "model": summary["model"], "host": summary["host"], "temperature": number(summary["temperature"], 1),
        "seed": summary["seed"]}
    model = [labels[code] for code, who in summary["coded_by"].items() if who == "model"]
    people = [labels[code] for code, who in summary["coded_by"].items() if who != "model"]
    text += " " + (_("Coded by the model: %(codes)s.") % {"codes": ", ".join(model)} if model
                   else _("No code reached the people's agreement, so none is reported from the model's codes."))
    if people:
        text += " " + _("Staying with people: %(codes)s.") % {"codes": ", ".join(people)}
    return text


def agreement_table(bundle, summary):
    gate = {row["code"]: row for row in summary["gate"]}
    rows = []
    for among in summary["agreement"]:
        code = among["scope"]
        model = gate.get(code, {})
        rows.append([_("overall") if code == "overall" else among["label"], number(among.get("percent_agreement"), 2),
                     number(among.get("cohen_kappa"), 2), number(among.get("krippendorff_alpha"), 2),
                     f"{number(among.get('alpha_ci_low'), 2)}–{number(among.get('alpha_ci_high'), 2)}",
                     number(among.get("gwet_ac1"), 2), number(model.get("model_alpha"), 2),
                     DASH if code == "overall" else _who(summary, code)])
    return _table(bundle, f"coding__{summary['item']}__agreement",
                  _("Agreement between coders per code: %(item)s") % {"item": bundle.label(summary["item"])},
                  [_("Code"), _("Agreement"), "κ", _("α people"), _("95% CI"), "AC1", _("α model–people"), _("Coded by")],
                  rows, [1, 2, 3, 4, 5, 6],
                  [_("Agreement, κ (Cohen, two people), α (Krippendorff, 95% bootstrap interval over units) and AC1 "
                     "(Gwet) among the people who coded the sample; α model–people: the model's α with each person, "
                     "averaged; a dash where a statistic is not defined.")])


def categories_table(bundle, summary, result_id):
    result = bundle.result(result_id)
    if not result or not result.get("table"):
        return None
    t = bundle.threshold
    grouped = "/by/" in result_id
    rows = []
    for row in result["table"]:
        code = row["code"].split(CODE_MARK, 1)[-1]
        # A suppressed row hides a count of 1 to threshold - 1 (k, or the group's n): the small-cell marker,
        # which the table's note explains; an empty group hides nobody and shows its 0 with dashes.
        hidden = marker(t) if row.get("suppressed") and row.get("n") != 0 else DASH
        n = hidden if missing(row.get("n")) else row.get("n")
        shown = [summary["labels"].get(code, code), count(n, t),
                 hidden if row.get("suppressed") else count(row.get("k"), t),
                 hidden if row.get("suppressed") else percent(row.get("percent")),
                 DASH if row.get("suppressed") else f"{percent(row.get('ci_low'))}–{percent(row.get('ci_high'))}"]
        if grouped:  # who coded a code is said once, in the overall table
            group = result_id.rsplit("/", 1)[-1]
            shown = [bundle.value_label(group, row.get("group")) or str(row.get("group")), *shown]
        else:
            shown.insert(1, _who(summary, code))
        rows.append(shown)
    if grouped:
        group = result_id.rsplit("/", 1)[-1]
        title = _("Coded categories by %(group)s: %(item)s") % {"group": bundle.label(group), "item": bundle.label(summary["item"])}
        columns = [bundle.label(group), _("Code"), _("Coded answers"), "n", "%", _("95% CI (Wilson)")]
    else:
        title = _("Coded categories: %(item)s") % {"item": bundle.label(summary["item"])}
        columns = [_("Code"), _("Coded by"), _("Coded answers"), "n", "%", _("95% CI (Wilson)")]
    return _table(bundle, result_id.replace("/", "__"), title, columns, rows, list(range(2, len(columns))),
                  [_("Share of coded answers with each code; several codes per answer possible; codes coded by people "
                     "are estimated from the random sample. No answer text is shown.")])
