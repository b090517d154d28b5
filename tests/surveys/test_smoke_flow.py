import pytest

from surveys.models import Response
from tests.surveys.builders import invite, make_wave


@pytest.mark.django_db
def test_invited_respondent_completes_survey(client, tmp_path):
    wave = make_wave(tmp_path)
    token = invite(wave)
    r = client.get(f"/i/{token}/", follow=True)
    assert r.status_code == 200, r.content
    assert "Information about the study" in r.text or "Informationen zur Studie" in r.text
    r = client.post(f"/s/{wave.slug}/", {"consent": "yes"})
    assert r.status_code == 302 and r["Location"].endswith("/p/about/")
    r = client.get(r["Location"])
    assert r.status_code == 200, r.text
    r = client.post(f"/s/{wave.slug}/p/about/", {"role": "nurse", "next": "1"})
    assert r["Location"].endswith("/p/data/")
    r = client.post(f"/s/{wave.slug}/p/data/", {"data_kinds": ["public"], "next": "1"})
    assert r["Location"].endswith("/p/rating/")
    r = client.post(f"/s/{wave.slug}/p/rating/", {"satisfaction": "4", "next": "1"})
    assert r["Location"].endswith("/thanks/")
    response = Response.objects.get()
    assert response.status == "completed"
    assert {a.item: a.value for a in response.answers.all()} == {"role": "nurse", "data_kinds": ["public"], "satisfaction": 4}
