import threading

import pytest
from django.db import connection
from django.test import Client

from surveys.models import Answer, PageVisit, Response
from tests.surveys.builders import complete_until_last_page, invite, make_wave, post_page, start, stored_answers


@pytest.mark.django_db
def test_submitting_the_last_page_twice_keeps_one_completed_response(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)

    first = post_page(client, wave, "rating", {"satisfaction": "5"})
    second = post_page(client, wave, "rating", {"satisfaction": "1"})

    assert first["Location"] == second["Location"] == f"/s/{wave.slug}/thanks/"
    response = Response.objects.get()
    assert response.status == "completed"
    assert stored_answers(response) == {"role": "physician", "data_kinds": ["public"], "satisfaction": 5}


@pytest.mark.django_db
def test_back_button_resubmit_of_an_earlier_page_after_completion_changes_nothing(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    complete_until_last_page(client, wave)
    post_page(client, wave, "rating", {"satisfaction": "3"})

    stale = post_page(client, wave, "about", {"role": "nurse"})

    assert stale["Location"] == f"/s/{wave.slug}/thanks/"
    assert stored_answers(Response.objects.get())["role"] == "physician"


@pytest.mark.django_db
def test_reloading_a_page_and_reposting_it_neither_duplicates_answers_nor_visits(client, tmp_path):
    wave = make_wave(tmp_path)
    start(client, wave, invite(wave))
    client.get(f"/s/{wave.slug}/p/about/")
    client.get(f"/s/{wave.slug}/p/about/")
    post_page(client, wave, "about", {"role": "nurse"})
    post_page(client, wave, "about", {"role": "nurse"})

    assert Answer.objects.filter(item="role").count() == 1
    assert PageVisit.objects.filter(page="about").count() == 1


@pytest.mark.django_db
def test_consenting_twice_creates_one_response(client, tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)
    start(client, wave, token)
    again = client.post(f"/s/{wave.slug}/", {"consent": "yes"})

    assert again["Location"] == f"/s/{wave.slug}/p/about/"
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_the_last_page_store_one_consistent_result(tmp_path):
    """Two tabs submit at the same moment: the row lock serializes them, nothing is duplicated."""
    wave = make_wave(tmp_path)
    token = invite(wave)
    tabs = [Client(), Client()]
    start(tabs[0], wave, token)
    tabs[1].get(f"/i/{token}/")
    complete_until_last_page(tabs[0], wave)
    barrier = threading.Barrier(2)
    results = []

    def submit(tab, value):
        barrier.wait()
        try:
            results.append(post_page(tab, wave, "rating", {"satisfaction": value}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(tab, value)) for tab, value in zip(tabs, ["2", "4"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [302, 302]
    response = Response.objects.get()
    assert response.status == "completed"
    assert Answer.objects.filter(response=response, item="satisfaction").count() == 1
    assert response.answers.get(item="satisfaction").value in (2, 4)
