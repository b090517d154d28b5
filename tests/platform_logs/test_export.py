"""The wave export with usage: consenting respondents' rows carry the usage imported from the logs, nobody else's.

`linked_wave` (conftest.py) has three respondents and a small generated log; expected values are
counted by hand from it.
"""

import csv
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from platform_logs.models import UsageEvent
from surveys.models import Invitation, Response
from tests.surveys.builders import make_wave

pytestmark = pytest.mark.django_db

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def export(wave, out, *options):
    call_command("export_wave", wave.slug, "--out", str(out), *options)
    rows = read_csv(out / f"{wave.slug}_responses.csv")
    return {("physician" if row["role"] == "1" else "nurse") + ("+" if row["linkage_consent"] == "1" else ""): row
            for row in rows}


def test_a_consenting_respondents_row_carries_the_usage_from_the_logs(linked_wave, tmp_path):
    rows = export(linked_wave, tmp_path)

    alice = rows["physician+"]
    assert alice["usage_messages"] == "2"  # the May prompt is before the window
    assert (alice["usage_replies"], alice["usage_chats"], alice["usage_models"]) == ("2", "2", "2")
    assert (alice["usage_tokens_in"], alice["usage_tokens_out"]) == ("150000", "550000")
    assert alice["usage_active_days"] == "2"  # 1 and 20 August
    assert (alice["usage_ratings"], alice["usage_rating_mean"], alice["usage_score_mean"]) == ("1", "1.0", "8.0")
    assert (alice["usage_share_web_search"], alice["usage_share_chat"]) == ("0.5", "0.5")
    assert alice["usage_tenure_days"] == "123"  # 1 May to 1 September


def test_a_non_consenting_respondents_row_has_empty_usage_cells(linked_wave, tmp_path):
    bob = export(linked_wave, tmp_path)["nurse"]

    usage = {name: value for name, value in bob.items() if name.startswith("usage_")}
    assert usage and set(usage.values()) == {""}


def test_a_consenting_respondent_without_usage_has_zero_counts(linked_wave, tmp_path):
    erin = export(linked_wave, tmp_path)["nurse+"]

    assert (erin["usage_messages"], erin["usage_tokens_out"], erin["usage_active_days"]) == ("0", "0", "0")
    assert erin["usage_share_chat"] == erin["usage_tenure_days"] == ""


def test_the_pseudonym_leaves_only_when_asked(linked_wave, tmp_path):
    without = export(linked_wave, tmp_path / "default")
    kept = export(linked_wave, tmp_path / "kept", "--keep-pseudonym")

    assert "pseudonym" not in without["physician+"]
    assert "pseudonym" not in {row["variable"] for row in read_csv(tmp_path / "default" / "autumn_codebook.csv")}
    assert len(kept["physician+"]["pseudonym"]) == 64


def test_the_codebook_describes_every_usage_column_with_its_unit(linked_wave, tmp_path):
    export(linked_wave, tmp_path)

    codebook = {row["variable"]: row for row in read_csv(tmp_path / "autumn_codebook.csv")}
    usage = {name: row for name, row in codebook.items() if name.startswith("usage_")}
    assert {row["source"] for row in usage.values()} == {"usage"}
    assert {row["type"] for row in usage.values()} == {"number"}
    assert usage["usage_tokens_out"]["label_en"] == "Output tokens of replies (tokens)"
    assert usage["usage_tokens_out"]["label_de"] == "Ausgabe-Tokens der Antworten (Tokens)"
    assert usage["usage_share_web_search"]["max"] == "1"
    header = next(csv.reader(open(tmp_path / "autumn_responses.csv", encoding="utf-8")))
    assert [name for name in header if name.startswith("usage_")] == list(usage)


