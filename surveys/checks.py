from django.conf import settings
from django.core.checks import Error, register

from surveys.keys import fingerprint_problem, key_file_problems
from surveys.pseudonyms import IDENTIFIER_KINDS

KEY_HINT = ("Create it with: python -c 'import secrets; print(secrets.token_hex(32))' > FILE (mode 600), keep it "
            "outside the database and its backups, and set UPTAKE_PSEUDONYM_KEY_FILE (docs/deploy.md).")


@register()
def pseudonym_settings(app_configs, **kwargs):
    """Fail at start-up, not at the first respondent, when pseudonyms cannot be computed or would not match."""
    errors = []
    if settings.UPTAKE_PSEUDONYM_IDENTIFIER not in IDENTIFIER_KINDS:
        errors.append(Error(
            f"UPTAKE_PSEUDONYM_IDENTIFIER is {settings.UPTAKE_PSEUDONYM_IDENTIFIER!r}; expected one of {IDENTIFIER_KINDS}",
            id="surveys.E001",
        ))
    problems = key_file_problems()
    errors.extend(Error(problem, hint=KEY_HINT, id="surveys.E002") for problem in problems)
    if not problems:
        mismatch = fingerprint_problem()  # records the fingerprint on first use
        if mismatch:
            errors.append(Error(mismatch, id="surveys.E003"))
    return errors
