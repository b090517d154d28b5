import pytest
from django.test import Client

from tests.surveys.builders import invite, make_wave, start


@pytest.mark.django_db
def test_a_german_browser_gets_the_interface_and_the_questions_in_german(tmp_path):
    wave = make_wave(tmp_path)
    german = Client(HTTP_ACCEPT_LANGUAGE="de")

    first_page = german.get(start(german, wave, invite(wave)))

    assert "Ihre Rolle?" in first_page.text
    assert "Weiter" in first_page.text and "Seite 1 von" in first_page.text
    assert '<html lang="de">' in first_page.text


@pytest.mark.django_db
def test_switching_to_english_changes_the_questions_and_keeps_the_page(tmp_path):
    wave = make_wave(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    page_url = start(client, wave, invite(wave))

    switched = client.post("/i18n/setlang/", {"language": "en", "next": page_url}, follow=True)

    assert switched.redirect_chain[-1][0] == page_url
    assert "Your role?" in switched.text and "Next" in switched.text


@pytest.mark.django_db
@pytest.mark.parametrize("browser_language", ["de", "en"])
def test_the_language_switch_names_each_language_in_itself(tmp_path, browser_language):
    wave = make_wave(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE=browser_language)

    page = client.get(start(client, wave, invite(wave)))

    assert 'lang="en"' in page.text and ">English</button>" in page.text
    assert 'lang="de"' in page.text and ">Deutsch</button>" in page.text
    assert "Englisch" not in page.text
