"""Foreign keys to the firm now name firms.Firm (the same table): Django's state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('firms', '0001_initial'),
        ('trading', '0004_drop_unread_chunk_and_cash_fields'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='blotter',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='cashbalance',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='fill',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='proposal',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='proposedtrade',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='realizedgain',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='run',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='runchunk',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='taxlot',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='transaction',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
            ],
        ),
    ]
