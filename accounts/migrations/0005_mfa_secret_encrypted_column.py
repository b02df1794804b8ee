from django.db import migrations, models


class Migration(migrations.Migration):
    """Room for the encrypted authenticator secret (``firms.crypto``); 0006 encrypts
    the secrets already stored."""

    dependencies = [
        ("accounts", "0004_mfa"),
    ]

    operations = [
        migrations.RenameField(
            model_name="mfadevice",
            old_name="secret",
            new_name="encrypted_secret",
        ),
        migrations.AlterField(
            model_name="mfadevice",
            name="encrypted_secret",
            field=models.CharField(
                help_text="The base32 TOTP secret, encrypted (see firms.crypto).",
                max_length=255,
            ),
        ),
    ]
