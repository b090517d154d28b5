"""Reading a report bundle: results.json and tables/figures from the analysis, context.json from the pipeline."""

import json
from dataclasses import dataclass
from pathlib import Path

from analysis.disclosure import DEFAULT_THRESHOLD


@dataclass
class Bundle:
    directory: Path
    meta: dict
    results: dict  # result id -> result dict, in results.json order
    context: dict
    previous: "Bundle | None" = None

    @classmethod
    def load(cls, directory):
        directory = Path(directory)
        document = json.loads((directory / "results.json").read_text(encoding="utf-8"))
        context_path = directory / "context.json"
        context = json.loads(context_path.read_text(encoding="utf-8")) if context_path.exists() else {}
        previous = cls.load(directory / "previous") if (directory / "previous" / "results.json").exists() else None
        results = {result["id"]: result for result in document["results"]}
        return cls(directory, document["meta"], results, context, previous)

    @property
    def language(self):
        return self.context.get("language", "en")

    @property
    def threshold(self):
        """The stricter of the analysis threshold and the site's setting."""
        return max(int(self.meta.get("disclosure_threshold") or DEFAULT_THRESHOLD),
                   int(self.context.get("threshold") or DEFAULT_THRESHOLD))

    @property
    def analysed(self):
        return int(self.meta.get("responses_analysed") or 0)

    def label(self, name):
        """A variable, score, block or scale in the report's language: the plan's short name, else the
        codebook's wording (results.json meta.labels, written by the analysis in the report language)."""
        return ((self.meta.get("labels") or {}).get("variables") or {}).get(name) or name

    def value_label(self, variable, code):
        """The codebook's label of one coded value ("2" -> "Mehrmals pro Woche"), or '' if it has none."""
        values = ((self.meta.get("labels") or {}).get("values") or {}).get(variable) or {}
        try:
            return values.get(f"{float(code):g}", "")
        except (TypeError, ValueError):
            return values.get(str(code), "")

    def page_title(self, code):
        """An instrument page's title as respondents saw it, else its code."""
        pages = (self.context.get("instrument") or {}).get("pages") or []
        return next((page["title"] for page in pages if page["code"] == code), code)

    def result(self, result_id):
        return self.results.get(result_id)

    def rows(self, result_id):
        return (self.results.get(result_id) or {}).get("table") or []

    def first_row(self, result_id):
        rows = self.rows(result_id)
        return rows[0] if rows else {}

    def ids(self, prefix):
        return [result_id for result_id in self.results if result_id.startswith(prefix)]

    def figure(self, name):
        path = self.directory / "figures" / f"{name}.svg"
        return path if path.exists() else None

    def figures(self, prefix=""):
        folder = self.directory / "figures"
        return sorted(p.stem for p in folder.glob(f"{prefix}*.svg")) if folder.exists() else []
