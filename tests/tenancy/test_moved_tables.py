"""The tenant's models moved to firms, an account's model assignment to accounts: their
tables kept their names, so existing databases need no table to move."""

from __future__ import annotations

import pytest
from django.apps import apps

# model (app label and name, after the move) -> the table it has always had
MOVED_TABLES = {
    "firms.Firm": "accounts_firm",
    "firms.Membership": "accounts_membership",
    "firms.ApiKey": "accounts_apikey",
    "firms.AuditEvent": "accounts_auditevent",
    "firms.IdempotencyRecord": "accounts_idempotencyrecord",
    "firms.MfaDevice": "accounts_mfadevice",
    "firms.MfaRecoveryCode": "accounts_mfarecoverycode",
    "accounts.ModelAssignment": "models_library_modelassignment",
}


@pytest.mark.parametrize(("label", "table"), sorted(MOVED_TABLES.items()))
def test_a_moved_model_keeps_its_table(label, table):
    assert apps.get_model(label)._meta.db_table == table
