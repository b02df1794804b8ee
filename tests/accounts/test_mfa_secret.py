"""Authenticator secrets are stored encrypted (AES-GCM, bound to the person), with a key
from MFA_ENCRYPTION_KEY or derived from SECRET_KEY; a migration encrypts those stored in
clear. A changed key is a clear error for the operator."""

from __future__ import annotations

import base64
import importlib
import os

import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.db.migrations.loader import MigrationLoader
from django.db.models import CharField
from django.utils import timezone

from firms.crypto import (
    MfaSecretUnreadable,
    encryption_key,
    is_encrypted,
    mfa_secret_decrypt,
    mfa_secret_encrypt,
)
from firms.models import MfaDevice
from firms.services.mfa_codes import mfa_verify
from rebalancer.errors import DomainError
from tests.accounts.mfa import enrol

MIGRATION = importlib.import_module("accounts.migrations.0006_mfa_secret_encrypt")


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def _key_from_settings(settings):
    settings.MFA_ENCRYPTION_KEY = _new_key()


def _apps_at_the_migration():
    """The models as the encrypting migration sees them (they have moved apps since)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(("accounts", "0006_mfa_secret_encrypt")).apps


def test_the_stored_value_is_not_the_secret(advisor_a):
    totp, _ = enrol(advisor_a)
    stored = MfaDevice.objects.values_list("encrypted_secret", flat=True).get()
    assert stored.startswith("v1:")
    assert totp.secret not in stored
    assert totp.secret.lower() not in stored.lower()
    assert MfaDevice.objects.get().secret == totp.secret


def test_round_trip_with_a_fresh_nonce_each_time():
    secret = pyotp.random_base32()
    first = mfa_secret_encrypt(secret=secret, user_id=7)
    second = mfa_secret_encrypt(secret=secret, user_id=7)
    assert first != second
    assert mfa_secret_decrypt(token=first, user_id=7) == secret
    assert mfa_secret_decrypt(token=second, user_id=7) == secret
    column = MfaDevice._meta.get_field("encrypted_secret")
    assert isinstance(column, CharField) and column.max_length is not None
    assert len(first) <= column.max_length


def test_a_value_copied_to_another_person_does_not_decrypt(advisor_a, admin_a):
    totp, _ = enrol(advisor_a)
    stolen = MfaDevice.objects.get(user=advisor_a).encrypted_secret
    MfaDevice.objects.create(user=admin_a, encrypted_secret=stolen, confirmed_at=timezone.now())
    with pytest.raises(DomainError, match="cannot be checked right now"):
        mfa_verify(user=admin_a, code=totp.now())
    with pytest.raises(MfaSecretUnreadable):
        mfa_secret_decrypt(token=stolen, user_id=admin_a.pk)


def test_a_changed_key_is_a_clear_error(advisor_a, settings, caplog):
    totp, codes = enrol(advisor_a)
    settings.MFA_ENCRYPTION_KEY = _new_key()
    # the person is told what to do; the operator's log says what happened
    with pytest.raises(DomainError, match="Use one of your recovery codes"):
        mfa_verify(user=advisor_a, code=totp.now())
    message = caplog.records[-1].getMessage()
    assert f"The authenticator secret of user {advisor_a.pk} cannot be decrypted" in message
    assert "the encryption key has changed since it was stored (MFA_ENCRYPTION_KEY" in message
    assert "Restore the previous key" in message
    # recovery codes are hashed, not encrypted: they still work
    assert mfa_verify(user=advisor_a, code=codes[0])


def test_without_a_key_it_is_derived_from_the_secret_key(settings, monkeypatch):
    del settings.MFA_ENCRYPTION_KEY
    monkeypatch.delenv("MFA_ENCRYPTION_KEY", raising=False)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rebalancer mfa secret")
    assert encryption_key() == hkdf.derive(settings.SECRET_KEY.encode())
    token = mfa_secret_encrypt(secret="JBSWY3DPEHPK3PXP", user_id=1)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(MfaSecretUnreadable, match="DJANGO_SECRET_KEY when MFA_ENCRYPTION_KEY"):
        mfa_secret_decrypt(token=token, user_id=1)


def test_the_key_comes_from_the_environment_when_not_in_settings(settings, monkeypatch):
    del settings.MFA_ENCRYPTION_KEY
    key = _new_key()
    monkeypatch.setenv("MFA_ENCRYPTION_KEY", key)
    assert encryption_key() == base64.b64decode(key)


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_says_what_it_must_be(settings, bad):
    settings.MFA_ENCRYPTION_KEY = bad
    with pytest.raises(ImproperlyConfigured, match="must be the base64 of 32 random bytes"):
        mfa_secret_encrypt(secret="JBSWY3DPEHPK3PXP", user_id=1)


@pytest.mark.parametrize(
    ("token", "message"),
    [("JBSWY3DPEHPK3PXP", "Run the database migrations"), ("v1:@@@", "damaged")],
)
def test_a_value_not_in_the_format_is_a_clear_error(token, message):
    with pytest.raises(MfaSecretUnreadable, match=message):
        mfa_secret_decrypt(token=token, user_id=1)


def test_the_migration_encrypts_plain_secrets_and_leaves_encrypted_ones(advisor_a, admin_a):
    # given one secret stored in clear (as before encryption) and one already encrypted
    plain_totp, _ = enrol(advisor_a)
    enrol(admin_a)
    MfaDevice.objects.filter(user=advisor_a).update(encrypted_secret=plain_totp.secret)
    encrypted = MfaDevice.objects.get(user=admin_a).encrypted_secret
    # when the migration runs
    MIGRATION.encrypt_plain_secrets(_apps_at_the_migration(), None)
    # then
    migrated = MfaDevice.objects.get(user=advisor_a)
    assert is_encrypted(migrated.encrypted_secret)
    assert migrated.secret == plain_totp.secret
    assert MfaDevice.objects.get(user=admin_a).encrypted_secret == encrypted
    assert mfa_verify(user=advisor_a, code=plain_totp.now()) == "totp"
    # and running it again changes nothing
    MIGRATION.encrypt_plain_secrets(_apps_at_the_migration(), None)
    assert MfaDevice.objects.get(user=advisor_a).encrypted_secret == migrated.encrypted_secret


def test_the_migration_reversed_decrypts(advisor_a):
    totp, _ = enrol(advisor_a)
    MIGRATION.decrypt_secrets(_apps_at_the_migration(), None)
    assert MfaDevice.objects.values_list("encrypted_secret", flat=True).get() == totp.secret
