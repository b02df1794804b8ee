"""The tenant's models now live in firms (0001_initial there): accounts lets go of them in Django's state only; the tables stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('accounts', '0010_preferenceset_drop_updated_at'),
        ('firms', '0001_initial'),
        ('models_library', '0005_firm_foreign_keys_to_firms'),
        ('trading', '0005_firm_foreign_keys_to_firms'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='auditevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='auditevent',
                    name='firm',
                ),
                migrations.AlterField(
                    model_name='restriction',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='preferenceset',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.RemoveField(
                    model_name='idempotencyrecord',
                    name='firm',
                ),
                migrations.AlterField(
                    model_name='substitution',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='screen',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='account',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='household',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='firm',
                ),
                migrations.AlterField(
                    model_name='client',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='cashwithdrawal',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='mfadevice',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='mfarecoverycode',
                    name='device',
                ),
                migrations.DeleteModel(
                    name='ApiKey',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='IdempotencyRecord',
                ),
                migrations.DeleteModel(
                    name='Firm',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='MfaDevice',
                ),
                migrations.DeleteModel(
                    name='MfaRecoveryCode',
                ),
            ],
        ),
    ]
