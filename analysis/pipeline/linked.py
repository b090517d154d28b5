"""Sections that use platform usage linked to answers: correlations with usage
features, usage personas, and nonresponse against all platform users."""

from __future__ import annotations

import pandas as pd

from analysis import apa, disclosure, nonresponse as nr, personas as ps
from .context import Context
from analysis.correlate import spearman_table
from .results import Result


def correlations(ctx: Context) -> None:
    spec = ctx.plan.get("correlations") or {}
    if not spec:
        return

    def compute():
        right = ctx.columns("correlations.with")
        if not right:
            ctx.add(Result("correlations/usage", "correlations", "Scales x usage features",
                           messages=["no usage columns (codebook source 'usage') in this wave: nothing to correlate"]))
            return
        adjust = spec.get("adjust", "holm")
        table = spearman_table(ctx.frame, ctx.columns("correlations.scales"), right, adjust)
        size = int(table["p"].notna().sum())
        # The text carries the adjusted p: the pairs form one family (Holm by default).
        table["text"] = [f"{apa.correlation(r.rho, r.n, r.p, r.ci_low, r.ci_high)}; {apa.adjusted(r.p_adj, adjust, size)}"
                         for r in table.itertuples()]
        ctx.add(Result("correlations/usage", "correlations", "Spearman correlations: scales x usage features", table=table,
                       values={"adjust": adjust, "family_size": size, "effect_size": "Spearman's rho"}))
    ctx.attempt("correlations/usage", "correlations", "Scales x usage features", compute)


def _clustering(ctx: Context) -> tuple[tuple, list]:
    """The personas' job: its key and the arguments of `cluster_usage` (no features: no job)."""
    spec = ctx.plan.get("personas") or {}
    features = ctx.columns("personas.features") if spec else []
    k_range = (int(spec.get("k_min", 2)), int(spec.get("k_max", 6)))
    return ("personas", tuple(features), k_range), [ctx.frame[features], k_range, ctx.seed] if features else []


def start_personas(ctx: Context) -> None:
    """Cluster in a second process from the start of the run (the costliest statistic: 500 k-means fits)."""
    key, arguments = _clustering(ctx)
    if arguments:
        ctx.start(key, ps.cluster_usage, *arguments)


def personas(ctx: Context) -> None:
    spec = ctx.plan.get("personas") or {}
    if not spec:
        return

    def compute():
        key, arguments = _clustering(ctx)
        if not arguments:
            ctx.add(Result("personas/choice", "personas", "Usage personas",
                           messages=["no usage columns in this wave: no personas"]))
            return
        found = ctx.computed(key, ps.cluster_usage, *arguments)
        values_ = {"n_used": found["n_used"], "n_excluded": found["n_excluded"], "features": found["features"],
                   "silhouette": found["silhouette"], "reading": found["reading"], "substantial": found["substantial"],
                   "sample": found.get("sample")}
        if found.get("message"):
            ctx.add(Result("personas/choice", "personas", "Usage personas", values=values_,
                           messages=[found["message"], *found["notes"]]))
            return
        ctx.add(Result("personas/choice", "personas", "Number of personas by bootstrap stability",
                       table=found["choice"], values=values_, messages=found["notes"]))
        if not found["substantial"]:  # no types to present: the choice result says why
            return
        ctx.frame = ctx.frame.assign(persona=found["assignment"])
        stats = [c for c in found["profiles"].columns if c not in ("persona", "n")]
        ctx.add(Result("personas/profiles", "personas", "Usage profile per persona",
                       table=disclosure.mask_small_groups(found["profiles"], "n", stats, ctx.threshold)))
        ratings = ps.persona_ratings(ctx.frame, found["assignment"], ctx.columns("personas.rate"))
        ctx.add(Result("personas/ratings", "personas", "How each persona rates the platform",
                       table=disclosure.mask_small_groups(ratings, "n", ["mean", "median"], ctx.threshold)))

    ctx.attempt("personas/choice", "personas", "Usage personas", compute)


