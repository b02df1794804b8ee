"""The custodian's statement over the API: imported all or none, listed, resolved."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent
from tests.trading.builders import AS_OF, small_book
from trading.models import Reconciliation

from .conftest import key_client, problem

pytestmark = pytest.mark.django_db
IMPORT = "/api/v1/custodian-positions/bulk/"


def _statement(number, vti):
    day = AS_OF.isoformat()
    return {
        "rows": [
            {"account_number": number, "as_of": day, "symbol": "VTI", "quantity": vti},
            {"account_number": number, "as_of": day, "symbol": "BND", "quantity": "100"},
            {"account_number": number, "as_of": day, "symbol": "CASH", "quantity": "2000.00"},
        ]
    }


@pytest.fixture
def account(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    return account


def test_a_break_is_imported_listed_and_resolved(firm_a, account):
    api = key_client(firm_a)

    imported = api.post(IMPORT, _statement(account.account_number, "101"), format="json")
    listed = api.get("/api/v1/reconciliations/", {"status": "out_of_balance"})
    [row] = listed.json()["results"]
    resolved = api.post(
        f"/api/v1/reconciliations/{row['id']}/resolve/",
        {"decision": "pending", "note": "asked the custodian"},
        format="json",
    )

    assert imported.json() == {
        "accounts": 1,
        "out_of_balance": [account.account_number],
        "unchanged": 0,
    }
    assert row["differences"] == [
        {"symbol": "VTI", "ledger": "100", "custodian": "101", "difference": "1"}
    ]
    assert (resolved.status_code, resolved.json()["status"]) == (200, "pending")
    assert AuditEvent.objects.filter(firm=firm_a, action="reconciliation.pending").count() == 1


def test_unknown_accounts_and_duplicate_rows_are_named_and_nothing_is_stored(firm_a, account):
    body = _statement(account.account_number, "100")
    body["rows"] += [body["rows"][0], {**body["rows"][1], "account_number": "NOPE"}]

    response = key_client(firm_a).post(IMPORT, body, format="json")

    errors = problem(response, 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(4, "symbol"), (5, "account_number")]
    assert not Reconciliation.objects.exists()


@pytest.mark.parametrize("bad", [1328, "VTI", None, ["SCHW-1001"]])
def test_a_row_that_is_not_an_object_is_named_not_a_server_error(firm_a, account, bad):
    # found by the API fuzzer: {"rows": [1328]} was a 500
    body = _statement(account.account_number, "100")
    body["rows"].insert(1, bad)

    response = key_client(firm_a).post(IMPORT, body, format="json")

    errors = problem(response, 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, None)]
    assert "must be an object" in errors[0]["message"]
    assert not Reconciliation.objects.exists()


def test_another_firm_neither_sees_nor_resolves_it(firm_a, firm_b, account):
    key_client(firm_a).post(IMPORT, _statement(account.account_number, "101"), format="json")
    flagged = Reconciliation.objects.get()
    outsider = key_client(firm_b)

    listed = outsider.get("/api/v1/reconciliations/")
    resolve = outsider.post(
        f"/api/v1/reconciliations/{flagged.pk}/resolve/", {"decision": "accept"}, format="json"
    )
    imported = outsider.post(IMPORT, _statement(account.account_number, "100"), format="json")

    assert listed.json()["results"] == []
    assert resolve.status_code == 404
    assert problem(imported, 400)["errors"][0]["field"] == "account_number"
    assert Reconciliation.objects.get().status == "out_of_balance"


def test_a_read_only_key_cannot_import(firm_a, account):
    response = key_client(firm_a, scopes=("read",)).post(
        IMPORT, _statement(account.account_number, "100"), format="json"
    )

    assert response.status_code == 403
