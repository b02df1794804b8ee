"""The model assignment moved to accounts (its migration there): the models library lets go of it in Django's state only; the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('models_library', '0005_firm_foreign_keys_to_firms'),
        ('accounts', '0012_model_assignment_from_models_library'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ModelAssignment',
                ),
            ],
        ),
    ]
