from django.core.management.base import CommandError

from studies.mailing import attribute_filter
from surveys.models import Wave


def wave_by_slug(slug: str) -> Wave:
    wave = Wave.objects.filter(slug=slug).first()
    if wave is None:
        existing = ", ".join(Wave.objects.values_list("slug", flat=True)) or "none"
        raise CommandError(f"no wave {slug!r}; existing waves: {existing}")
    return wave


def attribute_filter_option(text: str) -> dict[str, str]:
    try:
        return attribute_filter(text)
    except ValueError as exc:
        raise CommandError(f"--only {exc}") from exc
