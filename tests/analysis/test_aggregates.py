"""Site bundles: only sufficient statistics leave, after the small-cell rules, and signed."""

import json

import numpy as np
import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from analysis import aggregates, pooling
from analysis.errors import InputFormatError

CODEBOOK = pd.DataFrame([
    {"variable": "role", "item": "role", "source": "survey", "type": "single_choice"},
    {"variable": "rating", "item": "rating", "source": "survey", "type": "likert"},
    {"variable": "usage_chats", "item": "", "source": "usage", "type": "number"},
    {"variable": "wishes", "item": "wishes", "source": "survey", "type": "textarea"},
    {"variable": "response_id", "item": "", "source": "paradata", "type": "id"},
])


def site_table(rare_chats=987654):
    """40 respondents: 30 physicians (role 1), 8 nurses (2), 2 students (3); one heavy user."""
    role = [1] * 30 + [2] * 8 + [3] * 2
    rating = ([4, 5, 3, 4, 5] * 8)[:40]
    rating[0] = 1  # one person chose "strongly disagree"
    chats = [10 + i % 7 for i in range(39)] + [rare_chats]
    return pd.DataFrame({"response_id": range(9001, 9041), "role": role, "rating": rating, "usage_chats": chats,
                         "wishes": ["Dr. Canary Planted"] + [""] * 39})


def payload(**options):
    return aggregates.site_aggregates(site_table(), CODEBOOK, site="A", wave="w", **options)


def variable(result, name):
    return next(entry for entry in result["variables"] if entry["variable"] == name)


def test_no_respondent_key_free_text_or_extreme_value_leaves():
    text = json.dumps(payload(strata=("role",)))
    for planted in ("9001", "9040", "987654", "Canary", "response_id", "wishes"):
        assert planted not in text
    assert "min" not in variable(payload(), "usage_chats")["records"][0]


def test_a_small_category_is_withheld_and_so_is_its_mean():
    overall = variable(payload(), "rating")["records"][0]
    assert overall["counts"]["1"] is None  # one person
    hidden = [category for category, count in overall["counts"].items() if count is None]
    assert len(hidden) == 2  # a second cell, or n minus the visible cells would give it back
    assert overall["n"] == 40 and overall["mean"] is None and overall["variance"] is None


def test_a_small_stratum_is_withheld_with_the_next_smallest():
    records = [r for r in variable(payload(strata=("role",)), "usage_chats")["records"] if r["stratum"] == "role"]
    by_level = {r["level"]: r for r in records}
    assert by_level["3"]["n"] is None and by_level["3"]["mean"] is None  # 2 students
    assert by_level["2"]["n"] is None  # 8 nurses: else 40 - 30 - 8 = 2 students and their sum
    assert by_level["1"]["n"] == 30 and by_level["1"]["mean"] == pytest.approx(np.mean(site_table()["usage_chats"][:30]))


def test_every_count_that_leaves_is_zero_or_at_least_the_threshold():
    result = payload(strata=("role",), threshold=5)
    counts = [r["n"] for entry in result["variables"] for r in entry["records"]]
    counts += [c for entry in result["variables"] for r in entry["records"] for c in (r.get("counts") or {}).values()]
    assert all(count is None or count == 0 or count >= 5 for count in counts)


def test_headcounts_are_withheld_below_the_threshold_and_rounded_up_if_asked():
    result = payload(headcounts={"responses_completed": 41, "linkage_linked": 3}, rounding=10)
    assert result["headcounts"] == {"responses_completed": 50, "linkage_linked": None}
    assert result["manifest"]["rules"]["rounding"] == 10 and result["manifest"]["rules"]["min_cell"] == 5


def test_a_planned_contrast_is_a_mean_difference_with_its_standard_error():
    table = site_table()
    (planned,) = payload(strata=("role",), contrasts=(("usage_chats", "role", "1", "2"),), threshold=2)["contrasts"]
    a, b = table.usage_chats[table.role == 1], table.usage_chats[table.role == 2]
    assert planned["effect"] == pytest.approx(a.mean() - b.mean())
    assert planned["se"] == pytest.approx(np.sqrt(a.var() / 30 + b.var() / 8))


def test_pooled_moments_equal_the_concatenated_samples_by_hand():
    # [1, 2, 3] and [4, 5]: N = 5, mean 3, SD = sqrt(10 / 4) = 1.5811
    n, mean, sd = pooling.pool_moments([3, 2], [2.0, 4.5], [1.0, 0.5])
    assert (n, mean, round(sd, 4)) == (5, 3.0, 1.5811)


def test_a_signed_bundle_verifies_and_a_changed_one_does_not():
    key = Ed25519PrivateKey.generate()
    bundle = aggregates.sign_bundle(payload(), key)
    assert aggregates.verify_bundle(bundle)["manifest"]["site"] == "A"
    trusted = {aggregates.public_key_text(key.public_key())}
    assert aggregates.verify_bundle(bundle, trusted_keys=trusted)
    bundle["payload"]["variables"][0]["records"][0]["n"] += 1
    with pytest.raises(InputFormatError, match="signature does not match"):
        aggregates.verify_bundle(bundle)
    other = aggregates.sign_bundle(payload(), Ed25519PrivateKey.generate())
    with pytest.raises(InputFormatError, match="not in the list of the consortium's site keys"):
        aggregates.verify_bundle(other, trusted_keys=trusted)
