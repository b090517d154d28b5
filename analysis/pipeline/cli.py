"""The one service behind the command line: load, check, run, write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .bundle import write_bundle
from .io import load_dataset
from .plan import load_plan
from .run import run_plan


def run_command(plan_path, data_path, codebook_path, out, population_path=None, language=None) -> Path:
    """`language` (de, en) overrides the plan's: it picks the codebook labels shown; keys and codes stay."""
    plan, plan_sha256 = load_plan(plan_path)
    if language:
        plan = {**plan, "language": language}
    dataset = load_dataset(data_path, codebook_path)
    population = pd.read_csv(population_path) if population_path else None
    ctx = run_plan(plan, dataset, population)
    if population_path:
        from .io import file_sha256

        dataset.hashes["population_sha256"] = file_sha256(population_path)
    return write_bundle(ctx, out, plan_sha256)
