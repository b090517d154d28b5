from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_separate_wave_and_usage_pseudonyms'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'withdrawn'), _negated=True), models.Q(('pseudonym', ''), ('wave_pseudonym', ''), ('linkage_consent', False)), _connector='OR'), name='withdrawn_response_keeps_no_pseudonym'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(('pseudonym', ''), ('linkage_consent', True), _connector='OR'), name='usage_pseudonym_only_with_linkage_consent'),
        ),
    ]
