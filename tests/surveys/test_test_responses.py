"""Test responses: a researcher tries the questionnaire out; nothing they answer reaches counts, exports or analysis."""

import pytest

from surveys import services
from surveys.anonymity import answered_keys
from surveys.export import wave_table
from surveys.models import Invitation, Response, Wave
from tests.surveys.builders import invite, make_wave, submitted_response

pytestmark = pytest.mark.django_db


def test_a_test_link_answers_a_wave_that_has_not_opened_yet(tmp_path):
    wave = make_wave(tmp_path, opens_in_days=7, closes_in_days=30)

    response = submitted_response(wave, services.create_test_invitation(wave))

    assert response.status == Response.Status.COMPLETED and response.is_test
    with pytest.raises(services.WaveClosed):
        services.open_response(wave, services.participant_for_invitation(services.find_invitation(invite(wave))))


def test_test_responses_are_left_out_of_every_query_and_of_the_export(tmp_path):
    wave = make_wave(tmp_path)
    submitted_response(wave, role="physician")
    submitted_response(wave, services.create_test_invitation(wave), role="nurse")
    submitted_response(wave, services.create_test_invitation(wave), role="nurse")

    table, _codebook = wave_table(wave)

    assert Response.all_objects.filter(wave=wave).count() == 3
    assert Response.objects.filter(wave=wave).count() == 1 and wave.responses.count() == 1
    assert len(table) == 1 and list(table["role"]) == [1]  # physician is option 1; the tests answered nurse


def test_a_test_response_uses_up_no_invitation_and_marks_no_one_as_answered(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.ANONYMOUS)
    real = services.find_invitation(invite(wave))

    submitted_response(wave, services.create_test_invitation(wave))

    real.refresh_from_db()
    assert real.used_at is None and not real.has_answered
    assert answered_keys(wave) == []
    test_response = Response.all_objects.get(wave=wave)
    assert test_response.pseudonym == "" and test_response.wave_pseudonym == ""
    assert Invitation.objects.filter(wave=wave, is_test=True).count() == 1
