"""The command line and the plan contract: reproducible bundles, early failure on
columns the data does not have, and messages (not crashes, not NaN) on awkward data."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import analysis
from analysis import PlanError, dataset_from_frames, run_plan
from analysis.pipeline.bundle import dumps, results_document
from tests.analysis.builders import demo_wave

REPO = Path(__file__).resolve().parents[2]
DEMO_PLAN = REPO / "analysis" / "plans" / "demo.yaml"


@pytest.fixture(scope="module")
def wave_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("wave")
    table, codebook, population = demo_wave(120, seed=5)
    table.to_csv(directory / "demo_responses.csv", index=False)
    codebook.to_csv(directory / "demo_codebook.csv", index=False)
    population.to_csv(directory / "population.csv", index=False)
    return directory


def run_cli(plan, wave_files, out, *extra):
    return subprocess.run(
        [sys.executable, "-m", "analysis", "run", str(plan), "--data", str(wave_files / "demo_responses.csv"),
         "--codebook", str(wave_files / "demo_codebook.csv"), "--out", str(out), *extra],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )


def strict_json(path):
    """Parse JSON refusing NaN/Infinity, which are not JSON."""
    def refuse(token):
        raise AssertionError(f"{token} in results.json")
    return json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=refuse)


@pytest.fixture(scope="module")
def two_bundles(wave_files, tmp_path_factory):
    """The demo plan run twice on the same files, through the command line."""
    out = tmp_path_factory.mktemp("bundles")
    for name in ("a", "b"):
        done = run_cli(DEMO_PLAN, wave_files, out / name, "--population", str(wave_files / "population.csv"))
        assert done.returncode == 0, done.stderr
    return out


def test_same_inputs_give_a_byte_identical_bundle(two_bundles):
    tmp_path = two_bundles
    assert (tmp_path / "a" / "results.json").read_bytes() == (tmp_path / "b" / "results.json").read_bytes()
    svgs = sorted((tmp_path / "a" / "figures").glob("*.svg"))
    assert svgs, "the demo plan draws figures"
    for svg in svgs:
        assert svg.read_bytes() == (tmp_path / "b" / "figures" / svg.name).read_bytes()
        assert (tmp_path / "a" / "figures" / svg.with_suffix(".pdf").name).exists()


def test_bundle_records_versions_hashes_seed_and_every_result(two_bundles):
    tmp_path = two_bundles / "a"
    document = strict_json(tmp_path / "results.json")
    meta = document["meta"]
    assert meta["seed"] == 20250101
    assert set(meta["inputs"]) == {"data_sha256", "codebook_sha256", "plan_sha256", "population_sha256"}
    assert {"python", "pandas", "numpy", "scipy", "statsmodels"} <= set(meta["software"])
    ids = {r["id"] for r in document["results"]}
    assert {"sample/rates", "scores/sus", "reliability/sus", "comparisons/sus_score__by__role",
            "correlations/usage", "models/satisfaction", "factors/sus_items", "personas/choice"} <= ids
    for result in document["results"]:
        if "table_file" in result:
            assert (tmp_path / result["table_file"]).exists()
    assert "timestamp" not in json.dumps(meta).lower()


EFFECT_SIZES = ("ε² = ", "η²_H = ", "rank-biserial r = ", "Cramér's V = ", "conditional MLE OR = ", "r_s(",
                "McFadden R² = ", "R² = ")


def apa_strings(document):
    """Every APA sentence in results.json: each result's text and the text column of correlation tables."""
    for result in document["results"]:
        if result["text"]:
            yield result, result["text"]
        if result["section"] == "correlations":
            for row in result.get("table") or []:
                yield result, row["text"]


def test_every_apa_string_carries_n_the_adjusted_p_and_a_named_effect_size(two_bundles):
    document = strict_json(two_bundles / "a" / "results.json")
    checked = 0
    for result, text in apa_strings(document):
        checked += 1
        assert "N = " in text, (result["id"], text)
        in_family = "p_adj" in result["values"] or result["section"] == "correlations"
        if in_family:
            assert "-adjusted p " in text and "(family of " in text, (result["id"], text)
        is_test = any(f"p {sign} " in text for sign in "=<>")
        if is_test:
            assert any(name in text for name in EFFECT_SIZES), (result["id"], text)
    assert checked > 20


def test_results_json_states_how_each_p_was_computed(two_bundles):
    document = strict_json(two_bundles / "a" / "results.json")
    methods = {entry["analysis"].split(" (")[0]: entry for entry in document["meta"]["methods"]}
    assert "Holm" in methods["Kruskal-Wallis H"]["correction"]
    assert "10000 resamples" in methods["Fisher-Freeman-Halton test"]["p_value"]
    assert "scipy" in methods["Spearman's rank correlation"]["software"]
    assert "100 random data sets, 95th percentile" in methods["Exploratory factor analysis"]["p_value"]
    for result in document["results"]:
        if result["section"] == "comparisons" and "test" in result["values"]:
            assert result["values"]["method"], result["id"]