def nonresponse(ctx: Context) -> None:
    spec = ctx.plan.get("nonresponse") or {}
    if not spec:
        return
    ctx.attempt("nonresponse/smd", "nonresponse", "Respondents vs nonrespondents", lambda: _differences(ctx))
    ctx.attempt("nonresponse/consent", "nonresponse", "Consenting vs non-consenting respondents",
                lambda: _consent(ctx))
    ctx.attempt("nonresponse/weighted", "nonresponse", "Weighted estimates", lambda: _weighted(ctx))


RESPONDED = "responded"  # 0/1 column of the population export (platform_logs): answered the wave
CONSENT = "linkage_consent"  # 0/1 column of the responses export
BAND = "usage_band"  # usage-intensity band of a linked respondent, cut at the population's tertiles
BANDED_ON = "usage_active_days"


def _population_features(ctx: Context) -> list[str]:
    population, features = ctx.population, ctx.columns("nonresponse.features")
    if population is not None and not features and RESPONDED in population:
        features = [c for c in population.columns if c.startswith("usage_") and pd.api.types.is_numeric_dtype(population[c])]
    return features


def _nonresponse_frame(ctx: Context) -> pd.DataFrame:
    """The analysed responses with only the columns nonresponse reads (usage features, estimates, margins,
    consent, the banding feature): each comparison selects rows, and selecting them across all of a wave's
    columns to use a dozen was most of the section's time."""
    margins = (ctx.plan.get("population") or {}).get("margins") or {}
    wanted = [*_population_features(ctx), *ctx.columns("nonresponse.estimates"), *margins, CONSENT, BANDED_ON]
    return ctx.frame[[c for c in dict.fromkeys(wanted) if c in ctx.frame]]


def _linked(ctx: Context) -> pd.DataFrame:
    """Analysed respondents whose usage the population file holds (consented, active in the window)."""
    frame = _nonresponse_frame(ctx)
    if CONSENT in frame:
        frame = frame[frame[CONSENT] == 1]
    if BANDED_ON in frame:
        frame = frame[pd.to_numeric(frame[BANDED_ON], errors="coerce") > 0]
    return frame


def _raking(ctx: Context) -> tuple[pd.DataFrame, dict]:
    """The respondents to weight and their margins: the plan's `population.margins` (e.g. role, from staff
    statistics) and, with a population file, usage-intensity bands of all platform users. Self-selection
    follows usage, so role alone cannot correct it; the bands need usage, so only linked respondents are
    weighted then."""
    margins = dict((ctx.plan.get("population") or {}).get("margins") or {})
    population = ctx.population
    if population is None or BANDED_ON not in population or BANDED_ON not in ctx.frame:
        return _nonresponse_frame(ctx), margins
    linked = _linked(ctx)
    bands, shares = nr.usage_bands(population[BANDED_ON], linked[BANDED_ON])
    return linked.assign(**{BAND: bands}), {**margins, BAND: shares}


