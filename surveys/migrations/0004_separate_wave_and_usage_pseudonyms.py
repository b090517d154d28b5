"""Bring stored responses in line with the privacy decisions of docs/privacy.md.

- Pseudonymous waves: every response gets its wave-linkage pseudonym; the usage-linkable
  pseudonym stays only where the respondent consented to linkage.
- Anonymous waves: submitted responses are cut from their participant (random participant key,
  no invitation, "has answered" recorded apart) as surveys/anonymity.py does at submission.
- Withdrawn responses keep no pseudonym, and neither does their invitation.

Needs the pseudonym key only when such rows exist.
"""

import secrets

from django.db import migrations


def forwards(apps, schema_editor):
    from surveys.pseudonyms import keyed_hash, wave_linkage_pseudonym

    Response = apps.get_model("surveys", "Response")
    Invitation = apps.get_model("surveys", "Invitation")
    AnsweredAccount = apps.get_model("surveys", "AnsweredAccount")
    Response.objects.filter(invitation__isnull=False).update(via_invitation=True)
    for response in Response.objects.exclude(pseudonym="").exclude(status="withdrawn"):
        response.wave_pseudonym = wave_linkage_pseudonym(response.pseudonym)
        if not response.linkage_consent:
            response.pseudonym = ""
        response.save(update_fields=["pseudonym", "wave_pseudonym"])
    withdrawn = Response.objects.filter(status="withdrawn", invitation__isnull=False)
    Invitation.objects.filter(response__in=withdrawn).update(pseudonym="")
    Invitation.objects.filter(response__status="completed").update(has_answered=True)
    for response in Response.objects.filter(wave__privacy_mode="anonymous", status="completed"):
        if response.invitation_id is not None:
            Invitation.objects.filter(pk=response.invitation_id).update(has_answered=True, used_at=None)
        else:
            AnsweredAccount.objects.get_or_create(
                key=keyed_hash(f"answered:{response.participant_key}"), defaults={"wave_id": response.wave_id})
        response.participant_key = secrets.token_hex(32)
        response.invitation = None
        response.save(update_fields=["participant_key", "invitation"])


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_wave_access_and_anonymous_submission"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