def test_a_plan_naming_a_missing_column_fails_before_computing(wave_files, tmp_path):
    plan = yaml.safe_load(DEMO_PLAN.read_text())
    plan["scales"]["trust"] = {"items": ["trust_01", "trust_1"]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan))
    result = run_cli(path, wave_files, tmp_path / "out")
    assert result.returncode == 2
    assert "trust_01" in result.stderr and "scales.trust.items" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_pattern_matching_nothing_is_named():
    table = pd.DataFrame({"status": ["completed"], "q1": [1]})
    with pytest.raises(PlanError, match=r"no column matches pattern 'sus_\?\?'"):
        run_plan({"instruments": {"sus": {"items": ["sus_??"]}}}, dataset_from_frames(table))


def test_an_unknown_plan_section_is_rejected(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("scale:\n  trust: {items: [a]}\n")
    with pytest.raises(PlanError, match=r"unknown section\(s\) \['scale'\]"):
        analysis.load_plan(path)


def test_the_demo_plan_selects_instruments_and_scales_through_the_codebook():
    table, codebook, _ = demo_wave(40, seed=1)
    plan, _ = analysis.load_plan(DEMO_PLAN)
    resolved = analysis.pipeline.plan.check_columns(plan, list(table.columns), [c for c in table if c.startswith("usage_")],
                                           codebook)
    assert resolved["instruments.sus.items"] == [f"sus_{i:02d}" for i in range(1, 11)]
    assert resolved["scales.reliability_competence.items"] == [f"trust_{i}" for i in range(1, 7)]
    assert resolved["scales.performance_expectancy.items"] == ["pe_1", "pe_2", "pe_3", "pe_4"]
    assert "use_cases__other_text" in resolved["descriptives.multi_select.use_cases"]  # filtered as text later


def test_a_codebook_selector_matching_nothing_is_named():
    table, codebook, _ = demo_wave(10, seed=1)
    with pytest.raises(PlanError, match=r"scales.x.items: no column has codebook scale 'no_such_scale'"):
        analysis.pipeline.plan.check_columns({"scales": {"x": {"items": ["scale:no_such_scale"]}}}, list(table.columns),
                                    codebook=codebook)


def run_to_document(plan, table, codebook=None):
    ctx = run_plan(plan, dataset_from_frames(table, codebook))
    text = dumps(results_document(ctx, "test"))
    return json.loads(text, parse_constant=lambda token: pytest.fail(f"{token} in JSON")), ctx


def test_an_empty_wave_gives_a_message_not_a_crash():
    table = pd.DataFrame({c: pd.Series(dtype=float) for c in ["response_id", "q1", "q2", "q3", "role"]})
    table["status"] = pd.Series(dtype=str)
    plan = {"scales": {"s": {"items": ["q1", "q2", "q3"]}}, "comparisons": {"tests": [{"outcome": "s", "by": "role"}]}}
    document, _ = run_to_document(plan, table)
    messages = [m for r in document["results"] for m in r["messages"]]
    assert any("empty wave" in m for m in messages)


def awkward_wave():
    """Missing answers, a constant item, a group of size one and a one-item scale."""
    rng = np.random.default_rng(0)
    n = 30
    q = rng.integers(1, 6, (n, 3)).astype(float)
    q[0, 1] = np.nan
    return pd.DataFrame({
        "response_id": range(n), "status": ["completed"] * n,
        "q1": q[:, 0], "q2": q[:, 1], "q3": q[:, 2], "const": 3.0, "single": q[:, 0],
        "role": [1.0] * 15 + [2.0] * 14 + [3.0],
    })


def test_awkward_data_gives_messages_and_nulls_never_nan():
    plan = {
        "scales": {"with_constant": {"items": ["q1", "q2", "const"]}, "one_item": {"items": ["single"]}},
        "comparisons": {"tests": [{"outcome": "one_item", "by": "role"}, {"outcome": "q1", "by": "role"}]},
        "descriptives": {"likert": ["q1"], "numeric": ["q2"]},
    }
    document, _ = run_to_document(plan, awkward_wave())
    by_id = {r["id"]: r for r in document["results"]}
    assert any("one-item scale" in m for m in by_id["reliability/one_item"]["messages"])
    assert by_id["reliability/one_item"]["table"][0]["alpha"] is None
    assert any("constant item(s) ['const']" in m for m in by_id["reliability/with_constant"]["messages"])
    comparison = by_id["comparisons/one_item__by__role"]
    assert any("group(s) of one response" in m for m in comparison["messages"])
    group_of_one = next(row for row in comparison["table"] if row["group"] == "3")
    assert group_of_one["n"] == "<5" and group_of_one["median"] == "<5"  # one person's answer is withheld


def test_sav_input_gives_the_same_scores_as_csv(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    table, codebook, _ = demo_wave(80, seed=2)
    table = table[[c for c in table if c.startswith(("response_id", "status", "sus_"))]]
    codebook = codebook[codebook["variable"].isin(table.columns)]
    table.to_csv(tmp_path / "t.csv", index=False)
    pyreadstat.write_sav(table, str(tmp_path / "t.sav"))
    codebook.to_csv(tmp_path / "c.csv", index=False)
    plan = {"instruments": {"sus": {"items": ["sus_??"]}}}
    results = []
    for name in ("t.csv", "t.sav"):
        dataset = analysis.load_dataset(tmp_path / name, tmp_path / "c.csv")
        ctx = run_plan(plan, dataset)
        results.append(next(r for r in ctx.results if r.id == "scores/sus").table.loc[0, "mean"])
    assert results[0] == pytest.approx(results[1])


def test_missing_codes_from_the_codebook_are_not_counted_as_answers(tmp_path):
    table = pd.DataFrame({"status": ["completed"] * 4, "q1": [1, 5, -1, 4]})
    from tests.analysis.builders import codebook_for
    codebook = codebook_for(table, q1={"missing_codes": "[-1]", "min": "1", "max": "5"})
    dataset = dataset_from_frames(table, codebook)
    assert dataset.data["q1"].isna().sum() == 1
    assert dataset.raw["q1"].tolist() == [1, 5, -1, 4]


@pytest.mark.parametrize(("choice", "counted"), [("zero", 5), ("missing", 3)])
def test_respondents_without_activity_count_as_zero_usage_unless_the_plan_says_missing(choice, counted):
    # Two consenting respondents were not active in the usage window (exported as 0 counts);
    # one did not consent (empty). "zero" keeps the two as observed zeros, "missing" leaves them out.
    from tests.analysis.builders import codebook_for

    table = pd.DataFrame({"status": ["completed"] * 6, "usage_active_days": [0.0, 0.0, 3.0, 5.0, 8.0, np.nan],
                          "usage_chats": [0.0, 0.0, 1.0, 4.0, 2.0, np.nan]})
    codebook = codebook_for(table, usage_active_days={"source": "usage", "type": "number"},
                            usage_chats={"source": "usage", "type": "number"})
    plan = {"usage": {"without_activity": choice}, "descriptives": {"numeric": "usage"}, "disclosure": {"min_cell": 2}}
    ctx = run_plan(plan, dataset_from_frames(table, codebook))
    summary = next(r for r in ctx.results if r.id == "descriptives/numeric/numeric").table
    assert summary["n"].tolist() == [counted, counted]


def test_an_unknown_choice_for_respondents_without_activity_is_rejected(tmp_path):
    (tmp_path / "plan.yaml").write_text("usage: {without_activity: drop}\n")
    with pytest.raises(PlanError, match="usage.without_activity must be 'zero' or 'missing'"):
        analysis.load_plan(tmp_path / "plan.yaml")


def test_methods_leave_out_a_test_that_could_not_run():
    from analysis.pipeline.bundle import results_document

    table = pd.DataFrame({"status": ["completed"] * 6, "role": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0], "kinds__none": 0.0})
    plan = {"comparisons": {"tests": [{"outcome": "kinds__none", "by": "role", "kind": "categorical"}]}}
    document = results_document(run_plan(plan, dataset_from_frames(table)), "0" * 64)
    assert document["meta"]["methods"] == []


def differences(a, b, path="", tolerance=1e-9):
    """Where two results documents differ: numbers by more than `tolerance` (relative), anything else at all."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in sorted(set(a) | set(b)) for d in differences(a.get(key), b.get(key), f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} entries"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return [] if abs(a - b) <= tolerance * max(1.0, abs(a), abs(b)) else [f"{path}: {a} vs {b}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def test_a_shuffled_export_gives_the_same_results_json():
    """Row order carries no information: every section, personas included, gives the same numbers."""
    table, codebook, population = demo_wave(150, seed=7)
    plan = yaml.safe_load(DEMO_PLAN.read_text(encoding="utf-8"))

    def document(rows, users):
        found = results_document(run_plan(plan, dataset_from_frames(rows, codebook), users), "plan")
        del found["meta"]["inputs"]  # the file's hash follows its bytes, which shuffling changes
        return found

    original = document(table, population)
    shuffled = document(table.sample(frac=1, random_state=3).reset_index(drop=True),
                        population.sample(frac=1, random_state=4).reset_index(drop=True))
    assert any(r["id"] == "personas/choice" and r.get("table") for r in original["results"])
    assert differences(original, shuffled) == []
