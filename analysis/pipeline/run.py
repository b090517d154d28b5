"""Run a plan over a dataset: sample flow, exclusions, scoring, then every section."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analysis import apa, disclosure, quality, scoring
from .context import Context
from .io import Dataset
from .processes import Workers
from .plan import check_columns
from .results import Result
from .sections import SECTIONS, STARTED_AHEAD


def canonical_order(frame: pd.DataFrame) -> np.ndarray:
    """The positions of the rows sorted by `response_id` (else by every column; ties keep their order).

    The order of an export carries no information, yet iterative fits (ordinal models, NMF) sum in
    row order and stop at a tolerance, so a shuffled file would move their last digits. Sorting first
    makes every result a function of the rows alone: a second analyst gets the same numbers. Numeric
    columns sort by value (missing last), others by their text: writing 1.3 million floats of a
    population file as text took most of the sort.
    """
    keys = ["response_id"] if "response_id" in frame and frame["response_id"].is_unique else list(frame.columns)
    columns = [frame[key].to_numpy(dtype=float, na_value=np.nan) if pd.api.types.is_numeric_dtype(frame[key])
               else frame[key].astype(str).to_numpy(dtype=str) for key in keys]
    return np.lexsort(columns[::-1])


def in_canonical_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in `canonical_order`, renumbered from 0."""
    return frame.iloc[canonical_order(frame)].reset_index(drop=True)


def _ordered(dataset: Dataset) -> Dataset:
    order = canonical_order(dataset.data)
    return replace(dataset, raw=dataset.raw.iloc[order].reset_index(drop=True),
                   data=dataset.data.iloc[order].reset_index(drop=True))


def run_plan(plan: dict, dataset: Dataset, population: pd.DataFrame | None = None) -> Context:
    """Check the plan against the data (before computing anything), then run it (rows in canonical order)."""
    dataset = _ordered(dataset)
    population = in_canonical_order(population) if population is not None else None
    # The `usage` keyword means numeric usage features (not e.g. the first-seen date).
    usage = [c for c in dataset.columns_from_source("usage") if pd.api.types.is_numeric_dtype(dataset.data[c])]
    resolved = check_columns(plan, list(dataset.data.columns), usage, dataset.codebook)
    ctx = Context(plan=plan, dataset=dataset, resolved=resolved, frame=dataset.data, population=population)
    ctx.workers = Workers()
    ctx.attempt("sample/rates", "sample", "Sample and rates", lambda: sample_flow(ctx))
    ctx.frame = apply_exclusions(ctx)
    if ctx.frame.empty:
        ctx.add(Result("sample/empty", "sample", "Responses analysed",
                       messages=["empty wave: no responses left to analyse after exclusions"]))
        return ctx
    ctx.frame = usage_without_activity(ctx)
    add_scores(ctx)
    for start in STARTED_AHEAD:
        try:
            start(ctx)
        except Exception:  # noqa: BLE001 - not started: its section computes it and reports what went wrong
            pass
    for section in SECTIONS:
        section(ctx)
    return ctx


def score_wave(plan: dict, dataset: Dataset) -> pd.DataFrame:
    """A wave's analysed responses with their scores, without running the sections (e.g. the
    previous wave of a longitudinal comparison)."""
    dataset = _ordered(dataset)
    usage = [c for c in dataset.columns_from_source("usage") if pd.api.types.is_numeric_dtype(dataset.data[c])]
    resolved = check_columns(plan, list(dataset.data.columns), usage, dataset.codebook)
    ctx = Context(plan=plan, dataset=dataset, resolved=resolved, frame=dataset.data)
    ctx.frame = apply_exclusions(ctx)
    add_scores(ctx)
    return ctx.frame


def _page_order(ctx: Context) -> list[str]:
    codebook = ctx.dataset.codebook
    if "page" not in codebook:
        return []
    return list(dict.fromkeys(p for p in codebook["page"] if p))


def sample_flow(ctx: Context) -> None:
    """CHERRIES rates on every exported response, and where unfinished responses stopped."""
    frame = ctx.dataset.data
    invited = (ctx.plan.get("population") or {}).get("invited")
    rates = quality.cherries_rates(frame, invited)
    counts = ["invited", "viewed", "consented", "completed"]
    small = [c for c in counts[1:] if 0 < rates.loc[0, c] < ctx.threshold]
    shown = rates.astype(object)
    for column in small:  # small counts would single out people in a tiny wave
        shown.loc[0, column] = disclosure.marker(ctx.threshold)
    ctx.add(Result("sample/rates", "sample", "View, participation and completion rates (CHERRIES)", table=shown))
    dropout = quality.dropout_by_page(frame, _page_order(ctx))
    ctx.add(Result("sample/dropout", "sample", "Last page reached by unfinished responses",
                   table=disclosure.suppress_frequencies(dropout, threshold=ctx.threshold)))


