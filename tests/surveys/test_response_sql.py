"""The respondent hot path's SQL (surveys.response_sql) must give what the ORM gives: the same field
values with the same Python types (aware datetimes and booleans on SQLite too), and answers that
the ORM reads back as written."""

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from surveys import response_sql
from surveys.models import Answer, InstrumentVersion, Invitation, PageVisit, Response, Wave
from tests.surveys.builders import invite, make_wave, post_page, start


def field_values(instance, loaded):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
            if field.attname in loaded}


def assert_same_row(read, model):
    """Every field the SQL loaded equals, and has the type of, what the ORM loads."""
    loaded = {field.attname for field in model._meta.concrete_fields} - read.get_deferred_fields()
    ours, orms = field_values(read, loaded), field_values(model.objects.get(pk=read.pk), loaded)
    assert ours == orms
    assert {name: type(value) for name, value in ours.items()} == {name: type(value) for name, value in orms.items()}


@pytest.fixture
def started(tmp_path):
    wave = make_wave(tmp_path, privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)
    browser = Client()
    start(browser, wave, invite(wave))
    post_page(browser, wave, "about", {"role": "physician"})
    return wave, Invitation.objects.get(wave=wave)


@pytest.mark.django_db
def test_the_invited_response_is_read_with_its_wave_invitation_and_version_as_the_orm_reads_them(started):
    wave, invitation = started
    with transaction.atomic():
        response = response_sql.invited_response(invitation.pk, wave.slug)

    assert_same_row(response, Response)
    assert_same_row(response.wave, Wave)
    assert_same_row(response.invitation, Invitation)
    assert response.invitation.wave is response.wave
    assert response.instrument_version.get_deferred_fields() == set(InstrumentVersion.LARGE_FIELDS)
    assert_same_row(response.instrument_version, InstrumentVersion)
    assert response.status == Response.Status.IN_PROGRESS and response.wave.is_open()
    assert response.instrument_version.spec.page("about") is not None


@pytest.mark.django_db
def test_an_invitation_to_another_wave_finds_no_response(started, tmp_path):
    wave, invitation = started
    other = make_wave(tmp_path, slug="wave-2")
    with transaction.atomic():
        assert response_sql.invited_response(invitation.pk, other.slug) is None
        assert response_sql.invited_response(invitation.pk + 1, wave.slug) is None


@pytest.mark.django_db
def test_a_page_saved_reads_back_through_the_orm_and_the_sql_alike(started):
    wave, invitation = started
    PageVisit.objects.create(response=Response.objects.get(invitation=invitation), page="data", entered_at=timezone.now())
    written = {"role": ("other", "Hebamme"), "data_kinds": (["public", "patient"], ""), "hours": (12, ""),
               "satisfaction": ("na", ""), "wishes": ("Umlaute äöü, \"quotes\" and\nnewlines", "")}
    with transaction.atomic():
        response = response_sql.invited_response(invitation.pk, wave.slug)
        before = response.updated_at
        response.current_page, response.last_page, response.language = "rating", "rating", "en"
        response_sql.save_page(response, "data", written, [], timezone.now())
        # The same items again: overwritten, no second row; a cleared item is deleted.
        response_sql.save_page(response, "rating", {"hours": (40, "")}, ["wishes"], timezone.now())

    expected = {**written, "hours": (40, "")}
    del expected["wishes"]
    assert {a.item: (a.value, a.other_text) for a in Answer.objects.filter(response=response)} == expected
    assert {item: (value, other) for item, value, other in response_sql.answers(response.pk)} == expected
    assert_same_row(response, Response)
    assert response.updated_at > before
    visit = PageVisit.objects.get(response=response, page="data")
    assert visit.left_at is not None and visit.left_at >= visit.entered_at


@pytest.mark.django_db
def test_entering_a_page_closes_the_open_visit_opens_one_and_a_reload_adds_nothing(started):
    wave, invitation = started
    visits = lambda: [(v.page, v.left_at is None) for v in PageVisit.objects.filter(response__invitation=invitation)]
    with transaction.atomic():
        response = response_sql.invited_response(invitation.pk, wave.slug)
        assert response.current_page == "data"
        opened = response_sql.enter_page(response, "data", timezone.now(), move=False)
        reloaded = response_sql.enter_page(response, "data", timezone.now(), move=False)
        back = response_sql.enter_page(response, "about", timezone.now(), move=True)

    assert (opened, reloaded, back) == (True, False, True)
    # "data" opened once and left when the respondent went back to "about"
    assert visits() == [("data", False), ("about", True)]
    assert response.current_page == "about"
    assert_same_row(response, Response)
    left = PageVisit.objects.get(response=response, page="data")
    assert left.left_at >= left.entered_at
