"""The tenant's tables (firms, memberships, API keys, MFA, idempotency records, the audit log) move from accounts to firms: Django's state only; the tables keep their names."""

import datetime
import django.core.validators
import django.db.models.deletion
import firms.models.firms
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = ("firm", "membership", "apikey", "auditevent", "idempotencyrecord", "mfadevice", "mfarecoverycode")


def content_types_to_firms(apps, schema_editor):
    """The moved models' content types (and so their permissions) follow them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="firms", model=model).exists():
            ContentType.objects.filter(app_label="accounts", model=model).update(app_label="firms")


def content_types_to_accounts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="firms", model__in=MOVED).update(app_label="accounts")



class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_preferenceset_drop_updated_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Firm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('slug', models.SlugField(max_length=60, unique=True)),
                        ('timezone', models.CharField(default='America/New_York', max_length=64, validators=[firms.models.firms.validate_timezone])),
                        ('nightly_run_time', models.TimeField(default=datetime.time(2, 0), help_text="Local time (in the firm's time zone) of the nightly run.")),
                        ('advisors_see_all_households', models.BooleanField(default=False, help_text='Off: an advisor sees only the households they advise.')),
                        ('require_four_eyes', models.BooleanField(default=False, help_text='A second trader must also approve each blotter.')),
                        ('require_mfa', models.BooleanField(default=False, help_text='Everyone working in the firm must sign in with an authenticator app.')),
                        ('turnover_flag_threshold', models.DecimalField(decimal_places=4, default=Decimal('0.2500'), help_text='Proposals turning over more than this fraction of the account go to review.', max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                        ('tax_flag_threshold_usd', models.DecimalField(decimal_places=2, default=Decimal('5000.00'), help_text='Proposals whose estimated tax exceeds this go to review.', max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0'))])),
                        ('manages_reference_data', models.BooleanField(default=False, help_text="Set by the installation's operator (manage.py reference_data_steward): this firm's imports may change securities and prices already in the shared security master. Other firms may only add new ones.")),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'accounts_firm',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='MfaDevice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('encrypted_secret', models.CharField(help_text='The base32 TOTP secret, encrypted (see firms.crypto).', max_length=255)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('last_used_step', models.BigIntegerField(default=0)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='mfa_device', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_mfadevice',
                    },
                ),
                migrations.CreateModel(
                    name='MfaRecoveryCode',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('salt', models.CharField(max_length=32)),
                        ('digest', models.CharField(max_length=64)),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recovery_codes', to='firms.mfadevice')),
                    ],
                    options={
                        'db_table': 'accounts_mfarecoverycode',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_label', models.CharField(help_text='Username or system process.', max_length=150)),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('action', models.CharField(max_length=60)),
                        ('object_type', models.CharField(max_length=60)),
                        ('object_id', models.CharField(max_length=60)),
                        ('object_repr', models.CharField(max_length=200)),
                        ('account_id_ref', models.BigIntegerField(blank=True, help_text="The account concerned, for an account's history.", null=True)),
                        ('before', models.JSONField(blank=True, null=True)),
                        ('after', models.JSONField(blank=True, null=True)),
                        ('note', models.TextField(blank=True)),
                        ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='firms.firm')),
                    ],
                    options={
                        'db_table': 'accounts_auditevent',
                        'ordering': ['-at', '-id'],
                        'indexes': [models.Index(fields=['firm', '-at'], name='accounts_au_firm_id_246d1b_idx'), models.Index(fields=['firm', 'object_type', 'object_id'], name='accounts_au_firm_id_a73151_idx'), models.Index(fields=['firm', 'account_id_ref'], name='accounts_au_firm_id_20d42e_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='ApiKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100)),
                        ('prefix', models.CharField(help_text='Public part of the key.', max_length=16, unique=True)),
                        ('key_sha256', models.CharField(max_length=64)),
                        ('scopes', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.OneToOneField(help_text='The service user the key acts as (named in the audit log).', on_delete=django.db.models.deletion.PROTECT, related_name='api_key', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='firms.firm')),
                    ],
                    options={
                        'db_table': 'accounts_apikey',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.UniqueConstraint(fields=('firm', 'name'), name='api_key_name_unique_per_firm')],
                    },
                ),
                migrations.CreateModel(
                    name='IdempotencyRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('principal', models.CharField(help_text="'key:<id>' or 'user:<id>'.", max_length=80)),
                        ('key', models.CharField(max_length=255)),
                        ('request_sha256', models.CharField(max_length=64)),
                        ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('content_type', models.CharField(blank=True, max_length=100)),
                        ('body', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm')),
                    ],
                    options={
                        'db_table': 'accounts_idempotencyrecord',
                        'constraints': [models.UniqueConstraint(fields=('firm', 'principal', 'key'), name='idempotency_key_unique_per_principal')],
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('firm_admin', 'Firm admin'), ('advisor', 'Advisor'), ('model_manager', 'Model manager'), ('trader', 'Trader'), ('compliance', 'Compliance')], max_length=20)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='firms.firm')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'accounts_membership',
                        'ordering': ['firm__name', 'user__username'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'firm'), name='membership_one_per_user_firm')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_firms, content_types_to_accounts),
    ]
