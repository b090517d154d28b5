"""Uptake analysis: a plain library over pandas for survey exports (no Django).

Functions take DataFrames and return tidy DataFrames, pingouin style:

    from analysis import reliability, compare, scoring
    reliability.cronbach_alpha(df[["q1", "q2", "q3"]])
    compare.mann_whitney(x, y)

`python -m analysis run PLAN.yaml --data ... --codebook ... --out DIR` runs a whole plan;
`python -m analysis meta STUDIES.csv --measure RR` pools study-level effects;
`python -m analysis pool BUNDLE.json... --out DIR` pools the sites of a consortium.
"""

from . import (  # noqa: F401 - the public modules
    aggregates,
    agreement,
    apa,
    categories,
    compare,
    correlate,
    descriptives,
    disclosure,
    factors,
    longitudinal,
    meta,
    regression,
    nonresponse,
    personas,
    pooling,
    quality,
    reliability,
    scoring,
    text,
)
from .errors import AnalysisError, InputFormatError, PlanError  # noqa: F401
from .pipeline.io import Dataset, dataset_from_frames, load_dataset  # noqa: F401
from .pipeline.plan import load_plan  # noqa: F401
from .pipeline.run import run_plan  # noqa: F401

__version__ = "0.1.0"
