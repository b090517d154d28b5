"""Uptake analysis: a plain library over pandas for survey exports (no Django).

Functions take DataFrames and return tidy DataFrames, pingouin style:

    from analysis import reliability, compare, scoring
    reliability.cronbach_alpha(df[["q1", "q2", "q3"]])
    compare.mann_whitney(x, y)

`python -m analysis run PLAN.yaml --data ... --codebook ... --out DIR` runs a whole plan;
`python -m analysis meta STUDIES.csv --measure RR` pools study-level effects;
`python -m analysis pool BUNDLE.json... --out DIR` pools the sites of a consortium.

The public names load on first use (PEP 562): a page that needs only `analysis.disclosure` (numpy and
pandas) must not wait for scikit-learn, statsmodels and matplotlib, which the other modules import.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_MODULES = (
    "aggregates", "agreement", "apa", "categories", "compare", "correlate", "descriptives", "disclosure",
    "factors", "longitudinal", "meta", "regression", "nonresponse", "personas", "pooling", "quality",
    "reliability", "scoring", "text",
)
_NAMES = {
    "AnalysisError": ".errors", "InputFormatError": ".errors", "PlanError": ".errors",
    "Dataset": ".pipeline.io", "dataset_from_frames": ".pipeline.io", "load_dataset": ".pipeline.io",
    "load_plan": ".pipeline.plan", "run_plan": ".pipeline.run",
}
__all__ = [*_MODULES, *_NAMES]


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
