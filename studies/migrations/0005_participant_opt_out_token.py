# Opt-out links carry their own token, not the survey token (issue 21, finding 7); the participants
# already on a list get its hash from their seed and the address key, as their mails will.

from django.db import migrations, models


def hash_opt_out_tokens(apps, schema_editor):
    from studies.addresses import opt_out_token
    from surveys.services import hash_token

    Participant = apps.get_model("studies", "Participant")
    for participant in Participant.objects.filter(opt_out_hash="").only("pk", "link_seed").iterator():
        Participant.objects.filter(pk=participant.pk).update(opt_out_hash=hash_token(opt_out_token(participant.link_seed)))


class Migration(migrations.Migration):

    dependencies = [
        ('studies', '0004_audit_log_refuses_truncate'),
    ]

    operations = [
        migrations.AddField(
            model_name='participant',
            name='opt_out_hash',
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(hash_opt_out_tokens, migrations.RunPython.noop),
    ]
