"""The consortium report: per-site and pooled results from `python -m analysis pool`, as a PDF.

Reads only the pooled directory (pooled.json), which holds nothing but what the sites' bundles
let out; every count printed still goes through `formatting.count`, so the consortium's
threshold holds on the page and in the figure labels too. Site names can be replaced by
"Site A, B, ..." for a report that leaves the consortium.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from weasyprint import HTML  # noqa: E402

from analysis.meta import heterogeneity_label  # noqa: E402
from analysis.pipeline.io import PRIVATE_FILE, private_directory  # noqa: E402
from reports.claims import Ledger  # noqa: E402
from reports.facts import Figure, numbered  # noqa: E402
from reports.formatting import DASH, count, interval, number, p_value, percent  # noqa: E402
from reports.render import BundleFetcher  # noqa: E402
from reports.tables import Table  # noqa: E402


class ConsortiumError(Exception):
    pass


@dataclass
class ConsortiumReport:
    pdf: Path
    assets: Path
    html: str


def site_names(sites, pseudonymise):
    """Site name as printed: the bundle's, or "Site A", "Site B", ... in bundle order."""
    if not pseudonymise:
        return {site["site"]: site["site"] for site in sites}
    return {site["site"]: _("Site %(letter)s") % {"letter": chr(ord("A") + i)} for i, site in enumerate(sites)}


def build_consortium_report(pooled_dir, language, out_path, pseudonymise=False):
    """Write the consortium report for `pooled_dir` (from `python -m analysis pool`) to `out_path`."""
    path = Path(pooled_dir) / "pooled.json"
    try:
        pooled = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConsortiumError(f"{path}: expected pooled.json from `python -m analysis pool` ({exc})") from exc
    out_path = Path(out_path)
    private_directory(out_path.parent)
    assets = private_directory(out_path.with_name(out_path.name + ".assets"))
    private_directory(assets / "figures")
    with translation.override(language):
        ledger = Ledger()
        document = consortium_document(pooled, language, assets, pseudonymise, ledger)
        html = render_to_string("reports/consortium.html", document)
    ledger.write(assets / "claims.json")
    HTML(string=html, base_url=str(assets), url_fetcher=BundleFetcher(assets)).write_pdf(out_path)
    out_path.chmod(PRIVATE_FILE)
    return ConsortiumReport(out_path, assets, html)


def consortium_threshold(pooled):
    """The strictest threshold any site applied, and never below the site running the report."""
    return max([int(site["rules"]["min_cell"]) for site in pooled["sites"]] + [settings.UPTAKE_SUPPRESSION_THRESHOLD])


def consortium_document(pooled, language, assets, pseudonymise, ledger):
    threshold = consortium_threshold(pooled)
    names = site_names(pooled["sites"], pseudonymise)
    labels = variable_labels(pooled, language)
    figures = numbered([ledger.show(forest_plot(contrast, pooled, names, labels, assets, position), "random-effects")
                        for position, contrast in enumerate(pooled["contrasts"], start=1)])
    tables = numbered([sites_table(pooled, names, threshold),
                       ledger.show(descriptives_table(pooled, names, labels, threshold), "exact-pooling", "anova"),
                       ledger.show(contrasts_table(pooled, labels), "random-effects", "knapp-hartung"),
                       ledger.show(leave_one_out_table(pooled, names, labels), "leave-one-site-out")])
    title = _("Multi-site results")
    return {
        "language": language, "kind_title": _("Consortium report"), "title": title,
        "document_title": f"{_('Consortium report')}: {title}",
        "institution": settings.UPTAKE_INSTITUTION_NAME, "colours": colours(),
        "wave": {"slug": "consortium", "instrument_code": core_code(pooled)},
        "built_on": timezone.localdate().isoformat(), "threshold": threshold,
        "sites_count": len(pooled["sites"]), "core": pooled["sites"][0]["core"] if pooled["sites"] else {},
        "core_identical": len({site["core"].get("sha256") for site in pooled["sites"]}) == 1,
        "rules": rules_text(pooled, threshold), "warning": bool(pooled.get("warning")),
        "methods": methods_sentences(ledger),
        "heterogeneity": [heterogeneity_sentence(contrast, labels) for contrast in pooled["contrasts"]],
        "tables": tables, "figures": figures, "pseudonymised": pseudonymise,
    }


def colours():
    primary, secondary, accent = (settings.UPTAKE_COLOURS + ["#1f4e79", "#0f7b6c", "#d9822b"])[:3]
    return {"primary": primary, "secondary": secondary, "accent": accent}


def core_code(pooled):
    return pooled["sites"][0]["core"].get("code", "") if pooled["sites"] else ""


