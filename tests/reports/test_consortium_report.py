"""The consortium report: built from three sites' pooled bundles in German and English, laid out like the
other reports, with no site-level count under the threshold and site names pseudonymised on request."""

import json

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from analysis import aggregates
from analysis.pipeline.cli import pool_command
from tests.reports.conftest import pdf_text
from tests.reports.test_report_text_and_layout import (
    ENGLISH_IN_GERMAN,
    GERMAN_IN_ENGLISH,
    test_no_word_outside_the_content_box_and_none_over_another as layout_check,
)

CODEBOOK = pd.DataFrame([
    {"variable": "role", "item": "role", "source": "survey", "type": "single_choice", "label_de": "Rolle",
     "label_en": "Role", "value_labels_de": '{"1": "Ärztlicher Dienst", "2": "Pflege"}',
     "value_labels_en": '{"1": "Physicians", "2": "Nursing"}'},
    {"variable": "rel_speed", "item": "reliability", "source": "survey", "type": "likert_matrix",
     "label_de": "Die Plattform antwortet schnell genug.", "label_en": "The platform responds fast enough."},
    {"variable": "usage_chats", "item": "", "source": "usage", "type": "number", "label_de": "Unterhaltungen (Anzahl)",
     "label_en": "Conversations (count)"},
])
SITES = {"Klinikum Nord": (0, 90), "Klinikum Süd": (1, 70), "Klinikum West": (2, 120)}


def site_table(seed, size):
    rng = np.random.default_rng(seed)
    role = rng.choice([1, 2], size=size)
    return pd.DataFrame({"role": role, "rel_speed": rng.integers(1, 6, size=size),
                         "usage_chats": rng.poisson(20 + 6 * role + 3 * seed)})


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    directory = tmp_path_factory.mktemp("consortium")
    paths = []
    for name, (seed, size) in SITES.items():
        payload = aggregates.site_aggregates(
            site_table(seed, size), CODEBOOK, site=name, wave="w", strata=("role",),
            contrasts=(("usage_chats", "role", "2", "1"),), fingerprints={"reliability": "same"},
            core={"code": "platform_core", "sha256": "0" * 64}, headcounts={"responses_completed": 3 if seed == 0 else size})
        path = directory / f"{seed}.json"
        path.write_text(json.dumps(aggregates.sign_bundle(payload, Ed25519PrivateKey.generate())))
        paths.append(path)
    pool_command(paths, directory / "pooled")
    return directory / "pooled"


@pytest.fixture(scope="module")
def reports(pooled, tmp_path_factory):
    out = tmp_path_factory.mktemp("consortium_reports")
    built = {}
    for language in ("de", "en"):
        pdf = out / f"consortium_{language}.pdf"
        call_command("build_report", "--kind", "consortium", "--pooled", str(pooled), "--lang", language,
                     "--out", str(pdf), "--pseudonymise-sites")
        built["consortium", language] = type("Built", (), {"pdf": pdf})
    return built


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_consortium_report_passes_the_layout_checks(reports, language):
    layout_check(reports, "consortium", language)


def test_each_language_throughout(reports):
    german, english = pdf_text(reports["consortium", "de"].pdf), pdf_text(reports["consortium", "en"].pdf)
    assert "Standort A" in german and "Site A" in english
    assert not [phrase for phrase in ENGLISH_IN_GERMAN if phrase in german]
    assert not [phrase for phrase in GERMAN_IN_ENGLISH if phrase in english]


def test_per_site_and_pooled_results_heterogeneity_and_rules_are_shown(reports):
    text = " ".join(pdf_text(reports["consortium", "en"].pdf).split())
    for shown in ("Sites and their bundles", "Pooled means and differences between sites", "F(2,",
                  "Planned contrasts: random-effects meta-analysis over the sites", "Leave one site out",
                  "Forest plot", "I² =", "No count below 5 left any site", "With only 3 sites",
                  "Conversations (count): Nursing vs Physicians"):
        assert shown in text, shown


def test_no_site_name_and_no_small_headcount_reaches_the_page(reports):
    for language in ("de", "en"):
        text = pdf_text(reports["consortium", language].pdf)
        assert not [name for name in SITES if name in text]
        (row,) = [line.split() for line in text.splitlines() if line.strip().startswith(("Site A", "Standort A"))][:1]
        assert row[3] == "–"  # Klinikum Nord completed 3 responses: withheld, not printed


def test_every_method_named_has_its_result_in_the_report(reports):
    claims = json.loads((reports["consortium", "en"].pdf.with_name("consortium_en.pdf.assets") / "claims.json").read_text())
    named = {claim["method"]: claim["shown_as"] for claim in claims["claims"]}
    assert set(named) == {"exact pooling of means and standard deviations", "one-way analysis of variance across sites",
                          "random-effects meta-analysis (REML, Knapp-Hartung)", "leave-one-site-out sensitivity analysis"}
    text = " ".join(pdf_text(reports["consortium", "en"].pdf).split())
    assert all(shown[:30] in text for shown in named.values())
