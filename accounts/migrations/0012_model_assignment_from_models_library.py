"""Which model an account follows now lives in accounts (above the models library): Django's state only; the table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_accounts(apps, schema_editor):
    # the content type (and so its permissions) follows the model
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="modelassignment").exists():
        ContentType.objects.filter(app_label="models_library", model="modelassignment").update(
            app_label="accounts"
        )


def content_type_to_models_library(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="accounts", model="modelassignment").update(
        app_label="models_library"
    )


class Migration(migrations.Migration):
    dependencies = [
        ('accounts', '0011_tenant_models_moved_to_firms'),
        ('firms', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('models_library', '0005_firm_foreign_keys_to_firms'),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ModelAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('assigned_at', models.DateTimeField(auto_now=True)),
                        ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='model_assignment', to='accounts.account')),
                        ('assigned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm')),
                        ('model', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='models_library.modelportfolio')),
                    ],
                    options={
                        'db_table': 'models_library_modelassignment',
                        'indexes': [models.Index(fields=['firm', 'model'], name='models_libr_firm_id_e024f0_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_accounts, content_type_to_models_library),
    ]