def apply_exclusions(ctx: Context) -> pd.DataFrame:
    """Keep completed responses (unless the plan says otherwise), flag quality problems,
    and drop only the flags the plan marks `exclude: true`."""
    spec = ctx.plan.get("exclusions") or {}
    frame = ctx.dataset.data
    if spec.get("status", "completed") == "completed" and "status" in frame:
        frame = frame[frame["status"] == "completed"]
    speed = spec.get("speeders") or {}
    straight = spec.get("straightlining") or {}
    attention = spec.get("attention_checks") or {}
    matrices = {name: ctx.columns(f"exclusions.straightlining.matrices.{name}") for name in straight.get("matrices") or {}}
    flags = quality.quality_flags(frame, float(speed.get("fraction_of_median", 1 / 3)), matrices,
                                  attention.get("checks") or [])
    excluded = []
    if speed.get("exclude") and "speeder" in flags:
        excluded.append("speeder")
    if straight.get("exclude"):
        excluded += [c for c in flags if c.startswith("straightliner_")]
    if attention.get("exclude") and "attention_failed" in flags:
        excluded.append("attention_failed")
    drop = flags[excluded].any(axis=1) if excluded else pd.Series(False, index=frame.index)
    summary = quality.flag_summary(flags, excluded)
    summary = pd.concat([summary, pd.DataFrame([{"check": "excluded (any excluded flag)", "flagged": int(drop.sum()),
                                                "percent": 100 * drop.mean() if len(drop) else np.nan,
                                                "excluded": True}])], ignore_index=True)
    shown = disclosure.suppress_frequencies(summary, count_column="flagged", derived_columns=("percent",),
                                            threshold=ctx.threshold)
    ctx.add(Result("quality/flags", "quality", "Data-quality flags and exclusions", table=shown,
                   values={"analysed": int((~drop).sum()), "excluded": int(drop.sum())}))
    return frame[~drop]


NO_ACTIVITY = ("zero", "missing")


def usage_without_activity(ctx: Context) -> pd.DataFrame:
    """Consenting respondents who were not active in the usage window: the export codes their
    counts 0 ("no usage observed" is a true zero, the default); `usage.without_activity: missing`
    leaves them out of every usage analysis instead (usage columns empty)."""
    choice = (ctx.plan.get("usage") or {}).get("without_activity", "zero")
    usage = [c for c in ctx.columns("usage") if c in ctx.frame]
    if choice == "zero" or not usage:
        return ctx.frame
    frame = ctx.frame.copy()
    counts = frame[usage].apply(pd.to_numeric, errors="coerce")
    inactive = counts.notna().any(axis=1) & (counts.fillna(0) == 0).all(axis=1)
    frame.loc[inactive, usage] = np.nan
    return frame


def add_scores(ctx: Context) -> None:
    """Instrument and scale scores become columns of the analysed frame (each guarded alone)."""
    instruments = ctx.plan.get("instruments") or {}
    if "sus" in instruments:
        ctx.attempt("scores/sus", "scores", "System Usability Scale", lambda: _sus(ctx, instruments["sus"]))
    if "umux_lite" in instruments:
        ctx.attempt("scores/umux_lite", "scores", "UMUX-LITE", lambda: _umux_lite(ctx, instruments["umux_lite"]))
    if "nps" in instruments:
        ctx.attempt("scores/nps", "scores", "Net Promoter Score", lambda: _nps(ctx))
    for name, spec in (ctx.plan.get("scales") or {}).items():
        ctx.attempt(f"scores/{name}", "scores", f"Scale score: {name}", lambda n=name, s=spec: _scale(ctx, n, s))


def _sus(ctx: Context, spec: dict) -> None:
    items = ctx.columns("instruments.sus.items")
    ctx.frame = ctx.frame.assign(sus_score=scoring.sus_scores(ctx.frame, items, int(spec.get("min_items", 10))))
    summary = scoring.sus_summary(ctx.frame["sus_score"])
    row = summary.iloc[0]
    if ctx.frame["sus_score"].notna().any():
        ctx.add_figure({"name": "sus_distribution", "kind": "sus", "title": "SUS scores",
                        "table": ctx.frame[["sus_score"]], "language": ctx.language})
    ctx.add(Result("scores/sus", "scores", "System Usability Scale", table=summary,
                   text=f"SUS {apa.mean_sd(row['mean'], row['sd'], 1)}, {apa.ci(row['ci_low'], row['ci_high'], 1)}, "
                        f"{apa.sample(row['n'])}; grade {row['grade']}, {row['adjective']}"))


def _umux_lite(ctx: Context, spec: dict) -> None:
    items = ctx.columns("instruments.umux_lite.items")
    ctx.frame = ctx.frame.join(scoring.umux_lite_scores(ctx.frame, items, int(spec.get("points", 7))))
    table = pd.concat([scoring.score_summary(ctx.frame["umux_lite"], "umux_lite"),
                       scoring.score_summary(ctx.frame["umux_lite_sus"], "umux_lite_sus")], ignore_index=True)
    ctx.add(Result("scores/umux_lite", "scores", "UMUX-LITE and its SUS equivalent", table=table))


def _nps(ctx: Context) -> None:
    item = ctx.columns("instruments.nps.items")[0]
    ctx.frame = ctx.frame.assign(nps_category=scoring.nps_category(ctx.frame[item]))
    table = scoring.nps(ctx.frame[item])
    ctx.add(Result("scores/nps", "scores", "Net Promoter Score",
                   table=disclosure.mask_small_groups(table, "n", ["nps", "ci_low", "ci_high"], ctx.threshold)))


def _scale(ctx: Context, name: str, spec: dict) -> None:
    items, reverse, ranges = ctx.scale_items(name, spec)
    scores = scoring.scale_scores(ctx.frame, items, reverse, ranges, spec.get("min_items"), name)
    ctx.frame = ctx.frame.assign(**{name: scores})
    summary = scoring.score_summary(scores, name)
    summary["items"] = len(items)
    summary["reverse_coded"] = ", ".join(reverse)
    if len(items) == 1:
        summary["message"] = f"{name}: one-item scale, the score is the item itself"
    ctx.add(Result(f"scores/{name}", "scores", f"Scale score: {name}", table=summary))
