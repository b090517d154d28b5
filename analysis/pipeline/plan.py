"""The analysis plan: a YAML file naming instruments, scales, groups and tests.

`load_plan` checks the plan's shape; `check_columns` checks every column it names
against the data *before* any computation, so a typo fails fast with the column and
the place in the plan. Patterns (`sus_*`, `use_cases__*`) keep the plan short and
let the instrument grow without editing the plan. See docs/analysis-plan.md.
"""

from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path

import yaml

from analysis.errors import PlanError

SECTIONS = {
    "version", "title", "seed", "language", "population", "exclusions", "disclosure", "descriptives",
    "instruments", "scales", "comparisons", "correlations", "models", "factors", "personas",
    "nonresponse", "text", "figures", "labels", "usage", "longitudinal", "coding",
}
FIGURE_KINDS = {"frequencies": ("items",), "shares_by_group": ("items", "by"), "by_usage": ("outcome", "usage")}
INSTRUMENT_OUTPUTS = {"sus": ["sus_score"], "umux_lite": ["umux_lite", "umux_lite_sus"], "nps": ["nps_category"]}
USAGE = "usage"  # plan keyword: every column whose codebook source is `usage`
# Plan selectors that read the codebook, so the plan need not repeat the instrument:
# `instrument:sus` = every column whose codebook `instrument` is sus, `scale:x` = scale x.
SELECTORS = ("instrument", "scale")


def load_plan(path: str | Path) -> tuple[dict, str]:
    """The parsed plan and the SHA-256 of its bytes (recorded in results.json)."""
    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: plan file not found")
    raw = path.read_bytes()
    try:
        plan = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: not valid YAML: {exc}") from exc
    validate_shape(plan, str(path))
    return plan, hashlib.sha256(raw).hexdigest()


def validate_shape(plan: dict, where: str = "plan") -> None:
    if not isinstance(plan, dict):
        raise PlanError(f"{where}: expected a mapping of sections at the top level")
    unknown = sorted(set(plan) - SECTIONS)
    if unknown:
        raise PlanError(f"{where}: unknown section(s) {unknown}; expected some of {sorted(SECTIONS)}")
    for section in ("comparisons", "models", "factors", "text", "figures"):
        entries = tests_of(plan) if section == "comparisons" else plan.get(section) or []
        if not isinstance(entries, list):
            raise PlanError(f"{where}: {section} must be a list of entries")
    for i, model in enumerate(plan.get("models") or []):
        if model.get("kind") not in ("ordinal", "linear"):
            raise PlanError(f"{where}: models[{i}].kind must be 'ordinal' or 'linear', got {model.get('kind')!r}")
        for key in ("outcome", "predictors"):
            if key not in model:
                raise PlanError(f"{where}: models[{i}] needs '{key}'")
    for i, test in enumerate(tests_of(plan)):
        for key in ("outcome", "by"):
            if key not in test:
                raise PlanError(f"{where}: comparisons.tests[{i}] needs '{key}'")
    for i, figure in enumerate(plan.get("figures") or []):
        if figure.get("kind") not in FIGURE_KINDS:
            raise PlanError(f"{where}: figures[{i}].kind must be one of {sorted(FIGURE_KINDS)}, got {figure.get('kind')!r}")
        for key in ("name", *FIGURE_KINDS[figure["kind"]]):
            if key not in figure:
                raise PlanError(f"{where}: figures[{i}] ({figure['kind']}) needs '{key}'")
    without_activity = (plan.get("usage") or {}).get("without_activity", "zero")
    if without_activity not in ("zero", "missing"):
        raise PlanError(f"{where}: usage.without_activity must be 'zero' or 'missing', got {without_activity!r}")
    longitudinal = plan.get("longitudinal") or {}
    if longitudinal and not longitudinal.get("previous"):
        raise PlanError(f"{where}: longitudinal needs 'previous' (the previous wave's responses file)")
    sus = (plan.get("instruments") or {}).get("sus")
    if sus and not sus.get("items"):
        raise PlanError(f"{where}: instruments.sus needs 'items' (the ten SUS items in order)")


def tests_of(plan: dict) -> list:
    comparisons = plan.get("comparisons") or {}
    return comparisons.get("tests", []) if isinstance(comparisons, dict) else comparisons


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def codebook_selections(codebook, columns: list[str]) -> dict[str, list[str]]:
    """{'instrument:sus': [sus_01, ...], 'scale:trust_in_automation': [...]} in table order."""
    groups: dict[str, list[str]] = {}
    if codebook is None or getattr(codebook, "empty", True):
        return groups
    present = set(columns)
    for kind in SELECTORS:
        if kind not in codebook:
            continue
        for variable, value in zip(codebook["variable"], codebook[kind]):
            if value and str(value) != "nan" and variable in present:
                groups.setdefault(f"{kind}:{value}", []).append(variable)
    order = {c: i for i, c in enumerate(columns)}
    return {key: sorted(found, key=order.__getitem__) for key, found in groups.items()}


