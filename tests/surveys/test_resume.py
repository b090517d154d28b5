import pytest
from django.test import Client

from surveys.models import Response
from tests.surveys.builders import checked_values, input_value, invite, make_wave, post_page, start, stored_answers


@pytest.mark.django_db
def test_resume_after_leaving_keeps_every_answer_and_returns_to_the_page_left(client, tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)
    start(client, wave, token)
    post_page(client, wave, "about", {"role": "other", "role_other": "Pharmacist"})
    post_page(client, wave, "data", {"data_kinds": ["public", "patient"]})

    later = Client()  # another browser: no cookies from the first visit
    resumed = later.get(f"/i/{token}/", follow=True)

    assert resumed.redirect_chain[-1][0] == f"/s/{wave.slug}/p/sensitive/"
    back_on_first_page = later.get(f"/s/{wave.slug}/p/about/")
    assert checked_values(back_on_first_page.text, "role") == ["other"]
    assert input_value(back_on_first_page.text, "role_other") == "Pharmacist"
    response = Response.objects.get()
    assert stored_answers(response) == {"role": "other", "data_kinds": ["public", "patient"]}
    assert response.answers.get(item="role").other_text == "Pharmacist"


@pytest.mark.django_db
def test_back_saves_the_page_and_forward_shows_it_again(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    going_back = post_page(client, wave, "data", {"data_kinds": ["public"]}, direction="back")

    assert going_back["Location"] == f"/s/{wave.slug}/p/about/"
    page = client.get(f"/s/{wave.slug}/p/data/")
    assert checked_values(page.text, "data_kinds") == ["public"]


@pytest.mark.django_db
def test_a_page_beyond_the_furthest_reached_cannot_be_opened_by_url(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))

    jump = client.get(f"/s/{wave.slug}/p/rating/")

    assert jump.status_code == 302 and jump["Location"] == f"/s/{wave.slug}/p/about/"


@pytest.mark.django_db
def test_validation_errors_are_shown_next_to_the_field_and_nothing_is_saved(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "data", {"data_kinds": ["public"]})

    page = post_page(client, wave, "rating", {"satisfaction": "4", "hours": "500"})

    assert page.status_code == 400
    assert 'id="id_hours-error"' in page.text
    assert 'aria-describedby="id_hours-error"' in page.text
    assert "80" in page.text.split('id="id_hours-error"')[1][:300]
    assert "satisfaction" not in stored_answers(Response.objects.get())