def variable_labels(pooled, language):
    """Variable -> its codebook label in the report language, and (variable, code) -> value label."""
    labels = {}
    for site in pooled.get("labels", {}).values():
        for name, texts in site.items():
            labels[name] = texts.get(language) or texts.get("en") or name
            try:
                values = json.loads(texts.get(f"values_{language}") or "{}")
            except json.JSONDecodeError:
                values = {}
            labels.update({(name, f"{float(code):g}"): label for code, label in values.items()})
    return labels


def contrast_label(contrast, labels):
    """"Conversations (count): Nursing vs Physician" from "usage_chats: role 2 vs 1"."""
    variable, rest = contrast.split(": ", 1)
    stratum, levels = rest.split(" ", 1)
    level_a, level_b = levels.split(" vs ")
    shown = [labels.get((stratum, f"{float(level):g}"), level) for level in (level_a, level_b)]
    return _("%(variable)s: %(a)s vs %(b)s") % {"variable": labels.get(variable, variable), "a": shown[0], "b": shown[1]}


def forest_plot(contrast, pooled, names, labels, assets, position):
    """Each site's effect with its 95 % CI and weight, the pooled estimate as a diamond, and the
    prediction interval; labels carry site names and weights only, never a count."""
    rows = [row for row in pooled["site_contrasts"] if row["contrast"] == contrast["contrast"]]
    if len(rows) < 2:
        return None
    weights = np.array([1 / (row["vi"] + contrast["tau2"]) for row in rows])
    shares = weights / weights.sum()
    figure, axes = plt.subplots(figsize=(6.4, 0.55 * len(rows) + 1.6))
    for y, (row, share) in enumerate(zip(rows, shares)):
        half = 1.96 * np.sqrt(row["vi"])
        axes.plot([row["yi"] - half, row["yi"] + half], [y, y], color="#333", linewidth=1)
        axes.plot(row["yi"], y, "s", color="#1f4e79", markersize=4 + 10 * share)
    bottom = len(rows) + 0.6
    estimate, low, high = contrast["estimate"], contrast["ci_low"], contrast["ci_high"]
    axes.fill([low, estimate, high, estimate], [bottom, bottom - 0.2, bottom, bottom + 0.2], color="#d9822b")
    axes.plot([contrast["pi_low"], contrast["pi_high"]], [bottom, bottom], color="#d9822b", linewidth=1, linestyle=":")
    axes.axvline(0, color="#999", linewidth=0.8)
    ticks = [*(f"{names.get(row['site'], row['site'])} ({percent(100 * share, 0)})" for row, share in zip(rows, shares)),
             _("Pooled (random effects)")]
    axes.set_yticks([*range(len(rows)), bottom], ticks)
    axes.invert_yaxis()
    axes.set_xlabel(_("Difference in means (95 % CI)"))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    path = assets / "figures" / f"forest_{position}.png"
    figure.savefig(path, dpi=200)
    plt.close(figure)
    note = _("Squares: each site's difference, sized by its weight (in brackets); lines: 95 % confidence intervals; "
             "diamond: pooled estimate; dotted line: 95 % prediction interval for a new site.")
    return Figure(key=f"forest_{position}", title=_("Forest plot: %(contrast)s") % {
        "contrast": contrast_label(contrast["contrast"], labels)}, src=f"figures/{path.name}", note=note)


def sites_table(pooled, names, threshold):
    rows = []
    for site in pooled["sites"]:
        heads = pooled["headcounts"].get(site["site"], {})
        rows.append([names[site["site"]], site["created"], count(heads.get("responses_completed"), threshold),
                     str(site["rules"]["min_cell"]), str(site["rules"].get("rounding") or DASH)])
    return Table(key="sites", title=_("Sites and their bundles"),
                 columns=[_("Site"), _("Bundle of"), _("Completed responses"), _("Minimum cell"), _("Rounded to")],
                 rows=rows, numeric=[2, 3, 4],
                 notes=[_("Headcounts below the threshold are withheld by the site; rounded headcounts are upper bounds.")])


def descriptives_table(pooled, names, labels, threshold):
    """Mean (SD) per site and pooled, with the one-way ANOVA across sites, for variables every site published."""
    comparison = {row["variable"]: row for row in pooled["site_comparison"]}
    rows = []
    for row in pooled["descriptives"]:
        if row["stratum"] != "all" or not row["complete"] or row["variable"] not in comparison:
            continue
        test = comparison[row["variable"]]
        rows.append([labels.get(row["variable"], row["variable"]), count(row["n"], threshold),
                     f"{number(row['mean'])} ({number(row['sd'])})",
                     f"F({test['df1']}, {test['df2']}) = {number(test['F'])}", p_value(test["p"]),
                     number(test["eta2"], 3)])
    if not rows:
        return None
    return Table(key="pooled", title=_("Pooled means and differences between sites"),
                 columns=[_("Variable"), "N", _("Mean (SD)"), _("Sites differ"), "p", "η²"], rows=rows,
                 numeric=[1, 2, 4, 5],
                 notes=[_("Pooled exactly from each site's n, mean and variance; only items asked word for word at "
                          "every site and published by every site. Sites differ: one-way ANOVA across %(k)s sites "
                          "from the same statistics.") % {"k": len(names)}])


