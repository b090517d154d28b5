"""People in the loop: blind codes on a sample, disagreements, the long export, and the privacy rules."""

import csv

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from analysis.agreement import agreement, read_long
from coding.endpoint import HostNotAllowed, check_host
from coding.models import Coding
from coding.services import (ModelCodingNotAllowed, adjudicate, check_wave_allows_model, disagreements, draw_sample,
                             record_human_codes, unit_id)
from surveys import services
from surveys.demo import DEMO_INSTRUMENT
from surveys.instrument_files import read_instrument_file
from surveys.models import Answer
from tests.coding.builders import ANSWERS, wave_with_wishes, wishes_codebook
from tests.studies.builders import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded_sample():
    wave, answers = wave_with_wishes(services.import_instrument(DEMO_INSTRUMENT).version)
    sample = draw_sample(wave, wishes_codebook(), size=4, seed=1)
    sampled = list(sample.answers.order_by("pk"))
    for index, answer in enumerate(sampled):
        record_human_codes(sample, answer, "ann", ["speed"])
        record_human_codes(sample, answer, "ben", ["speed"] if index < 3 else ["training", "speed"])
    return wave, sample, sampled


def test_sample_is_a_seeded_random_subset_of_the_answers(coded_sample):
    wave, sample, sampled = coded_sample
    again = draw_sample(wave, sample.codebook, size=4, seed=1)
    assert list(again.answers.order_by("pk")) == sampled
    assert len(sampled) == 4 and {answer.value for answer in sampled} <= set(ANSWERS)


def test_codes_outside_the_codebook_are_refused(coded_sample):
    _wave, sample, sampled = coded_sample
    with pytest.raises(ValueError, match="not in codebook"):
        record_human_codes(sample, sampled[0], "ann", ["made_up"])


def test_disagreements_list_only_answers_where_coders_differ(coded_sample):
    _wave, sample, sampled = coded_sample
    rows = disagreements(sample)
    assert [row["answer"] for row in rows] == [sampled[3]]
    assert rows[0]["codings"] == {"ann": ["speed"], "ben": ["speed", "training"]}


def test_a_final_code_is_recorded_for_a_disagreement_and_shown_beside_the_coders_codes(coded_sample):
    _wave, sample, sampled = coded_sample
    lead = make_user("lead")
    assert disagreements(sample)[0]["final"] is None
    adjudicate(sample, sampled[3], ["training", "speed"], lead)
    adjudicate(sample, sampled[3], ["training"], lead)  # a later decision replaces the earlier one
    [row] = disagreements(sample)
    assert row["final"] == ["training"]
    assert sample.adjudications.get().decided_by == lead
    assert Coding.objects.filter(answer=sampled[3]).count() == 2  # the coders' own codes stay as they were


def test_a_final_code_outside_the_codebook_or_the_sample_is_refused(coded_sample):
    wave, sample, sampled = coded_sample
    lead = make_user("lead")
    with pytest.raises(ValueError, match="not in codebook"):
        adjudicate(sample, sampled[3], ["made_up"], lead)
    outside = Answer.objects.filter(response__wave=wave).exclude(pk__in=[answer.pk for answer in sampled]).first()
    with pytest.raises(ValueError, match="not in"):
        adjudicate(sample, outside, ["speed"], lead)
    assert not sample.adjudications.exists()


def test_export_coding_writes_long_form_with_opaque_units(coded_sample, tmp_path):
    wave, _sample, sampled = coded_sample
    out = tmp_path / "coding.csv"
    call_command("export_coding", wave.slug, "wishes", "--out", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["unit", "coder", "code"]
    assert len(rows) == 9  # 4 answers x 2 coders, one of them with two codes
    assert {row["unit"] for row in rows} == {unit_id(answer) for answer in sampled}
    assert not {row["unit"] for row in rows} & {str(answer.pk) for answer in sampled}
    table = agreement(read_long(out), n_boot=10).set_index("scope")
    assert table.loc["speed", "percent_agreement"] == 1.0
    assert table.loc["training", "percent_agreement"] == 0.75


def test_no_model_coding_for_a_wave_whose_information_text_does_not_allow_it(tmp_path):
    spec, definition = read_instrument_file(DEMO_INSTRUMENT)
    assert spec.open_answers_to_site_model  # the demo's information text has the sentence
    definition = {**definition, "code": "no_model_survey"}
    definition.pop("open_answers_to_site_model")
    path = tmp_path / "no_model.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    wave, _answers = wave_with_wishes(services.import_instrument(path).version, slug="no-model")
    with pytest.raises(ModelCodingNotAllowed, match="information text"):
        check_wave_allows_model(wave)
    with pytest.raises(CommandError, match="information text"):
        call_command("code_answers", wave.slug, "wishes", "--codebook", "coding/codebooks/wishes.yaml")
    assert not Coding.objects.exists()


def test_free_text_goes_only_to_listed_hosts(settings):
    settings.UPTAKE_CODING_HOSTS = ["127.0.0.1"]
    assert check_host("http://127.0.0.1:8090/v1", settings.UPTAKE_CODING_HOSTS) == "127.0.0.1"
    for url in ("https://api.openai.com/v1", "http://127.0.0.1.example.org/v1", "http://localhost:8090/v1"):
        with pytest.raises(HostNotAllowed):
            check_host(url, settings.UPTAKE_CODING_HOSTS)


def test_command_refuses_an_unlisted_endpoint_before_sending_anything(settings):
    settings.UPTAKE_CODING_HOSTS = ["127.0.0.1"]
    wave, _answers = wave_with_wishes(services.import_instrument(DEMO_INSTRUMENT).version)
    with pytest.raises(CommandError, match="not in UPTAKE_CODING_HOSTS"):
        # a host that does not resolve: had the command sent anything, it would fail differently
        call_command("code_answers", wave.slug, "wishes", "--codebook", "coding/codebooks/wishes.yaml",
                     "--endpoint", "http://model.invalid/v1")
    assert not Coding.objects.exists()