def _differences(ctx: Context) -> None:
    """Respondents vs nonrespondents on usage features, before and after weighting.

    With a `responded` column (the platform_logs population export) the nonrespondents are its rows
    with responded = 0, and the respondents the analysed linked respondents. Respondents who refused
    linkage are among responded = 0 (marking them would be the linkage they refused): their number,
    an upper bound, is given. Without `responded` the linked respondents are compared with the whole
    table (all users), which the result says.
    """
    population = ctx.population
    features = _population_features(ctx)
    if population is None or not features:
        ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs nonrespondents",
                       messages=["no population table (--population) or no usage features: comparison skipped"]))
        return
    missing = [f for f in features if f not in population or f not in ctx.frame]
    if missing:
        ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs nonrespondents",
                       messages=[f"population table or responses lack usage feature(s) {missing}"]))
        return
    respondents = _linked(ctx)
    if RESPONDED in population:
        others, compared = population[population[RESPONDED] == 0], "nonrespondents (responded = 0)"
    else:
        others, compared = population, "all platform users (no responded column)"
    features, left_out = nr.distinct_features(population, features)
    if not features:
        ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs nonrespondents",
                       messages=[f"every usage feature is constant or repeats another among all users: {left_out}"]))
        return
    weighted_frame, margins = _raking(ctx)
    weights, message, method = nr.calibration_weights(weighted_frame, margins) if margins else (
        pd.Series(1.0, index=weighted_frame.index), "", "none")
    table = nr.balance(respondents, weights.reindex(respondents.index), others, features)
    refused = ctx.dataset.data
    refused = int(((refused.get("status") == "completed") & (refused[CONSENT] == 0)).sum()) if CONSENT in refused else None
    ctx.add(Result("nonresponse/smd", "nonresponse", "Respondents vs nonrespondents (standardized mean differences)",
                   table=table, messages=([message] if message else []) + [
                       f"{feature} left out: {reason} among all users" for feature, reason in left_out.items()],
                   values={"respondents_from": "analysed respondents with linked usage", "compared_with": compared,
                           "users": int(len(population)), "respondents": int(len(respondents)),
                           "nonrespondents": int(len(others)) if RESPONDED in population else None,
                           "refused_linkage_at_most": refused, "weighting": method, "left_out": left_out,
                           "weighted_on": sorted(margins),
                           "imbalanced": int(table["imbalanced"].fillna(False).astype(bool).sum()),
                           "imbalanced_weighted": int(table["imbalanced_weighted"].fillna(False).astype(bool).sum())}))


def _consent(ctx: Context) -> None:
    """Respondents who consented to linkage against those who did not, on the plan's estimates (the
    answers both groups gave): how far the linked respondents stand for all respondents."""
    estimates = ctx.columns("nonresponse.estimates")
    if CONSENT not in ctx.frame or not estimates:
        ctx.add(Result("nonresponse/consent", "nonresponse", "Consenting vs non-consenting respondents",
                       messages=["no linkage_consent column or no nonresponse.estimates: comparison skipped"]))
        return
    frame = _nonresponse_frame(ctx)
    consenting, refusing = frame[frame[CONSENT] == 1], frame[frame[CONSENT] == 0]
    table = nr.balance(consenting, pd.Series(1.0, index=consenting.index), refusing, estimates)
    table = table.drop(columns=[c for c in table if "weighted" in c or c == "effective_n"])
    table = table.rename(columns={"n_respondents": "n_consenting", "n_nonrespondents": "n_refusing",
                                  "mean_respondents": "mean_consenting", "mean_nonrespondents": "mean_refusing"})
    shown = disclosure.mask_small_groups(table, "n_refusing", ["mean_refusing", "smd", "smd_ci_low", "smd_ci_high"],
                                         ctx.threshold)
    ctx.add(Result("nonresponse/consent", "nonresponse", "Consenting vs non-consenting respondents", table=shown,
                   values={"consenting": int(len(consenting)), "refusing": int(len(refusing))}))


def _weighted(ctx: Context) -> None:
    frame, margins = _raking(ctx)
    estimates = ctx.columns("nonresponse.estimates")
    if not margins or not estimates:
        ctx.add(Result("nonresponse/weighted", "nonresponse", "Weighted estimates",
                       messages=["no population.margins (or population file) or no nonresponse.estimates: no weights"]))
        return
    table = nr.weighted_estimates(frame, estimates, margins)
    method = "post-stratification" if len(margins) == 1 else "raking"
    ctx.add(Result("nonresponse/weighted", "nonresponse", f"Weighted ({method}) beside unweighted estimates",
                   table=table, values={"method": method, "margins": sorted(margins),
                                        "respondents": int(len(frame)),
                                        "calibrated_on": "respondents with a valid outcome, per estimate",
                                        "variance": "Taylor linearisation, weights as fixed, with replacement",
                                        "weight_max": table["weight_max"].max(), "weight_min": table["weight_min"].min()},
                   text="; ".join(f"{r.variable}: weighted M = {apa.number(r.mean_weighted)}, "
                                  f"{apa.ci(r.ci_low, r.ci_high)}, {apa.sample(r.n)}" for r in table.itertuples())))
