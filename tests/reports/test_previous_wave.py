"""The strategy update compares satisfaction with the previous wave of the same instrument."""

from datetime import timedelta

import pytest
from django.test import override_settings

from reports.services import build_report
from surveys.demo import DEMO_WAVE, add_synthetic_responses, load_demo
from surveys.models import Answer, Wave
from tests.reports.conftest import DEMO_PLAN, pdf_text


def brooke_sus_mean(wave):
    """SUS per Brooke (1996): odd items score-1, even items 5-score, sum x 2.5; completed, all ten answered."""
    scores = []
    for response in wave.responses.filter(status="completed"):
        values = dict(Answer.objects.filter(response=response, item__startswith="sus_").values_list("item", "value"))
        if len(values) < 10:
            continue
        odd = sum(values[f"sus_{i:02d}"] - 1 for i in (1, 3, 5, 7, 9))
        even = sum(5 - values[f"sus_{i:02d}"] for i in (2, 4, 6, 8, 10))
        scores.append((odd + even) * 2.5)
    return sum(scores) / len(scores)


@pytest.mark.django_db
def test_strategy_update_shows_the_previous_waves_usability_beside_this_one(tmp_path):
    load_demo()
    current = Wave.objects.get(slug=DEMO_WAVE)
    previous = Wave.objects.create(
        slug="ai-platform-2025", title="AI platform user survey 2025", instrument_version=current.instrument_version,
        opens_at=current.opens_at - timedelta(days=365), closes_at=current.closes_at - timedelta(days=365),
        privacy_mode=current.privacy_mode,
    )
    add_synthetic_responses(previous, 60, seed=2025)
    out = tmp_path / "strategy.pdf"

    with override_settings(UPTAKE_ANALYSIS_PLAN=str(DEMO_PLAN)):
        build_report(current, "strategy", "en", out)
    text = " ".join(pdf_text(out).split())

    assert "Previous wave: AI platform user survey 2025" in text
    now, before = brooke_sus_mean(current), brooke_sus_mean(previous)
    assert f"{now:.1f}" in text and f"{before:.1f}" in text
    assert f"{now - before:+.1f}".replace("-", "−") in text or f"{now - before:+.1f}" in text
