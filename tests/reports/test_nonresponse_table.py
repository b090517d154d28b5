"""The nonresponse table of the demo publication report, recomputed from the export by a second route.

Issue 22: the table must show respondents, nonrespondents and the SMD before and after weighting. Here the
numbers are worked out again from the files the analysis reads (`<wave>_responses.csv`,
`<wave>_population.csv`) with numpy and the published formulas only, not with analysis.nonresponse, and
compared with what the PDF prints.
"""

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.reports.conftest import DEFAULT_PLAN, pdf_text

pytestmark = pytest.mark.django_db

Z95 = 1.959963984540054


def tertile_band(values, population):
    """1, 2 or 3: at or below the population's first tertile, its second, or above (R's type-7 quantiles)."""
    low, high = np.quantile(population, [1 / 3, 2 / 3])
    return np.where(values <= low, 1, np.where(values <= high, 2, 3))


def raked(cells, targets, sweeps=1000):
    """Iterative proportional fitting (Deming & Stephan, 1940): one margin after the other, until each
    weighted share is its target."""
    weights = np.ones(len(next(iter(cells.values()))))
    for _ in range(sweeps):
        for variable, shares in targets.items():
            total = sum(shares.values())
            for level, share in shares.items():
                members = cells[variable] == level
                weights[members] *= (share / total) / (weights[members].sum() / weights.sum())
    return weights


def smd_with_interval(difference, pooled_sd, n1, n2):
    """d = difference / pooled SD, 95% CI with SE² = (n1 + n2) / (n1 n2) + d² / (2 (n1 + n2)) (Hedges & Olkin,
    1985)."""
    d = difference / pooled_sd
    se = np.sqrt((n1 + n2) / (n1 * n2) + d ** 2 / (2 * (n1 + n2)))
    return d, d - Z95 * se, d + Z95 * se


def printed(value):
    """A number as the English report prints it: two decimals, none from 100 on, thousands with a comma."""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return text.removeprefix("-") if text.strip("-0.,") == "" else text


def interval_text(d, low, high):
    return f"{printed(d)} [{printed(low)}, {printed(high)}]"


@pytest.fixture(scope="module")
def publication(make_demo_reports):
    return make_demo_reports[0]["publication", "en"]


def test_the_nonresponse_table_is_recomputed_from_the_export(publication):
    export = publication.pdf.parent / "export"
    responses = pd.read_csv(next(export.glob("*_responses.csv")))
    population = pd.read_csv(next(export.glob("*_population.csv")))
    plan = yaml.safe_load(DEFAULT_PLAN.read_text(encoding="utf-8"))
    results = {r["id"]: r for r in json.loads((publication.assets / "results.json").read_text(encoding="utf-8"))["results"]}
    compared = [row["feature"] for row in results["nonresponse/smd"]["table"]]

    # Which features: every usage feature of the population file except those constant among all users and
    # those repeating an earlier one value for value.
    expected, earlier = [], []
    for feature in [c for c in population if c.startswith("usage_")]:
        values = population[feature]
        if values.nunique() >= 2 and not any(values.equals(population[e]) for e in earlier):
            expected.append(feature)
        earlier.append(feature)
    assert compared == expected

    # Respondents: completed, consented to linkage, active in the window; nonrespondents: responded = 0.
    days = pd.to_numeric(responses["usage_active_days"], errors="coerce")
    respondents = responses[(responses["status"] == "completed") & (responses["linkage_consent"] == 1) & (days > 0)]
    others = population[population["responded"] == 0]
    # Raking on role (the plan's staff shares) and on usage-intensity thirds of all platform users.
    band = tertile_band(respondents["usage_active_days"].to_numpy(float), population["usage_active_days"])
    all_bands = tertile_band(population["usage_active_days"].to_numpy(float), population["usage_active_days"])
    targets = {"role": {float(k): v for k, v in plan["population"]["margins"]["role"].items()},
               "band": {b: float(np.mean(all_bands == b)) for b in (1, 2, 3)}}
    weights = raked({"role": respondents["role"].to_numpy(float), "band": band}, targets)

    text = pdf_text(publication.pdf)
    table = " ".join(text[text.index("Respondents compared with nonrespondents"):].split("Note.")[0].split())
    assert (f"Respondents: {len(respondents)} analysed respondents with linked usage; nonrespondents: {len(others)} "
            "platform users") in " ".join(text.split())
    for feature in compared:
        r = respondents[feature].to_numpy(float)
        w = weights[~np.isnan(r)]
        r = r[~np.isnan(r)]
        n = others[feature].dropna().to_numpy(float)
        pooled = np.sqrt((r.var(ddof=1) + n.var(ddof=1)) / 2)
        weighted_mean = np.sum(w * r) / np.sum(w)
        kish = np.sum(w) ** 2 / np.sum(w ** 2)
        row = " ".join([printed(r.mean()), printed(n.mean()),
                        interval_text(*smd_with_interval(r.mean() - n.mean(), pooled, len(r), len(n))),
                        printed(weighted_mean),
                        interval_text(*smd_with_interval(weighted_mean - n.mean(), pooled, kish, len(n)))])
        assert row in table, feature
    assert re.search(r"\d\.\d\d \[-?\d\.\d\d, -?\d\.\d\d\]", table)  # the SMD column is filled, not "–"
