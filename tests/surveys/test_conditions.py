import pytest

from surveys.models import Response
from tests.surveys.builders import invite, make_wave, post_page, start, stored_answers


@pytest.mark.django_db
def test_a_skipped_conditional_page_is_not_required(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})

    after_data = post_page(client, wave, "data", {"data_kinds": ["public"]})
    submitted = post_page(client, wave, "rating", {"satisfaction": "2"})

    assert after_data["Location"] == f"/s/{wave.slug}/p/rating/"
    assert submitted["Location"] == f"/s/{wave.slug}/thanks/"
    assert Response.objects.get().status == "completed"


@pytest.mark.django_db
def test_the_conditional_page_is_shown_and_required_when_its_condition_holds(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})

    after_data = post_page(client, wave, "data", {"data_kinds": ["patient"]})
    empty = post_page(client, wave, "sensitive", {"sensitive_purpose": ""})

    assert after_data["Location"] == f"/s/{wave.slug}/p/sensitive/"
    assert empty.status_code == 400
    assert 'id="id_sensitive_purpose-error"' in empty.text


@pytest.mark.django_db
def test_answers_on_a_page_that_became_hidden_are_dropped_at_submit(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["patient"]})
    post_page(client, wave, "sensitive", {"sensitive_purpose": "discharge letters"})
    post_page(client, wave, "rating", {"satisfaction": "4"}, direction="back")
    post_page(client, wave, "sensitive", {"sensitive_purpose": "discharge letters"}, direction="back")
    post_page(client, wave, "data", {"data_kinds": ["public"]})  # the sensitive page no longer applies

    post_page(client, wave, "rating", {"satisfaction": "4"})

    assert stored_answers(Response.objects.get()) == {"role": "nurse", "data_kinds": ["public"], "satisfaction": 4}


@pytest.mark.django_db
def test_other_please_specify_needs_its_text(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))

    page = post_page(client, wave, "about", {"role": "other", "role_other": "  "})

    assert page.status_code == 400
    assert 'id="id_role_other-error"' in page.text
    assert not Response.objects.get().answers.exists()


@pytest.mark.django_db
def test_an_exclusive_option_cannot_be_combined(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})

    page = post_page(client, wave, "data", {"data_kinds": ["public", "none"]})

    assert page.status_code == 400
    assert "cannot be combined" in page.text


@pytest.mark.django_db
def test_submit_sends_the_respondent_to_a_required_question_they_cleared_on_an_earlier_page(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})
    post_page(client, wave, "rating", {"satisfaction": "4"}, direction="back")
    post_page(client, wave, "data", {}, direction="back")  # going back does not insist on required answers

    submitted = post_page(client, wave, "rating", {"satisfaction": "4"})
    shown = client.get(submitted["Location"])

    assert submitted["Location"] == f"/s/{wave.slug}/p/data/"
    assert "Please answer this question before you submit: Which data do you enter?" in shown.text
    assert Response.objects.get().status == "in_progress"
