"""The export gains one 0/1 column per code, from the model where it passed the gate, else from people."""

import pytest
from django.utils import timezone

from coding.export import code_column, coding_summary
from coding.models import Coding
from coding.services import adjudicate, draw_sample, record_human_codes
from platform_logs.export import wave_table_with_usage
from surveys import services
from surveys.demo import DEMO_INSTRUMENT
from tests.coding.builders import wave_with_wishes, wishes_codebook
from tests.studies.builders import make_user

pytestmark = pytest.mark.django_db
TEXTS = [f"Antwort {n}" for n in range(12)]
SPEED = {0, 1, 2, 3, 4, 5}  # answers that are about speed
TRAINING = {0, 6, 7, 8}


@pytest.fixture
def coded_wave():
    wave, answers = wave_with_wishes(services.import_instrument(DEMO_INSTRUMENT).version, texts=TEXTS)
    version = wishes_codebook()
    sample = draw_sample(wave, version, size=10, seed=2)
    for answer in sample.answers.all():
        n = answers.index(answer)
        truth = (["speed"] if n in SPEED else []) + (["training"] if n in TRAINING else []) or ["none"]
        record_human_codes(sample, answer, "ann", truth)
        record_human_codes(sample, answer, "ben", truth)
    for n, answer in enumerate(answers):  # the model: right on speed, training on everything
        codes = (["speed"] if n in SPEED else []) + ["training"]
        Coding.objects.create(answer=answer, codebook=version, coder="tiny-model", kind=Coding.Kind.MODEL, codes=codes,
                              prompt_hash="a" * 64, endpoint_host="127.0.0.1", temperature=0.0, seed=7,
                              coded_at=timezone.now())
    return wave, answers, sample


def test_codes_that_pass_come_from_the_model_and_the_rest_from_people_on_the_sample(coded_wave):
    wave, answers, sample = coded_wave
    table, codebook = wave_table_with_usage(wave)
    speed, training = code_column("wishes", "speed"), code_column("wishes", "training")
    assert table[speed].notna().sum() == len(answers)  # the model's codes for every answer
    assert table[training].notna().sum() == sample.answers.count()  # people's, on the sample only
    rows = codebook.set_index("variable")
    assert rows.loc[speed, "source"] == "coding" and "tiny-model" in rows.loc[speed, "instrument"]
    assert "people" in rows.loc[training, "instrument"]
    assert "Speed" in rows.loc[speed, "label_en"]
    [summary] = coding_summary(wave, "en")
    assert summary["coded_by"]["speed"] == "model" and summary["coded_by"]["training"] == "people"
    assert (summary["model"], summary["temperature"], summary["seed"], summary["codebook_version"]) == ("tiny-model", 0.0, 7, 1)


def test_without_a_double_coded_sample_nothing_is_exported(coded_wave):
    wave, _answers, _sample = coded_wave
    Coding.objects.filter(coder="ben").delete()
    table, _codebook = wave_table_with_usage(wave)
    assert code_column("wishes", "speed") not in table
    assert coding_summary(wave, "en") == []


def test_people_coded_columns_take_the_final_code_where_one_was_recorded(coded_wave):
    wave, answers, sample = coded_wave
    unsure, overruled = [answer for answer in sample.answers.order_by("pk") if answers.index(answer) in TRAINING][:2]
    record_human_codes(sample, unsure, "ben", ["none"])  # ann gave training, ben not: no majority of two
    training = code_column("wishes", "training")
    table = wave_table_with_usage(wave)[0].set_index("response_id")
    assert (table.loc[unsure.response_id, training], table.loc[overruled.response_id, training]) == (0, 1)
    lead = make_user("lead")
    adjudicate(sample, unsure, ["training"], lead)
    adjudicate(sample, overruled, ["none"], lead)
    table = wave_table_with_usage(wave)[0].set_index("response_id")
    assert (table.loc[unsure.response_id, training], table.loc[overruled.response_id, training]) == (1, 0)
