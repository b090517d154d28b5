from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from studies.addresses import KEY_HINT


@register()
def address_key_settings(app_configs, **kwargs) -> list[Error]:
    """Fail at start-up, not at the first upload, when participant addresses cannot be encrypted."""
    if settings.DEBUG or Path(settings.UPTAKE_ADDRESS_KEY_FILE).is_file():
        return []
    return [Error(
        f"address key file {settings.UPTAKE_ADDRESS_KEY_FILE} does not exist",
        hint=KEY_HINT[0].upper() + KEY_HINT[1:] + ".",
        id="studies.E001",
    )]
