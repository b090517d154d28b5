"""What every section of a run shares: the plan, the data being analysed, and helpers
that turn codes into labels and guard each analysis so that one failure becomes a
message in results.json instead of a crash."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.descriptives import missing_codes, value_labels
from analysis.disclosure import DEFAULT_THRESHOLD
from .figures import DERIVED, render_figure, stem
from .io import Dataset
from .processes import Workers
from .results import Result


@dataclass
class Context:
    plan: dict
    dataset: Dataset
    resolved: dict
    frame: pd.DataFrame  # the responses analysed (after exclusions), with score columns added
    population: pd.DataFrame | None = None
    results: list[Result] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    workers: Workers | None = None  # draw each figure as it is added (write_bundle collects them), start statistics

    @property
    def seed(self) -> int:
        return int(self.plan.get("seed", 0))

    @property
    def threshold(self) -> int:
        return int((self.plan.get("disclosure") or {}).get("min_cell", DEFAULT_THRESHOLD))

    @property
    def language(self) -> str:
        return self.plan.get("language", "en")

    def columns(self, where: str) -> list[str]:
        return self.resolved.get(where, [])

    def codebook_row(self, variable: str) -> dict:
        return self.dataset.codebook_row(variable)

    def labels(self, variable: str) -> dict:
        return value_labels(self.codebook_row(variable), self.language)

    def missing_codes(self, variable: str) -> list[float]:
        return missing_codes(self.codebook_row(variable))

    def label_of(self, variable: str) -> str:
        row = self.codebook_row(variable)
        return row.get(f"label_{self.language}") or row.get("label_en") or variable

    def plan_label(self, name: str) -> str:
        """The plan's `labels:` entry for a block, scale or variable in the run's language, or ''."""
        entry = (self.plan.get("labels") or {}).get(name)
        if isinstance(entry, dict):
            return str(entry.get(self.language) or entry.get("en") or "")
        return str(entry or "")

    def figure_label(self, variable: str) -> str:
        """The codebook wording in the run's language, or the name of a score the run derives."""
        derived = DERIVED.get(self.language, DERIVED["en"])
        if variable in derived and not self.codebook_row(variable):
            return derived[variable]
        return self.label_of(variable)

    def block_title(self, block: str, columns: list[str]) -> str:
        """A figure title from the codebook: one item's wording, or the question its rows or options share;
        otherwise the block's name in the plan."""
        stems = {stem(self.figure_label(c)) for c in columns}
        if len(columns) == 1 or (len(stems) == 1 and any(self.figure_label(c) != stem(self.figure_label(c))
                                                         for c in columns)):
            return stems.pop() if len(stems) == 1 else self.figure_label(columns[0])
        return self.plan_label(block) or block.replace("_", " ").capitalize()

    def figure_spec(self, name: str, kind: str, block: str, columns: list[str], table: pd.DataFrame, **more) -> dict:
        """What save_figure needs, with the words in the run's language from the codebook."""
        return {"name": name, "kind": kind, "title": self.block_title(block, columns), "table": table,
                "labels": {c: self.figure_label(c) for c in columns}, "language": self.language, **more}

    def add_figure(self, spec: dict) -> None:
        self.figures.append(spec)
        self.start(("figure", spec["name"]), render_figure, spec, self.threshold)

    def drawn(self, spec: dict) -> dict[str, bytes]:
        """A figure's files (render_figure), drawn beside the run since it was added."""
        return self.computed(("figure", spec["name"]), render_figure, spec, self.threshold)

    def start(self, key: tuple, function, *args, **kwargs) -> None:
        """Start `function(*args, **kwargs)` in a second process; `computed` with the same key collects it."""
        if self.workers is not None:
            self.workers.submit(key, function, *args, **kwargs)

    def computed(self, key: tuple, function, *args, **kwargs):
        """The result of the job started under `key`, or the function's result computed now."""
        if self.workers is not None:
            return self.workers.result(key, function, *args, **kwargs)
        return function(*args, **kwargs)

    def labels_document(self) -> dict:
        """Every name the results use, as words in the run's language, for the report: `variables` (codebook
        wording, the scores the run derives, then the plan's `labels`, which win as the shorter name) and
        `values` (the codebook's value labels of each variable, codes as text: "2")."""
        variables, values = {}, {}
        for variable in self.dataset.codebook.get("variable", pd.Series(dtype=str)):
            variables[variable] = self.label_of(variable)
            codes = self.labels(variable)
            if codes:
                values[variable] = {f"{code:g}": str(label) for code, label in codes.items()}
        variables.update(DERIVED.get(self.language, DERIVED["en"]))
        for name in self.plan.get("labels") or {}:
            variables[name] = self.plan_label(name)
        return {"variables": variables, "values": values}

    def range_of(self, variable: str) -> tuple[float, float] | None:
        """Valid min/max from the codebook, else from the value labels without missing codes."""
        row = self.codebook_row(variable)
        try:
            return float(row["min"]), float(row["max"])
        except (KeyError, TypeError, ValueError):
            pass
        codes = [k for k in self.labels(variable) if k not in self.missing_codes(variable)]
        return (min(codes), max(codes)) if codes else None

    def group_labels(self, series: pd.Series) -> pd.Series:
        """Codes as their value labels ('physician'), else tidy codes ('2' not '2.0'), as a
        categorical ordered by code so that tables follow the questionnaire order."""
        labels = self.labels(series.name) if series.name else {}

        def name(value):
            if value in labels:
                return str(labels[value])
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            return str(value)

        codes = sorted(series.dropna().unique(), key=lambda v: (isinstance(v, str), v))
        named = {code: name(code) for code in codes}  # one name per code, not one call per row
        categories = list(dict.fromkeys(named.values()))
        # Each row's code straight to its category's position (-1, the last entry, for a missing value):
        # naming every row and then factorising the names hashed each row's text twice.
        positions = np.array([categories.index(named[code]) for code in codes] + [-1])
        rows = pd.Index(codes).get_indexer(series)
        return pd.Series(pd.Categorical.from_codes(positions[rows], categories=categories),
                         index=series.index, name=series.name)

    def scale_items(self, name: str, spec: dict) -> tuple[list[str], list[str], dict]:
        """Items, reverse-coded items (plan, else codebook `reverse_coded`) and their ranges."""
        items = self.columns(f"scales.{name}.items")
        if spec.get("reverse") is not None:
            reverse = self.columns(f"scales.{name}.reverse")
        else:
            reverse = [i for i in items if str(self.codebook_row(i).get("reverse_coded", "0")) == "1"]
        ranges = {}
        for item in reverse:
            declared = spec.get("range") or self.range_of(item)
            if declared is None:
                raise ValueError(f"scale {name!r}: reverse-coded item {item!r} has no min/max in the codebook; "
                                 f"add `range: [1, 5]` to the scale in the plan")
            ranges[item] = tuple(declared)
        return items, reverse, ranges

    def add(self, result: Result) -> None:
        self.results.append(result)

    def attempt(self, result_id: str, section: str, title: str, compute) -> None:
        """Run one analysis; an unexpected error becomes a message naming it, and the run goes on."""
        try:
            compute()
        except Exception as exc:  # noqa: BLE001 - one analysis must not take the bundle down
            print(f"analysis: {result_id} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            traceback.print_exc(limit=3, file=sys.stderr)
            self.add(Result(result_id, section, title,
                            messages=[f"could not be computed: {type(exc).__name__}: {exc}"]))
