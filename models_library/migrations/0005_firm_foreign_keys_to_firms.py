"""Foreign keys to the firm now name firms.Firm (the same table): Django's state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ('firms', '0001_initial'),
        ('models_library', '0004_heldprice_drop_decided_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='firmprice',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='heldprice',
                    name='sent_by_firm',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='modelassignment',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='modelline',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='modelportfolio',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='modelversion',
                    name='firm',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm'),
                ),
                migrations.AlterField(
                    model_name='price',
                    name='sent_by_firm',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='firms.firm'),
                ),
            ],
        ),
    ]
