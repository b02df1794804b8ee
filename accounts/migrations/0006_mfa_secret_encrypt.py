"""Encrypt the authenticator secrets stored in clear (values already encrypted are left
as they are). Uses the key of ``firms.crypto``: set ``MFA_ENCRYPTION_KEY`` before
migrating if it is to be used. Reversible: going back decrypts them."""

from django.db import migrations

from firms.crypto import is_encrypted, mfa_secret_decrypt, mfa_secret_encrypt


def encrypt_plain_secrets(apps, schema_editor) -> None:
    MfaDevice = apps.get_model("accounts", "MfaDevice")
    for device in MfaDevice.objects.only("pk", "user_id", "encrypted_secret").iterator():
        if is_encrypted(device.encrypted_secret):
            continue
        token = mfa_secret_encrypt(secret=device.encrypted_secret, user_id=device.user_id)
        MfaDevice.objects.filter(pk=device.pk).update(encrypted_secret=token)


def decrypt_secrets(apps, schema_editor) -> None:
    MfaDevice = apps.get_model("accounts", "MfaDevice")
    for device in MfaDevice.objects.only("pk", "user_id", "encrypted_secret").iterator():
        if not is_encrypted(device.encrypted_secret):
            continue
        plain = mfa_secret_decrypt(token=device.encrypted_secret, user_id=device.user_id)
        MfaDevice.objects.filter(pk=device.pk).update(encrypted_secret=plain)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mfa_secret_encrypted_column"),
    ]

    operations = [
        migrations.RunPython(encrypt_plain_secrets, decrypt_secrets, elidable=False),
    ]
