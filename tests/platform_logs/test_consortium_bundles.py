"""Three demo sites export bundles; pooling them gives exactly the statistics of their rows together.

No site hands out a row: the bundles hold no respondent key, no count below the threshold, and
nothing `privacy_scan` objects to; a rare answer planted at one site does not leave it.
"""

import json

import pandas as pd
import pytest
from django.core.management import call_command

from analysis.__main__ import main as analysis_main
from analysis.pipeline.io import dataset_from_frames
from platform_logs.export import wave_table_with_usage
from surveys.demo import load_demo
from surveys.models import Answer, Response

THRESHOLD = 5
# Planned contrasts: share of respondents who summarise texts with the platform, between roles.
# A contrast leaves a site only where both roles' counts are all shown; some pairs will not.
CONTRASTS = [f"use_cases__summarising:role:{a}:{b}" for a, b in ((1, 2), (6, 7), (1, 4), (4, 6), (3, 4))]


def plant_rare_answer(wave):
    """Everyone says the platform is 'better' than commercial tools, except exactly two people."""
    answers = Answer.objects.filter(response__wave=wave, item="compare_commercial").order_by("pk")
    answers.update(value="better")
    Answer.objects.filter(pk__in=list(answers.values_list("pk", flat=True)[:2])).update(value="worse")


def raw_rows(wave):
    table, codebook = wave_table_with_usage(wave)
    return dataset_from_frames(table, codebook).data


@pytest.fixture
def consortium(db, tmp_path, settings):
    settings.UPTAKE_SIGNING_KEY_FILE = tmp_path / "keys" / "default.key"
    waves, bundles = [], []
    for seed in (1, 2, 3):
        wave = load_demo(seed).wave
        if seed == 1:
            plant_rare_answer(wave)
        bundle = tmp_path / "bundles" / f"site{seed}.json"
        call_command("export_aggregates", wave.slug, "--out", str(bundle), "--site", f"Site {seed}",
                     "--stratum", "role", *[f"--contrast={c}" for c in CONTRASTS],
                     "--key", str(tmp_path / "keys" / f"site{seed}.key"))
        waves.append(wave)
        bundles.append(bundle)
    return waves, bundles


def test_pooling_gives_the_n_mean_and_sd_of_the_three_sites_rows_together(consortium, tmp_path):
    waves, bundles = consortium
    assert analysis_main(["pool", *map(str, bundles), "--out", str(tmp_path / "pooled")]) == 0
    pooled = pd.read_csv(tmp_path / "pooled" / "descriptives.csv")
    complete = pooled[(pooled["stratum"] == "all") & pooled["complete"]]
    assert len(complete) >= 10
    together = pd.concat([raw_rows(wave) for wave in waves], ignore_index=True)
    for row in complete.itertuples():
        values = together[row.variable].dropna()
        assert row.n == len(values), row.variable
        assert row.mean == pytest.approx(values.mean(), rel=1e-12), row.variable
        assert row.sd == pytest.approx(values.std(ddof=1), rel=1e-12), row.variable
    result = json.loads((tmp_path / "pooled" / "pooled.json").read_text())
    assert {site["site"] for site in result["sites"]} == {"Site 1", "Site 2", "Site 3"}
    assert "only 3 studies" in result["warning"]
    contrast = next(c for c in result["contrasts"] if c["k"] == 3)
    assert contrast["test"] == "knha" and contrast["method"] == "REML"
    assert len([row for row in result["leave_one_site_out"] if row["contrast"] == contrast["contrast"]]) == 3


def test_bundles_hold_no_respondent_key_and_no_count_below_the_threshold(consortium):
    waves, bundles = consortium
    keys = [str(value) for wave in waves for value in
            Response.objects.filter(wave=wave).values_list("participant_key", "wave_pseudonym", "pk").iterator()
            for value in value if value]
    for path in bundles:
        text = path.read_text()
        bundle = json.loads(text)
        assert not [key for key in keys if len(key) > 8 and key in text]
        for column in ("participant_key", "pseudonym", "wave_pseudonym", "response_id"):
            assert f'"{column}"' not in text
        for entry in bundle["payload"]["variables"]:
            for record in entry["records"]:
                counts = [record["n"], *(record.get("counts") or {}).values()]
                assert all(c is None or c == 0 or c >= THRESHOLD for c in counts), (path.name, entry["variable"])
        assert all(c is None or c == 0 or c >= THRESHOLD for c in bundle["payload"]["headcounts"].values())


def test_a_rare_answer_planted_at_one_site_does_not_leave_it(consortium):
    _waves, bundles = consortium
    payload = json.loads(bundles[0].read_text())["payload"]
    (entry,) = [e for e in payload["variables"] if e["variable"] == "compare_commercial"]
    overall = entry["records"][0]
    assert overall["counts"]["3"] is None  # "worse" (option 3): two people
    assert 2 not in overall["counts"].values() and overall["mean"] is None


def test_privacy_scan_finds_nothing_in_the_bundles(consortium, capsys):
    _waves, bundles = consortium
    call_command("privacy_scan", "--no-database", "--files", str(bundles[0].parent))  # raises on a finding
    output = capsys.readouterr().out
    assert output.startswith("privacy scan: no ") and "finding" not in output


def test_the_manifest_names_the_rules_and_the_core_version(consortium):
    _waves, bundles = consortium
    manifests = [json.loads(path.read_text())["payload"]["manifest"] for path in bundles]
    assert {m["core"]["sha256"] for m in manifests} == {manifests[0]["core"]["sha256"]}
    assert manifests[0]["rules"]["min_cell"] == THRESHOLD and manifests[0]["rules"]["strata"] == ["role"]
    assert manifests[0]["items"]["frequency"] == manifests[2]["items"]["frequency"]
