"""Copying a study or a wave: the design comes along (questionnaire, wave settings, mail texts), nothing answered or sent does."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from coding.services import draw_sample
from studies.models import AuditEntry, MailTemplate, Membership, Participant, Study
from studies.participant_lists import Person, add_participants
from studies.questionnaires import save_edited
from surveys.instrument_files import dump_yaml
from surveys.models import Invitation, Response, Wave
from tests.coding.builders import wishes_codebook
from tests.studies.builders import small_study_with_members
from tests.surveys.builders import submitted_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tmp_path):
    cast = small_study_with_members(tmp_path)
    cast.owner.user_permissions.add(Permission.objects.get(codename="add_study"))
    Wave.objects.filter(pk=cast.wave.pk).update(access=Wave.Access.SIGN_IN, required_group="ward-staff")
    cast.wave.refresh_from_db()
    MailTemplate.objects.create(wave=cast.wave, kind="invitation", language="de", subject="Ihre Meinung",
                                body="Bitte nehmen Sie teil: {link}")
    submitted_response(cast.wave, wishes="Mehr Modelle")
    add_participants(cast.wave, [Person(where="line 2", email="a.person@example.org", language="de")], "list.csv")
    return cast


def test_a_copied_study_has_the_current_questionnaire_and_the_wave_settings_but_no_data(client, cast):
    first_version = cast.wave.instrument_version
    edited = dump_yaml(first_version.definition).replace("Kleine Umfrage", "Kleine Umfrage, zweite Fassung")
    current = save_edited(cast.study, edited).version  # version 2: the first one has a response
    draw_sample(cast.wave, wishes_codebook(), size=1, seed=1)
    client.force_login(cast.owner)

    reply = client.post(reverse("studies:study_copy", args=[cast.study.slug]), {"title": "Small study 2027"})

    copy = Study.objects.get(title="Small study 2027")
    assert reply["Location"] == reverse("studies:study", args=[copy.slug]) and copy.slug == "small-study-2027"
    assert copy.instrument != cast.study.instrument and copy.instrument.code == "small_2"
    assert [version.number for version in copy.instrument.versions.all()] == [1]
    copied_version = copy.instrument.versions.get()
    assert copied_version.definition == {**current.definition, "code": "small_2"}
    assert copied_version.spec.title.de == "Kleine Umfrage, zweite Fassung"
    wave = copy.waves().get()
    assert (wave.title, wave.privacy_mode, wave.access, wave.required_group) == (
        cast.wave.title, cast.wave.privacy_mode, Wave.Access.SIGN_IN, "ward-staff")
    assert wave.slug == "small-wave-2" and wave.instrument_version == copied_version
    assert wave.opens_at > timezone.now() and wave.closes_at - wave.opens_at == cast.wave.closes_at - cast.wave.opens_at
    assert list(wave.mail_templates.values_list("subject", "body")) == [("Ihre Meinung", "Bitte nehmen Sie teil: {link}")]
    # what is not copied
    assert Response.all_objects.filter(wave=wave).count() == 0 and Invitation.objects.filter(wave=wave).count() == 0
    assert Participant.objects.filter(wave=wave).count() == 0 and wave.coding_samples.count() == 0
    assert list(copy.memberships.values_list("user__username", "role")) == [("owner-user", Membership.Role.OWNER)]
    assert [entry.action for entry in copy.audit_entries.all()] == [AuditEntry.Action.COPY]
    source_entry = cast.study.audit_entries.get(action=AuditEntry.Action.COPY)
    assert source_entry.actor == cast.owner and source_entry.detail == f"copied to {copy.slug}"
    # the source is untouched
    assert cast.study.waves().count() == 1 and Participant.objects.filter(wave=cast.wave).count() == 1


def test_a_copy_title_in_use_gets_the_next_free_address(client, cast):
    client.force_login(cast.owner)
    for _ in range(2):
        client.post(reverse("studies:study_copy", args=[cast.study.slug]), {"title": "Small study"})

    assert sorted(Study.objects.filter(title="Small study").values_list("slug", flat=True)) == [
        "small-study", "small-study-2", "small-study-3"]
    assert sorted(Wave.objects.values_list("slug", flat=True)) == ["small-wave", "small-wave-2", "small-wave-3"]


def test_only_an_owner_who_may_create_studies_copies_a_study(client, cast):
    url = reverse("studies:study_copy", args=[cast.study.slug])
    cast.analyst.user_permissions.add(Permission.objects.get(codename="add_study"))
    for who, status in (("analyst", 403), ("viewer", 403), ("respondent", 404), ("other_researcher", 404)):
        client.force_login(getattr(cast, who))
        assert client.post(url, {"title": "Stolen"}).status_code == status, who
    cast.owner.user_permissions.clear()
    client.force_login(cast.owner)
    assert client.post(url, {"title": "Stolen"}).status_code == 403
    assert not Study.objects.filter(title="Stolen").exists()


def test_the_study_page_offers_the_copy_named_in_german(client, cast):
    client.force_login(cast.owner)

    page = client.get(reverse("studies:study", args=[cast.study.slug]), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert 'value="Kopie von Small study"' in page and "Studie kopieren" in page


def test_a_copied_wave_keeps_version_and_settings_with_dates_left_to_set(client, cast):
    url = reverse("studies:wave_copy", args=[cast.study.slug, cast.wave.slug])
    client.force_login(cast.owner)

    form = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    opens = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    closes = (timezone.localtime() + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M")
    reply = client.post(url, {"title": "Welle 2", "slug": "small-wave-kopie", "privacy_mode": cast.wave.privacy_mode,
                              "instrument_version": cast.wave.instrument_version_id, "opens_at": opens, "closes_at": closes})

    assert 'value="Kopie von Wave small-wave"' in form and 'value="small-wave-kopie"' in form
    assert 'name="opens_at" value=' not in form and 'name="closes_at" value=' not in form  # dates to set
    wave = Wave.objects.get(slug="small-wave-kopie")
    assert reply["Location"] == reverse("studies:dashboard", args=[cast.study.slug, wave.slug])
    assert (wave.instrument_version, wave.access, wave.required_group) == (
        cast.wave.instrument_version, Wave.Access.SIGN_IN, "ward-staff")
    assert wave.opens_at > timezone.now()  # scheduled, not open
    assert wave.mail_templates.count() == 1
    assert Response.all_objects.filter(wave=wave).count() == 0 and Invitation.objects.filter(wave=wave).count() == 0
    assert Participant.objects.filter(wave=wave).count() == 0
    entry = cast.study.audit_entries.get(action=AuditEntry.Action.COPY)
    assert entry.target == f"wave {cast.wave.slug}" and entry.detail == "copied to wave small-wave-kopie"


def test_only_owners_copy_a_wave(client, cast):
    url = reverse("studies:wave_copy", args=[cast.study.slug, cast.wave.slug])
    for who, status in (("analyst", 403), ("viewer", 403), ("respondent", 404), ("other_researcher", 404)):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == status, who


def test_the_dates_of_a_copied_wave_can_be_set_before_it_opens(client, cast):
    client.force_login(cast.owner)
    client.post(reverse("studies:study_copy", args=[cast.study.slug]), {"title": "Small study 2027"})
    copy = Study.objects.get(title="Small study 2027")
    wave = copy.waves().get()
    url = reverse("studies:wave_extend", args=[copy.slug, wave.slug])
    day = lambda days: (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731

    assert 'name="opens_at"' in client.get(url).content.decode()
    refused = client.post(url, {"opens_at": day(-1), "closes_at": day(20)})
    client.post(url, {"opens_at": day(10), "closes_at": day(20)})

    assert refused.status_code == 400
    wave.refresh_from_db()
    assert (wave.closes_at - wave.opens_at) == timedelta(days=10) and wave.opens_at > timezone.now() + timedelta(days=9)
    # an open wave's page offers only a new closing date
    open_wave_page = client.get(reverse("studies:wave_extend", args=[cast.study.slug, cast.wave.slug]))
    assert 'name="opens_at"' not in open_wave_page.content.decode()
