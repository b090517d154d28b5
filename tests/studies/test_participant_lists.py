"""A participant list is imported whole or not at all, and its addresses are never stored readable."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from studies.models import Participant
from studies.participant_lists import ParticipantListError, add_participants, read_participant_csv, read_webui_accounts
from surveys.models import Invitation, Wave
from tests.studies.mail_builders import participant_csv
from tests.surveys.builders import make_wave

pytestmark = pytest.mark.django_db

WEBUI_DB = Path("/work/shared/samples/platform_logs/webui.db")


def write_list(tmp_path, rows, header="email,language,role"):
    path = tmp_path / "participants.csv"
    path.write_text(participant_csv(rows, header), encoding="utf-8")
    return path


def test_a_list_with_a_broken_row_imports_nothing_and_names_the_line(tmp_path, smtp_server):
    wave = make_wave(tmp_path)
    path = write_list(tmp_path, [
        ("anna.schmidt@klinikum.example", "de", "physician"),
        ("ben.meyer@klinikum", "en", "nurse"),  # line 3: no top-level domain
        ("carla.vogel@klinikum.example", "de", "nurse"),
    ])

    with pytest.raises(CommandError) as raised:
        call_command("send_invitations", wave.slug, "--participants", str(path))

    assert "line 3" in str(raised.value)
    assert "'ben.meyer@klinikum' is not a valid e-mail address" in str(raised.value)
    assert "nothing imported" in str(raised.value)
    assert Participant.objects.count() == 0
    assert Invitation.objects.count() == 0
    assert smtp_server.messages == []


def test_every_bad_line_is_named_with_what_is_wrong_in_line_order(tmp_path):
    path = write_list(tmp_path, [
        ("anna.schmidt@klinikum.example", "de", "physician"),
        ("Anna.Schmidt@Klinikum.example ", "en", "physician"),
        ("ben.meyer@klinikum.example", "fr", "nurse"),
        ("carla.vogel@klinikum.example", "de"),
    ])

    with pytest.raises(ParticipantListError) as raised, path.open(encoding="utf-8") as stream:
        read_participant_csv(stream, "participants.csv")

    assert raised.value.problems == [
        "line 3: duplicate of line 2",
        "line 4: unknown language 'fr'; expected one of de, en",
        "line 5: expected 3 columns, got 2",
    ]


def test_a_list_without_the_email_and_language_columns_is_refused_at_line_1(tmp_path):
    path = write_list(tmp_path, [("anna.schmidt@klinikum.example", "de")], header="mail,lang")

    with pytest.raises(ParticipantListError, match="line 1: expected the columns email,language first, got mail,lang"):
        with path.open(encoding="utf-8") as stream:
            read_participant_csv(stream, "participants.csv")


def test_addresses_already_on_the_wave_list_are_refused_by_line(tmp_path):
    wave = make_wave(tmp_path)
    first = write_list(tmp_path, [("anna.schmidt@klinikum.example", "de", "physician")])
    with first.open(encoding="utf-8") as stream:
        add_participants(wave, read_participant_csv(stream, "first.csv"), "first.csv")
    second = write_list(tmp_path, [("ben.meyer@klinikum.example", "de", "nurse"),
                                   ("ANNA.SCHMIDT@klinikum.example", "en", "nurse")])

    with pytest.raises(ParticipantListError, match="line 3: already on the participant list of this wave"):
        with second.open(encoding="utf-8") as stream:
            add_participants(wave, read_participant_csv(stream, "second.csv"), "second.csv")

    assert Participant.objects.count() == 1


def test_addresses_are_stored_encrypted_with_their_attributes_and_one_invitation_each(tmp_path):
    wave = make_wave(tmp_path)
    path = write_list(tmp_path, [("anna.schmidt@klinikum.example", "de", "physician"),
                                 ("ben.meyer@klinikum.example", "en", "nurse")])
    with path.open(encoding="utf-8") as stream:
        add_participants(wave, read_participant_csv(stream, "participants.csv"), "participants.csv")

    stored = list(Participant.objects.order_by("pk").values("encrypted_address", "address_hash", "language", "attributes"))
    assert [row["language"] for row in stored] == ["de", "en"]
    assert [row["attributes"] for row in stored] == [{"role": "physician"}, {"role": "nurse"}]
    for row in stored:
        assert "klinikum" not in row["encrypted_address"] and "klinikum" not in row["address_hash"]
    assert Invitation.objects.filter(wave=wave, participant__isnull=False).count() == 2


def test_a_pseudonymous_wave_linked_by_email_gives_each_invitation_the_address_pseudonym(tmp_path, settings):
    from surveys.pseudonyms import pseudonymize

    settings.UPTAKE_PSEUDONYM_IDENTIFIER = "email"
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    path = write_list(tmp_path, [("Anna.Schmidt@klinikum.example", "de", "physician")])
    with path.open(encoding="utf-8") as stream:
        add_participants(wave, read_participant_csv(stream, "participants.csv"), "participants.csv")

    assert Invitation.objects.get(wave=wave).pseudonym == pseudonymize("anna.schmidt@klinikum.example", kind="email")


def test_the_frame_from_open_webui_is_every_active_account_and_no_name(tmp_path):
    database = tmp_path / "webui.db"
    shutil.copy(WEBUI_DB, database)
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO user (id, name, email, role, profile_image_url, created_at, updated_at, last_active_at) "
            "VALUES ('pending-1', 'Waiting Person', 'waiting@example.org', 'pending', '', 1, 1, 1)"
        )

    people = read_webui_accounts(database)

    # The sample holds six active accounts, person0 … person5 (shared/samples/platform_logs/README.md).
    assert sorted(person.email for person in people) == [f"person{n}@example.org" for n in range(6)]
    person0 = next(person for person in people if person.email == "person0@example.org")
    assert person0.subject == "6513270e-269e-4d37-b2a7-4de452e6b438"
    assert all(person.attributes == {} for person in people)