def contrasts_table(pooled, labels):
    rows = [[contrast_label(c["contrast"], labels), str(c["k"]), number(c["estimate"]),
             interval(c["ci_low"], c["ci_high"]), p_value(c["p"]), number(c["tau2"], 3), percent(c["i2"]),
             interval(c["pi_low"], c["pi_high"])] for c in pooled["contrasts"]]
    if not rows:
        return None
    return Table(key="contrasts", title=_("Planned contrasts: random-effects meta-analysis over the sites"),
                 columns=[_("Contrast"), "k", _("Estimate"), _("95 % CI"), "p", "τ²", "I²", _("95 % PI")],
                 rows=rows, numeric=[1, 2, 3, 4, 5, 6, 7],
                 notes=[_("τ² by restricted maximum likelihood; confidence interval and test by Knapp and Hartung "
                          "(t distribution, k − 1 degrees of freedom); PI: prediction interval for a new site.")])


def leave_one_out_table(pooled, names, labels):
    rows = [[contrast_label(row["contrast"], labels), names.get(row["omitted"], row["omitted"]),
             number(row["estimate"]), interval(row["ci_low"], row["ci_high"]), percent(row["i2"])]
            for row in pooled["leave_one_site_out"]]
    if not rows:
        return None
    return Table(key="leave_one_out", title=_("Leave one site out"),
                 columns=[_("Contrast"), _("Site left out"), _("Estimate"), _("95 % CI"), "I²"], rows=rows,
                 numeric=[2, 3, 4])


def heterogeneity_sentence(contrast, labels):
    """How much the sites differ, in words a clinician reads (Cochrane Handbook bands for I²)."""
    words = {"low": _("The sites agree closely"), "moderate": _("The sites differ somewhat"),
             "substantial": _("The sites differ substantially"), "considerable": _("The sites differ a lot")}
    return _("%(words)s on %(contrast)s: I² = %(i2)s, so %(i2)s of the spread between the sites' results is more "
             "than chance would give; a new site would be expected between %(low)s and %(high)s.") % {
        "words": words[heterogeneity_label(contrast["i2"])], "contrast": contrast_label(contrast["contrast"], labels),
        "i2": percent(contrast["i2"], 0), "low": number(contrast["pi_low"]), "high": number(contrast["pi_high"])}


def methods_sentences(ledger):
    """How the sites were pooled, naming each method only where its result is shown (reports.claims)."""
    sentences = [_("No site handed out a single respondent row. Each site sent a signed bundle of aggregate "
                   "statistics; the coordinating centre checked the signatures and pooled the bundles.")]
    if ledger.claim(_("exact pooling of means and standard deviations"), "exact-pooling"):
        sentences.append(_("Means and standard deviations are pooled exactly from each site's number of answers, "
                           "mean and variance."))
    if ledger.claim(_("one-way analysis of variance across sites"), "anova"):
        sentences.append(_("The sites are compared by a one-way analysis of variance computed from the same "
                           "statistics."))
    if ledger.claim(_("random-effects meta-analysis (REML, Knapp-Hartung)"), "random-effects"):
        sentences.append(_("Planned contrasts are combined by a random-effects meta-analysis (τ² by restricted "
                           "maximum likelihood, confidence intervals by Knapp and Hartung)."))
    if ledger.claim(_("leave-one-site-out sensitivity analysis"), "leave-one-site-out"):
        sentences.append(_("Each contrast is pooled again with each site left out in turn."))
    return sentences


def rules_text(pooled, threshold):
    rounding = sorted({site["rules"].get("rounding") for site in pooled["sites"] if site["rules"].get("rounding")})
    rules = [_("No count below %(n)s left any site; a further cell was withheld wherever a total would have given a "
               "withheld one back.") % {"n": threshold},
             _("No minimum, maximum or median left any site; means and variances were withheld beside withheld counts."),
             _("Only items whose wording was identical at every site (same content hash) were pooled.")]
    if rounding:
        rules.append(_("Headcounts were rounded up to multiples of %(n)s.") % {"n": ", ".join(map(str, rounding))})
    return rules
