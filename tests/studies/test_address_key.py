"""The key that encrypts participant addresses lives outside the database and must exist in production."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from studies.addresses import AddressKeyMismatch, decrypt_address, encrypt_address, mask_address
from studies.models import Participant, ParticipantFrame
from studies.participant_lists import Person, add_participants
from studies.tasks import purge_wave_addresses
from tests.surveys.builders import make_wave


def test_an_address_encrypted_under_another_key_is_reported_not_garbled(settings, tmp_path):
    encrypted = encrypt_address("anna.schmidt@klinikum.example")
    settings.DEBUG = True
    settings.UPTAKE_ADDRESS_KEY_FILE = tmp_path / "new.key"  # created on first use in development

    with pytest.raises(AddressKeyMismatch, match="new.key; was the key file replaced"):
        decrypt_address(encrypted)


@pytest.mark.parametrize("address, masked", [
    ("anna.schmidt@klinikum.example", "a***@k***.example"),
    ("B@host", "b***@h***"),
    ("x@mail.uni-klinik.de", "x***@m***.de"),
])
def test_addresses_are_shown_masked(address, masked):
    assert mask_address(address) == masked


@pytest.mark.django_db
def test_the_deletion_task_waits_for_an_extended_wave_and_then_leaves_the_counts(tmp_path):
    wave = make_wave(tmp_path)
    add_participants(wave, [Person(where="line 2", email="anna.schmidt@klinikum.example", language="de")], "list.csv")

    purge_wave_addresses.call(wave.pk)  # the wave is still open (extended): come back at its closing time

    assert Participant.objects.count() == 1
    assert DBTaskResult.objects.get(task_path__endswith="purge_wave_addresses").run_after == wave.closes_at
    wave.opens_at, wave.closes_at = timezone.now() - timedelta(days=10), timezone.now() - timedelta(seconds=1)
    wave.save()
    purge_wave_addresses.call(wave.pk)
    assert Participant.objects.count() == 0
    assert ParticipantFrame.objects.get(wave=wave).listed == 1
