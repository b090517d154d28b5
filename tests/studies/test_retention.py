"""When the wave closes the retention job deletes the participant list; only counts remain."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone

from studies.mailing import sampling_frame_counts
from studies.models import Participant
from surveys.export import export_wave
from tests.studies.mail_builders import complete, send_invitations
from tests.surveys.builders import make_wave

pytestmark = pytest.mark.django_db

ADDRESSES = ["anna.schmidt@klinikum.example", "ben.meyer@klinikum.example", "carla.vogel@klinikum.example"]
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.EmailField, models.SlugField)


def rows_mentioning(needles: list[str]) -> list[str]:
    """Every text or JSON column of every table, searched for each needle (case-insensitive)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [field.attname for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)]
        for row in model._default_manager.values_list(*columns) if columns else []:
            text = " ".join(str(value) for value in row).lower()
            found += [f"{model._meta.db_table}: {needle}" for needle in needles if needle in text]
    return found


def test_after_the_wave_closes_no_address_remains_anywhere_and_the_counts_do(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ADDRESSES[0], "de", "physician"), (ADDRESSES[1], "en", "nurse"),
                                      (ADDRESSES[2], "de", "pharmacist")])
    complete(wave, smtp_server.to(ADDRESSES[0])[0].token)
    Client().post(f"/studies/opt-out/{smtp_server.to(ADDRESSES[1])[0].opt_out_token}/")
    before = sampling_frame_counts(wave)
    local_parts = [address.split("@")[0] for address in ADDRESSES]
    assert rows_mentioning(["pharmacist"]) == ["studies_participant: pharmacist"]  # the scan sees the list

    wave.closes_at = timezone.now() - timedelta(minutes=1)
    wave.opens_at = wave.closes_at - timedelta(days=30)
    wave.save()
    call_command("purge_closed_wave_addresses", stdout=StringIO())

    assert Participant.objects.count() == 0
    assert rows_mentioning(ADDRESSES + local_parts + ["pharmacist"]) == []
    assert sampling_frame_counts(wave) == before
    assert (before["listed"], before["invited"], before["completed"], before["opted_out"]) == (3, 3, 1, 1)


def test_the_export_of_answers_holds_no_address_and_no_attribute_of_the_list(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ADDRESSES[0], "de", "pharmacist"), (ADDRESSES[1], "en", "pharmacist")])
    complete(wave, smtp_server.to(ADDRESSES[0])[0].token)

    for fmt in ("csv", "sav"):
        exported = export_wave(wave, tmp_path / fmt, fmt)
        content = b"".join(path.read_bytes() for path in exported.paths).lower()
        assert exported.rows == 1  # Anna's answers are there …
        for needle in ADDRESSES + ["anna.schmidt", "ben.meyer", "pharmacist", "klinikum.example"]:
            assert needle.encode() not in content, (fmt, needle)  # … the list is not


def test_the_retention_job_leaves_open_waves_alone(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    send_invitations(tmp_path, wave, [(ADDRESSES[0], "de", "physician")])

    call_command("purge_closed_wave_addresses", stdout=StringIO())

    assert Participant.objects.filter(wave=wave).count() == 1
