"""`load_demo --seed N` makes a different synthetic site per N, so a demo consortium can be pooled."""

import pytest
from django.core.management import call_command

from surveys.demo import DEMO_WAVE, load_demo
from surveys.models import Answer, Wave


def mean_rating(wave, item):
    values = [int(value) for value in Answer.objects.filter(response__wave=wave, item=item).values_list("value", flat=True)]
    return sum(values) / len(values)


@pytest.mark.django_db
def test_each_seed_is_its_own_site_with_its_own_wave_size_and_answers():
    first, second = load_demo(1), load_demo(2)
    assert first.wave.slug == f"{DEMO_WAVE}-site-1" and second.wave.slug == f"{DEMO_WAVE}-site-2"
    assert first.responses != second.responses
    assert mean_rating(first.wave, "overall_satisfaction") != mean_rating(second.wave, "overall_satisfaction")


@pytest.mark.django_db
def test_a_site_loads_once_and_the_default_stays_the_classic_demo_wave(capsys):
    call_command("load_demo", "--seed", "3")
    call_command("load_demo", "--seed", "3")
    assert Wave.objects.get(slug=f"{DEMO_WAVE}-site-3").responses.count() == load_demo(3).responses
    assert "demo site 3" in Wave.objects.get(slug=f"{DEMO_WAVE}-site-3").title
    assert load_demo().wave.slug == DEMO_WAVE
