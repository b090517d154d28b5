"""The site's small-cell threshold (UPTAKE_SUPPRESSION_THRESHOLD) is the one every stage uses: the analysis run for
a report, the context the report reads, the bundle's threshold and the platform summary's cost groups."""

import pytest

from platform_logs.services import platform_summary
from reports.bundle import Bundle
from reports.services import write_analysis, write_context
from surveys.demo import load_demo
from tests.platform_logs.conftest import linked_wave  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("threshold", [7, 11])
def test_the_setting_reaches_the_analysis_the_context_and_the_bundle(settings, demo_plan, tmp_path, threshold):
    settings.UPTAKE_SUPPRESSION_THRESHOLD = threshold
    wave = load_demo().wave

    results, _linkage = write_analysis(wave, tmp_path / "export", tmp_path / "bundle", "en", demo_plan)
    write_context(wave, "en", tmp_path / "bundle")

    assert results["meta"]["disclosure_threshold"] == threshold
    assert f'"threshold": {threshold}' in (tmp_path / "bundle" / "context.json").read_text(encoding="utf-8")
    assert Bundle.load(tmp_path / "bundle").threshold == threshold


@pytest.mark.parametrize("threshold, suppressed", [(1, [0, 0]), (2, [1, 1])])
def test_the_setting_decides_which_cost_groups_are_suppressed(settings, linked_wave, threshold, suppressed):  # noqa: F811
    settings.UPTAKE_COST_GROUP_ITEM = "role"
    settings.UPTAKE_SUPPRESSION_THRESHOLD = threshold

    groups = platform_summary(linked_wave)["costs"]["by_group"]

    assert [group["suppressed"] for group in groups] == suppressed  # one linked physician, one linked nurse


def test_without_a_threshold_given_cost_groups_use_the_one_default(linked_wave):  # noqa: F811
    from platform_logs.costs import costs_by_group
    from platform_logs.export import wave_table_with_usage

    table, _codebook = wave_table_with_usage(linked_wave)

    assert costs_by_group(table, "role")["suppressed"].tolist() == [1, 1]  # two groups of one person, below 5
