"""Whatever a respondent's browser sends besides the answers (headers, query strings, extra form
fields, cookies) is stored nowhere: not in the respondent cookie, the database or the logs. What
they type into a free-text question is their answer and is stored there, and only there."""

import logging

import pytest
from django.core import signing
from django.test import Client

from platform_logs.privacy_scan import scan_database
from surveys.models import Wave
from surveys.respondent_cookie import COOKIE, SALT
from tests.surveys.builders import complete_until_last_page, invite, make_wave

EMAIL, NAME, IP, PROMPT = "ada.lovelace@klinikum.example", "Ada Lovelace", "203.0.113.77", "Summarise the discharge letter of patient Meier"
PLANTED = f"{NAME} <{EMAIL}> from {IP}: {PROMPT}"
EXTRA = {"email": EMAIL, "name": NAME, "ip": IP, "prompt": PROMPT}


@pytest.mark.django_db
def test_identities_planted_in_every_request_field_are_stored_only_as_the_typed_answer(tmp_path, caplog):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    client = Client(HTTP_USER_AGENT=f"Mozilla/5.0 ({PLANTED})", HTTP_X_FORWARDED_FOR=IP, REMOTE_ADDR=IP,
                    HTTP_REFERER=f"https://mail.example/?to={EMAIL}&name={NAME}", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["tracking"] = EMAIL
    caplog.set_level(logging.DEBUG)

    client.get(f"/i/{invite(wave)}/", {**EXTRA})
    client.get(f"/s/{wave.slug}/", EXTRA)
    client.post(f"/s/{wave.slug}/", {"consent": "yes", "linkage": "yes", **EXTRA})
    complete_until_last_page(client, wave)
    client.get(f"/s/{wave.slug}/p/rating/", EXTRA)
    cookie = signing.loads(client.cookies[COOKIE].value, salt=SALT)
    done = client.post(f"/s/{wave.slug}/p/rating/?{NAME}={EMAIL}",
                       {"satisfaction": "4", "wishes": PLANTED, "next": "1", **EXTRA})
    client.get(f"/s/{wave.slug}/thanks/", EXTRA)

    assert done["Location"] == f"/s/{wave.slug}/thanks/"
    planted = [EMAIL, NAME, IP, PROMPT, "Lovelace", "Meier"]
    assert not any(value in str(cookie) for value in planted)
    assert not any(value in caplog.text for value in planted)
    findings = scan_database(canaries=planted)
    assert findings, "the typed answer must be found: the scan has to see it"
    assert {finding.where.split(" row ")[0] for finding in findings} == {"surveys_answer.value"}
