"""A shared cast: one study with the demo questionnaire and a wave, its members by role, and outsiders."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from studies.models import Membership, Study
from surveys import services
from surveys.demo import DEMO_INSTRUMENT
from surveys.models import Answer, Response, Wave
from tests.surveys.builders import make_instrument_version

PASSWORD = "workspace-test-pw"


def make_user(username: str, can_create_studies: bool = False):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    if can_create_studies:
        user.user_permissions.add(Permission.objects.get(codename="add_study"))
    return user


def make_wave(version, slug: str = "wave-1", days_open: int = 30) -> Wave:
    now = timezone.now()
    return Wave.objects.create(slug=slug, title=f"Wave {slug}", instrument_version=version,
                               opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=days_open),
                               privacy_mode=Wave.PrivacyMode.PSEUDONYMOUS)


@dataclass
class Cast:
    study: Study
    wave: Wave
    owner: object
    analyst: object
    viewer: object
    other_researcher: object  # owner of another study
    respondent: object  # logged in, member of no study


def study_with_members() -> Cast:
    return _cast_around(services.import_instrument(DEMO_INSTRUMENT).version, "ai-study", "AI study", "wave-1")


def small_study_with_members(tmp_path) -> Cast:
    """The same cast around the four-page questionnaire of tests/surveys/builders.py, quick to answer in a test."""
    return _cast_around(make_instrument_version(tmp_path), "small-study", "Small study", "small-wave")


def _cast_around(version, slug: str, title: str, wave_slug: str) -> Cast:
    study = Study.objects.create(slug=slug, title=title, instrument=version.instrument)
    wave = make_wave(version, slug=wave_slug)
    people = {role: make_user(f"{role}-user") for role in ("owner", "analyst", "viewer")}
    for role, user in people.items():
        Membership.objects.create(study=study, user=user, role=role)
    other = Study.objects.create(slug="other-study", title="Other study")
    other_researcher = make_user("other-researcher", can_create_studies=True)
    Membership.objects.create(study=other, user=other_researcher, role=Membership.Role.OWNER)
    return Cast(study, wave, people["owner"], people["analyst"], people["viewer"], other_researcher, make_user("respondent"))


def results_study(version) -> Cast:
    """The shared cast around a wave of `version` (a small questionnaire built by the test)."""
    cast = study_with_members()
    cast.study.instrument = version.instrument
    cast.study.save(update_fields=["instrument"])
    cast.wave.instrument_version = version
    cast.wave.save(update_fields=["instrument_version"])
    return cast


def add_response(wave, answers: dict, status=Response.Status.COMPLETED, language="de", device="desktop",
                 started_at=None, last_page="", other_text: str = "", is_test: bool = False) -> Response:
    """A response with stored answers (code -> value), as the survey pages would have left it."""
    started_at = started_at or timezone.now() - timedelta(hours=1)
    response = Response.objects.create(
        wave=wave, instrument_version=wave.instrument_version, participant_key=uuid.uuid4().hex, status=status,
        language=language, device=device, started_at=started_at, last_page=last_page, is_test=is_test,
        completed_at=started_at + timedelta(minutes=10) if status == Response.Status.COMPLETED else None)
    Answer.objects.bulk_create([Answer(response=response, item=code, value=value,
                                       other_text=other_text if value == "other" else "") for code, value in answers.items()])
    return response
