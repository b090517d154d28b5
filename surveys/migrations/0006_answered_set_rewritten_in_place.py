# Anonymous waves: "has answered" of signed-in accounts as one sorted row per wave (issue 21, finding 1).

import django.db.models.deletion
from django.db import migrations, models


def move_answered_accounts(apps, schema_editor):
    """Each wave's AnsweredAccount rows (in insertion order, the leak) become one sorted AnsweredSet row."""
    AnsweredAccount, AnsweredSet = apps.get_model("surveys", "AnsweredAccount"), apps.get_model("surveys", "AnsweredSet")
    by_wave = {}
    for key, wave_id in AnsweredAccount.objects.values_list("key", "wave_id"):
        by_wave.setdefault(wave_id, []).append(key)
    AnsweredSet.objects.bulk_create([AnsweredSet(wave_id=wave_id, keys="\n".join(sorted(keys)))
                                     for wave_id, keys in sorted(by_wave.items())])


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0005_pseudonym_constraints'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnsweredSet',
            fields=[
                ('wave', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='surveys.wave')),
                ('keys', models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(move_answered_accounts, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='AnsweredAccount',
        ),
    ]
