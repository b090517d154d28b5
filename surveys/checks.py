from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from surveys.pseudonyms import IDENTIFIER_KINDS


@register()
def pseudonym_settings(app_configs, **kwargs):
    """Fail at start-up, not at the first respondent, when pseudonyms cannot be computed."""
    errors = []
    if settings.UPTAKE_PSEUDONYM_IDENTIFIER not in IDENTIFIER_KINDS:
        errors.append(Error(
            f"UPTAKE_PSEUDONYM_IDENTIFIER is {settings.UPTAKE_PSEUDONYM_IDENTIFIER!r}; expected one of {IDENTIFIER_KINDS}",
            id="surveys.E001",
        ))
    if not settings.DEBUG and not Path(settings.UPTAKE_PSEUDONYM_KEY_FILE).is_file():
        errors.append(Error(
            f"pseudonym key file {settings.UPTAKE_PSEUDONYM_KEY_FILE} does not exist",
            hint="Create it with: python -c 'import secrets; print(secrets.token_hex(32))' > FILE (mode 600), "
                 "keep it outside the database and its backups, and set UPTAKE_PSEUDONYM_KEY_FILE.",
            id="surveys.E002",
        ))
    return errors
