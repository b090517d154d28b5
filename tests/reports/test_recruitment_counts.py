"""CHERRIES recruitment counts stay right when anonymous responses are cut from their invitations."""

import pytest
from django.test import Client

from reports.services import recruitment
from surveys.models import Wave
from tests.surveys.builders import invite, make_wave, post_page, start


@pytest.mark.django_db
def test_a_submitted_anonymous_response_still_counts_as_arrived_by_invitation(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    client = Client()
    start(client, wave, invite(wave))
    invite(wave)  # sent, never opened
    for page, data in [("about", {"role": "nurse"}), ("data", {"data_kinds": ["public"]}), ("rating", {"satisfaction": "4"})]:
        post_page(client, wave, page, data)

    counts = recruitment(wave)

    assert (counts["invitations_created"], counts["invitations_used"]) == (2, 1)
    assert (counts["responses_via_invitation"], counts["responses_via_sign_in"]) == (1, 0)