def resolve(patterns, columns: list[str], where: str, usage_columns: list[str] = (),
            selections: dict[str, list[str]] | None = None) -> list[str]:
    """Expand names, glob patterns and codebook selectors to columns in table order;
    fail on any that match nothing."""
    found: list[str] = []
    for pattern in as_list(patterns):
        if pattern == USAGE:
            found += [c for c in usage_columns if c not in found]
            continue
        if isinstance(pattern, str) and pattern.split(":", 1)[0] in SELECTORS and ":" in pattern:
            matches = (selections or {}).get(pattern, [])
            if not matches:
                kind, value = pattern.split(":", 1)
                raise PlanError(f"plan {where}: no column has codebook {kind} '{value}' ('{pattern}')")
            found += [c for c in matches if c not in found]
            continue
        pattern = str(pattern)
        matches = [c for c in columns if fnmatch.fnmatchcase(c, pattern)]
        if not matches:
            kind = "no column matches pattern" if any(ch in pattern for ch in "*?[") else "column not in the data table"
            raise PlanError(f"plan {where}: {kind} '{pattern}'")
        found += [c for c in matches if c not in found]
    return found


def derived_columns(plan: dict) -> list[str]:
    """Columns the run adds before testing: instrument scores and scale scores."""
    derived = []
    for name in plan.get("instruments") or {}:
        derived += INSTRUMENT_OUTPUTS.get(name, [])
    derived += list(plan.get("scales") or {})
    derived += ["persona"] if plan.get("personas") else []
    return derived


def check_columns(plan: dict, columns: list[str], usage_columns: list[str] = (), codebook=None) -> dict:
    """Resolve every column reference in the plan; returns {location: [columns]}.

    Raises PlanError naming the first missing column and where the plan names it.
    """
    table = list(columns)
    every = table + [c for c in derived_columns(plan) if c not in table]
    selections = codebook_selections(codebook, table)
    resolved: dict[str, list[str]] = {}

    def take(where, patterns, pool=table):
        resolved[where] = resolve(patterns, pool, where, usage_columns, selections)

    resolved["usage"] = list(usage_columns)
    for check in (plan.get("exclusions") or {}).get("attention_checks", {}).get("checks", []) or []:
        take(f"exclusions.attention_checks.{check.get('column')}", check.get("column"))
    for name, items in ((plan.get("exclusions") or {}).get("straightlining", {}).get("matrices", {}) or {}).items():
        take(f"exclusions.straightlining.matrices.{name}", items)
    for key, patterns in (plan.get("descriptives") or {}).items():
        if isinstance(patterns, dict):  # named blocks, e.g. multi_select: {use_cases: [...]}
            for name, block in patterns.items():
                take(f"descriptives.{key}.{name}", block, every)
        else:
            take(f"descriptives.{key}", patterns, every)
    for name, spec in (plan.get("instruments") or {}).items():
        take(f"instruments.{name}.items", spec.get("items") or spec.get("item"))
    for name, spec in (plan.get("scales") or {}).items():
        take(f"scales.{name}.items", spec.get("items"))
        if spec.get("reverse"):
            take(f"scales.{name}.reverse", spec["reverse"])
    for i, test in enumerate(tests_of(plan)):
        take(f"comparisons.tests[{i}].outcome", test["outcome"], every)
        take(f"comparisons.tests[{i}].by", test["by"], every)
    correlations = plan.get("correlations") or {}
    if correlations:
        take("correlations.scales", correlations.get("scales"), every)
        take("correlations.with", correlations.get("with", USAGE), every)
    for i, model in enumerate(plan.get("models") or []):
        take(f"models[{i}].outcome", model["outcome"], every)
        take(f"models[{i}].predictors", model["predictors"], every)
    for i, spec in enumerate(plan.get("factors") or []):
        take(f"factors[{i}].items", spec.get("items"))
    personas = plan.get("personas") or {}
    if personas:
        take("personas.features", personas.get("features", USAGE))
        take("personas.rate", personas.get("rate"), every)
    nonresponse = plan.get("nonresponse") or {}
    if nonresponse:
        take("nonresponse.features", nonresponse.get("features", USAGE))
        take("nonresponse.estimates", nonresponse.get("estimates"), every)
        take("nonresponse.weight_by", list(((plan.get("population") or {}).get("margins") or {})), every)
    longitudinal = plan.get("longitudinal") or {}
    if longitudinal:
        take("longitudinal.outcomes", longitudinal.get("outcomes"), every)
    for i, spec in enumerate(plan.get("text") or []):
        take(f"text[{i}].column", spec.get("column"))
    for i, spec in enumerate(plan.get("figures") or []):
        for key in ("items", "by", "outcome"):
            if key in spec:
                take(f"figures[{i}].{key}", spec[key], every)
        if "usage" in spec:  # a wave without linked usage has no usage columns: the figure is left out
            resolved[f"figures[{i}].usage"] = (resolve(spec["usage"], table, f"figures[{i}].usage", usage_columns,
                                                       selections) if usage_columns else [])
    return resolved
