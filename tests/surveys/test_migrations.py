"""Responses stored before the privacy changes are brought in line by migrations 0003-0005."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from surveys.anonymity import answered_key
from surveys.pseudonyms import wave_linkage_pseudonym

BEFORE = [("surveys", "0002_invitation_has_answered")]
AFTER = [("surveys", "0005_pseudonym_constraints")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Each test leaves the schema where it found it: at the latest migrations, which the flush after it expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_responses_lose_unconsented_usage_pseudonyms_and_anonymous_links():
    apps = migrate(BEFORE)
    Instrument, Version = apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "InstrumentVersion")
    Wave, Invitation = apps.get_model("surveys", "Wave"), apps.get_model("surveys", "Invitation")
    Response = apps.get_model("surveys", "Response")
    version = Version.objects.create(instrument=Instrument.objects.create(code="old", title="Old"), number=1,
                                     definition={}, resolved={}, checksum="c")
    now = timezone.now()
    waves = {mode: Wave.objects.create(slug=mode, title=mode, instrument_version=version, opens_at=now,
                                       closes_at=now + timedelta(days=1), privacy_mode=mode)
             for mode in ("anonymous", "pseudonymous")}
    link = Invitation.objects.create(wave=waves["anonymous"], token_hash="a" * 64, used_at=now)
    common = {"instrument_version": version, "status": "completed", "completed_at": now}
    Response.objects.create(wave=waves["anonymous"], participant_key="k-link", invitation=link, **common)
    Response.objects.create(wave=waves["anonymous"], participant_key="k-sso", **common)
    Response.objects.create(wave=waves["pseudonymous"], participant_key="k-yes", pseudonym="p" * 64,
                            linkage_consent=True, **common)
    Response.objects.create(wave=waves["pseudonymous"], participant_key="k-no", pseudonym="q" * 64, **common)

    apps = migrate(AFTER)
    Response, Invitation = apps.get_model("surveys", "Response"), apps.get_model("surveys", "Invitation")
    AnsweredAccount = apps.get_model("surveys", "AnsweredAccount")

    anonymous = Response.objects.filter(wave__slug="anonymous")
    assert anonymous.filter(invitation__isnull=False).count() == 0
    assert not anonymous.filter(participant_key__in=["k-link", "k-sso"]).exists()
    assert anonymous.filter(via_invitation=True).count() == 1
    invitation = Invitation.objects.get()
    assert invitation.has_answered and invitation.used_at is None
    assert AnsweredAccount.objects.filter(key=answered_key("k-sso")).exists()
    consenting, refusing = Response.objects.get(participant_key="k-yes"), Response.objects.get(participant_key="k-no")
    assert (consenting.pseudonym, consenting.wave_pseudonym) == ("p" * 64, wave_linkage_pseudonym("p" * 64))
    assert (refusing.pseudonym, refusing.wave_pseudonym) == ("", wave_linkage_pseudonym("q" * 64))


@pytest.mark.django_db(transaction=True)
def test_answered_accounts_kept_in_finishing_order_become_one_sorted_row_per_wave():
    apps = migrate(AFTER)
    Instrument, Version = apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "InstrumentVersion")
    Wave, AnsweredAccount = apps.get_model("surveys", "Wave"), apps.get_model("surveys", "AnsweredAccount")
    version = Version.objects.create(instrument=Instrument.objects.create(code="old", title="Old"), number=1,
                                     definition={}, resolved={}, checksum="c")
    now = timezone.now()
    wave = Wave.objects.create(slug="anonymous", title="anonymous", instrument_version=version, opens_at=now,
                               closes_at=now + timedelta(days=1), privacy_mode="anonymous")
    for key in ("c" * 64, "a" * 64, "b" * 64):  # rowids in the order they finished
        AnsweredAccount.objects.create(key=key, wave=wave)

    apps = migrate([("surveys", "0006_answered_set_rewritten_in_place")])

    [answered] = apps.get_model("surveys", "AnsweredSet").objects.all()
    assert (answered.wave_id, answered.keys) == (wave.pk, "\n".join(("a" * 64, "b" * 64, "c" * 64)))
