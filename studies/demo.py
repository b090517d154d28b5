"""The demo study: the demo wave's instrument, owned by the demo account `researcher`."""

from django.contrib.auth import get_user_model
from django.db import transaction

from studies.models import Membership, Study
from surveys.demo import DEMO_WAVE
from surveys.models import Wave


@transaction.atomic
def load_demo_study() -> Study:
    """Create (or leave as it is) the study of the demo wave, with `researcher` as owner. Run after load_demo."""
    wave = Wave.objects.select_related("instrument_version__instrument").get(slug=DEMO_WAVE)
    study, _ = Study.objects.get_or_create(
        slug=DEMO_WAVE, defaults={"title": wave.title, "instrument": wave.instrument_version.instrument}
    )
    researcher = get_user_model().objects.get(username="researcher")
    Membership.objects.get_or_create(study=study, user=researcher, defaults={"role": Membership.Role.OWNER})
    return study
