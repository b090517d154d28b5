"""The results bundle: results.json (sorted keys, no timestamps), tables/*.csv, figures/*.svg|pdf.

Identical inputs (data, codebook, plan, seed, software) give a byte-identical results.json;
the input hashes and software versions inside it say exactly what produced it.
"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

from .context import Context
from .figures import write_figure
from .io import open_private, private_directory, write_csv
from .methods import methods_facts
from .results import to_jsonable

PACKAGES = ("analysis", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "factor_analyzer",
            "matplotlib", "pyreadstat", "PyYAML")
VERSION = "0.1.0"


def software_versions() -> dict:
    versions = {"python": platform.python_version(), "analysis": VERSION}
    for package in PACKAGES[1:]:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def results_document(ctx: Context, plan_sha256: str) -> dict:
    results = [result.to_dict() for result in ctx.results]
    meta = {
        "software": software_versions(),
        "inputs": {**ctx.dataset.hashes, "plan_sha256": plan_sha256},
        "seed": ctx.seed,
        "disclosure_threshold": ctx.threshold,
        "title": ctx.plan.get("title", ""),
        "responses_in_file": int(len(ctx.dataset.data)),
        "responses_analysed": int(len(ctx.frame)),
        "labels": ctx.labels_document(),
        "methods": methods_facts(ctx),
        "figures": sorted(f"figures/{spec['name']}.{ext}" for spec in ctx.figures for ext in ("svg", "pdf")),
    }
    return to_jsonable({"meta": meta, "results": results})


def dumps(document: dict) -> str:
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_bundle(ctx: Context, out: str | Path, plan_sha256: str) -> Path:
    """Write the bundle into `out` (created if needed); returns the path of results.json."""
    out = private_directory(out)
    private_directory(out / "tables")
    private_directory(out / "figures")
    for result in ctx.results:
        if result.table is not None:
            write_csv(result.table, out / "tables" / f"{result.id.replace('/', '__')}.csv")
    try:
        for spec in ctx.figures:
            write_figure(spec["name"], ctx.drawn(spec), out / "figures")
    finally:
        if ctx.workers is not None:
            ctx.workers.close()
    path = out / "results.json"
    with open_private(path, "w", encoding="utf-8") as handle:
        handle.write(dumps(results_document(ctx, plan_sha256)))
    return path