def test_the_population_file_is_written_only_when_asked(linked_wave, tmp_path):
    export(linked_wave, tmp_path / "default")
    export(linked_wave, tmp_path / "asked", "--with-population")

    assert not (tmp_path / "default" / "autumn_population.csv").exists()
    population = read_csv(tmp_path / "asked" / "autumn_population.csv")
    assert "pseudonym" not in population[0]
    # alice responded with consent; bob responded without it, so he counts as not responded
    # (README, "Privacy decisions"); dave did not respond; erin and carl were not active.
    assert sorted((row["responded"], row["usage_messages"], row["usage_tokens_out"]) for row in population) == [
        ("0", "1", "0"), ("0", "1", "20000"), ("1", "2", "550000")]


def test_the_linkage_summary_counts_linked_unlinked_and_silent_users(linked_wave, tmp_path, capsys):
    export(linked_wave, tmp_path)

    summary = json.loads((tmp_path / "autumn_linkage.json").read_text(encoding="utf-8"))
    assert summary["consenting_respondents"] == 2  # alice, erin
    assert summary["respondents_linked"] == 1  # alice
    assert summary["consenting_without_usage"] == 1  # erin
    assert summary["platform_users"] == 3  # alice, bob, dave
    assert summary["platform_users_not_linked"] == 2  # bob (no linkage consent), dave
    assert "1 respondents linked, 1 consenting respondents without usage" in capsys.readouterr().out


def test_an_anonymous_wave_gets_empty_usage_columns_and_no_population(tmp_path):
    wave = make_wave(tmp_path, slug="open")
    Response.objects.create(wave=wave, instrument_version=wave.instrument_version, participant_key="p",
                            pseudonym="x" * 64, linkage_consent=True, status=Response.Status.COMPLETED,
                            completed_at=datetime.now(UTC))

    call_command("export_wave", wave.slug, "--out", str(tmp_path))

    assert [row["usage_messages"] for row in read_csv(tmp_path / "open_responses.csv")] == [""]
    with pytest.raises(CommandError, match="population file needs a pseudonymous wave"):
        call_command("export_wave", wave.slug, "--out", str(tmp_path), "--with-population")


def test_the_sav_export_carries_the_usage_columns(linked_wave, tmp_path):
    import pyreadstat

    call_command("export_wave", linked_wave.slug, "--out", str(tmp_path), "--format", "sav")

    table, meta = pyreadstat.read_sav(str(tmp_path / "autumn_responses.sav"))
    assert sorted(table["usage_tokens_out"].dropna()) == [0, 550000]
    assert meta.column_names_to_labels["usage_tokens_out"] == "Output tokens of replies (tokens)"


def test_a_respondent_who_refused_linkage_keeps_nothing_a_join_could_match_to_usage(linked_wave):
    usage_pseudonyms = set(UsageEvent.objects.exclude(pseudonym="").values_list("pseudonym", flat=True))
    bob = Response.objects.get(linkage_consent=False)
    alice_and_erin = Response.objects.filter(linkage_consent=True)

    stored_for_bob = {str(value) for value in Response.objects.filter(pk=bob.pk).values().get().values()}
    stored_on_invitations = {str(value) for row in Invitation.objects.values() for value in row.values()}

    assert bob.pseudonym == "" and bob.wave_pseudonym != ""
    assert stored_for_bob.isdisjoint(usage_pseudonyms)
    assert stored_on_invitations.isdisjoint(usage_pseudonyms)
    assert {response.pseudonym for response in alice_and_erin} & usage_pseudonyms  # alice's usage still links


def test_the_kept_pseudonym_links_waves_but_nobody_to_usage(linked_wave, tmp_path):
    rows = export(linked_wave, tmp_path, "--keep-pseudonym")
    usage_pseudonyms = set(UsageEvent.objects.exclude(pseudonym="").values_list("pseudonym", flat=True))

    kept = {row["pseudonym"] for row in rows.values()}

    assert kept == set(Response.objects.values_list("wave_pseudonym", flat=True)) and "" not in kept
    assert kept.isdisjoint(usage_pseudonyms)
