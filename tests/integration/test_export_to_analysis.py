"""From the survey app to the results bundle: the demo wave exported as CSV and as SPSS .sav
runs through the default analysis plan on the command line, and its numbers can be checked by
hand against the exported table."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
WAVE = "ai-platform-2026"
PLAN = REPO / "analysis" / "plans" / "demo.yaml"
CODEBOOK_COPY = REPO / "tests" / "analysis" / "data" / "demo_codebook.csv"
KEY_SECTIONS = ("scores", "reliability", "comparisons", "models", "factors", "descriptives", "text", "nonresponse")


def refuse_constant(token):
    raise AssertionError(f"{token} in results.json (not JSON)")


def brooke_sus_mean(table: pd.DataFrame) -> float:
    """Mean SUS by Brooke's (1996) rule, computed here with plain pandas: odd items contribute
    (x - 1), even items (5 - x), the sum times 2.5; completed responses with all ten items."""
    done = table[table["status"] == "completed"]
    items = done[[f"sus_{i:02d}" for i in range(1, 11)]].where(lambda x: x != -1)  # -1 = not applicable
    items = items.dropna()
    odd = items[[f"sus_{i:02d}" for i in (1, 3, 5, 7, 9)]].sum(axis=1) - 5
    even = 25 - items[[f"sus_{i:02d}" for i in (2, 4, 6, 8, 10)]].sum(axis=1)
    return float(((odd + even) * 2.5).mean())


@pytest.fixture
def exported_demo(tmp_path):
    call_command("load_demo", verbosity=0)
    for kind in ("csv", "sav"):
        call_command("export_wave", WAVE, "--format", kind, "--out", str(tmp_path / "export"))
    return tmp_path / "export"


def analyse(export: Path, kind: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", str(PLAN), "--data", str(export / f"{WAVE}_responses.{kind}"),
         "--codebook", str(export / f"{WAVE}_codebook.csv"), "--out", str(out)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.django_db
def test_the_exported_demo_wave_runs_through_the_default_plan(exported_demo, tmp_path):
    runs = {kind: analyse(exported_demo, kind, tmp_path / kind) for kind in ("csv", "sav")}  # in parallel
    documents = {}
    for kind, process in runs.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        text = (tmp_path / kind / "results.json").read_text(encoding="utf-8")
        documents[kind] = json.loads(text, parse_constant=refuse_constant)
        assert "NaN" not in text and "Infinity" not in text

    results = {kind: {r["id"]: r for r in doc["results"]} for kind, doc in documents.items()}
    table = pd.read_csv(exported_demo / f"{WAVE}_responses.csv")
    sus = results["csv"]["scores/sus"]["table"][0]
    assert sus["mean"] == pytest.approx(brooke_sus_mean(table), abs=1e-6)
    assert sus["grade"] and sus["adjective"]

    for result_id in ("reliability/sus", "reliability/performance_expectancy", "reliability/reliability_competence",
                      "scores/nps", "comparisons/sus_score__by__role", "models/satisfaction", "factors/attitudes",
                      "text/wishes"):
        assert result_id in results["csv"], result_id
        assert not any(m.startswith("could not be computed") for m in results["csv"][result_id]["messages"])
    failures = [(i, r["messages"]) for i, r in results["csv"].items()
                if any(m.startswith("could not be computed") for m in r["messages"])]
    assert not failures

    for result_id, result in results["csv"].items():
        if result["section"] in KEY_SECTIONS:
            assert results["sav"][result_id] == result, f"{result_id} differs between CSV and SAV input"
    assert (tmp_path / "csv" / "figures" / "sus_distribution.svg").exists()


@pytest.mark.django_db
def test_the_demo_codebook_copy_used_by_analysis_tests_matches_the_export(exported_demo):
    exported = pd.read_csv(exported_demo / f"{WAVE}_codebook.csv", dtype=str, keep_default_na=False)
    exported = exported[exported["source"] != "usage"].reset_index(drop=True)
    copy = pd.read_csv(CODEBOOK_COPY, dtype=str, keep_default_na=False)
    assert copy.equals(exported), (
        f"the demo instrument changed: copy {WAVE}_codebook.csv from a fresh export to {CODEBOOK_COPY}")
