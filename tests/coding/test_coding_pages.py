"""The workspace's coding pages: a bad sample size reads as a sentence, and showing open answers is audited."""

import pytest
from django.urls import reverse

from coding.models import CodingSample
from coding.services import draw_sample, record_human_codes
from studies.models import AuditEntry
from tests.coding.builders import add_wish_answers, wishes_codebook
from tests.studies.builders import study_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = study_with_members()
    add_wish_answers(cast.wave)
    return cast


def _url(cast, name, *args):
    return reverse(f"studies:{name}", args=[cast.study.slug, cast.wave.slug, *args])


@pytest.mark.parametrize("size", ["forty", "", "1", "1001"])
def test_a_sample_size_that_is_not_a_number_in_range_is_a_form_error_and_draws_nothing(client, cast, size):
    codebook = wishes_codebook()
    client.force_login(cast.analyst)
    response = client.post(_url(cast, "coding_sample_new", codebook.pk), {"size": size}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sample size:" in page
    assert not CodingSample.objects.exists()


def test_a_valid_sample_size_draws_a_sample(client, cast):
    codebook = wishes_codebook()
    client.force_login(cast.analyst)
    client.post(_url(cast, "coding_sample_new", codebook.pk), {"size": "3"})
    assert CodingSample.objects.get().answers.count() == 3


def test_showing_an_answer_to_code_is_audited_with_its_response(client, cast):
    sample = draw_sample(cast.wave, wishes_codebook(), size=2, seed=3)
    client.force_login(cast.analyst)
    page = client.get(_url(cast, "coding_code", sample.pk)).content.decode()
    shown = sample.answers.order_by("pk").first()
    assert shown.value in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RESPONSE_VIEW)
    assert entry.actor == cast.analyst and entry.study == cast.study
    assert entry.target == f"open answers to wishes of wave {cast.wave.slug}"
    assert entry.detail == f"coding sample {sample.pk}: responses {shown.response_id}"


def test_the_disagreements_view_audits_the_answers_it_shows_and_nothing_when_it_shows_none(client, cast):
    sample = draw_sample(cast.wave, wishes_codebook(), size=2, seed=3)
    first, second = sample.answers.order_by("pk")
    for answer in (first, second):
        record_human_codes(sample, answer, "ann", ["speed"])
    record_human_codes(sample, first, "ben", ["speed"])
    record_human_codes(sample, second, "ben", ["training"])
    client.force_login(cast.owner)
    page = client.get(_url(cast, "coding_disagreements", sample.pk)).content.decode()
    assert second.value in page and first.value not in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RESPONSE_VIEW)
    assert entry.actor == cast.owner and entry.detail == f"coding sample {sample.pk}: responses {second.response_id}"

    record_human_codes(sample, second, "ben", ["speed"])
    client.get(_url(cast, "coding_disagreements", sample.pk))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESPONSE_VIEW).count() == 1


def test_an_owner_records_the_final_code_of_a_disagreement_on_its_page(client, cast):
    sample = draw_sample(cast.wave, wishes_codebook(), size=2, seed=3)
    answer = sample.answers.order_by("pk").first()
    record_human_codes(sample, answer, "ann", ["speed"])
    record_human_codes(sample, answer, "ben", ["training"])
    client.force_login(cast.owner)
    page = client.post(_url(cast, "coding_adjudicate", sample.pk), {"answer": answer.pk, "codes": ["training"]},
                       follow=True).content.decode()
    assert sample.adjudications.get(answer=answer).codes == ["training"]
    assert ('class="final-code">Training and templates<' in page) or ('class="final-code">Schulung und Vorlagen<' in page)
    client.post(_url(cast, "coding_adjudicate", sample.pk), {"answer": answer.pk, "codes": ["made_up"]})
    assert sample.adjudications.get(answer=answer).codes == ["training"]
