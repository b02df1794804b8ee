"""Bulk endpoints: every row validated, all rows applied or none, errors by row and field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from firms.models import AuditEvent
from models_library.models import Price, Security
from tests.api.conftest import problem
from tests.factories import AccountFactory, HouseholdFactory, SecurityFactory
from trading.models import CashBalance, TaxLot, Transaction

pytestmark = pytest.mark.django_db


def buy(number, ext, symbol="VTI", quantity="10", amount="3000.00", date="2024-01-02", **extra):
    return {
        "account_number": number,
        "external_id": ext,
        "date": date,
        "type": "buy",
        "symbol": symbol,
        "quantity": quantity,
        "amount_usd": amount,
        **extra,
    }


@pytest.fixture
def two_accounts(firm_a):
    SecurityFactory(symbol="VTI")
    household = HouseholdFactory(firm=firm_a)
    return (
        AccountFactory(household=household, account_number="A-1"),
        AccountFactory(household=HouseholdFactory(firm=firm_a), account_number="A-2"),
    )


def test_transactions_become_lots_for_each_account(api_a, two_accounts):
    rows = [buy("A-1", "T1"), buy("A-2", "T2"), buy("A-1", "T3", date="2024-02-01")]
    response = api_a.post("/api/v1/transactions/bulk/", {"rows": rows}, format="json")
    assert response.json() == {"transactions": 3, "accounts": 2, "households": 2, "open_lots": 3}
    assert sorted(TaxLot.objects.values_list("lot_ref", flat=True)) == ["T1", "T2", "T3"]


def test_a_sale_relieves_the_lots_it_names(api_a, two_accounts):
    rows = [
        buy("A-1", "T1"),
        buy("A-1", "T2", date="2024-02-01"),
        {
            **buy("A-1", "S1", quantity="4", amount="1300.00", date="2024-03-01"),
            "type": "sell",
            "lots": [{"lot": "T2", "quantity": "4"}],
        },
    ]
    assert (
        api_a.post("/api/v1/transactions/bulk/", {"rows": rows}, format="json").status_code == 200
    )
    left = dict(TaxLot.objects.values_list("lot_ref", "quantity"))
    assert left == {"T1": Decimal("10"), "T2": Decimal("6")}


def test_every_bad_row_is_named_and_nothing_is_recorded(api_a, two_accounts):
    rows = [
        buy("A-1", "T1"),
        buy("A-1", "T2", symbol="NOPE"),
        buy("A-1", "T3", quantity="1.5e3x"),
        buy("A-2", "T4"),
        {**buy("A-2", "S1", quantity="50", date="2024-05-01"), "type": "sell"},
        buy("Z-9", "T5"),
        "not a row",
    ]
    response = api_a.post("/api/v1/transactions/bulk/", {"rows": rows}, format="json")
    errors = problem(response, 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "symbol"),
        (3, "quantity"),
        (5, "quantity"),
        (6, "account_number"),
        (7, None),
    ]
    assert Transaction.objects.count() == TaxLot.objects.count() == 0


def test_a_bulk_call_has_at_most_20000_rows_however_large_the_body(api_a):
    rows = [buy("A-1", f"T{n:06d}") for n in range(20_001)]  # about 3 MB of JSON
    response = api_a.post(
        "/api/v1/transactions/bulk/", {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY="big"
    )
    assert problem(response, 400)["errors"] == [
        {"row": None, "field": "rows", "message": "must hold 1 to 20,000 rows"}
    ]


@pytest.fixture
def steward(firm_a):
    """Firm A manages the installation's reference data."""
    firm_a.manages_reference_data = True
    firm_a.save()
    return firm_a


def test_securities_are_upserted_by_symbol(api_a, steward):
    SecurityFactory(symbol="VTI", name="Old name", asset_class="us_equity")
    rows = [
        {
            "symbol": "VTI",
            "name": "Vanguard Total",
            "asset_class": "us_equity",
            "identical_group": "CRSP",
        },
        {"symbol": "bnd", "name": "Vanguard Bond", "asset_class": "us_bond"},
    ]
    response = api_a.post("/api/v1/securities/bulk/", {"rows": rows}, format="json")
    assert response.json() == {"created": 1, "updated": 1}
    assert Security.objects.get(symbol="VTI").identical_group == "CRSP"
    assert Security.objects.filter(symbol="BND").exists()
    assert AuditEvent.objects.filter(action="securities.upsert", firm=None).count() == 1


def test_security_rows_are_validated_together(api_a):
    rows = [
        {"symbol": "VTI", "name": "A", "asset_class": "x"},
        {"symbol": "VTI", "name": "B", "asset_class": "x"},
        {"symbol": "", "name": "C", "asset_class": "x"},
    ]
    errors = problem(api_a.post("/api/v1/securities/bulk/", {"rows": rows}, format="json"), 400)[
        "errors"
    ]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "symbol")]
    rows.pop()
    errors = problem(api_a.post("/api/v1/securities/bulk/", {"rows": rows}, format="json"), 400)[
        "errors"
    ]
    assert errors == [{"row": 2, "field": "symbol", "message": "repeats row 1"}]
    assert not Security.objects.exists()


def test_prices_are_upserted_and_bad_rows_named(api_a, steward):
    SecurityFactory(symbol="VTI")
    ok = [{"symbol": "VTI", "date": "2025-06-30", "close": "300.10"}]
    assert api_a.post("/api/v1/prices/bulk/", {"rows": ok}, format="json").json() == {
        "written": 1,
        "shared": 1,
        "firm_only": 0,
        "held": 0,
    }
    again = [
        {"symbol": "VTI", "date": "2025-06-30", "close": "301.00"},
        {"symbol": "VTI", "date": "2025-07-01", "close": "302"},
    ]
    api_a.post("/api/v1/prices/bulk/", {"rows": again}, format="json")
    assert dict(Price.objects.values_list("date__day", "close")) == {
        30: Decimal("301"),
        1: Decimal("302"),
    }
    bad = [
        {"symbol": "NOPE", "date": "2025-07-02", "close": "1"},
        {"symbol": "VTI", "date": "2025-07-02", "close": "0"},
        {"symbol": "VTI", "date": "someday", "close": "1"},
    ]
    errors = problem(api_a.post("/api/v1/prices/bulk/", {"rows": bad}, format="json"), 400)[
        "errors"
    ]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "date")]
    errors = problem(api_a.post("/api/v1/prices/bulk/", {"rows": bad[:2]}, format="json"), 400)[
        "errors"
    ]
    assert [(e["row"], e["field"]) for e in errors] == [(1, "symbol"), (2, "close")]
    assert Price.objects.count() == 2


def test_cash_balances_are_set_and_audited(api_a, two_accounts, firm_a):
    rows = [{"account_number": "A-1", "amount_usd": "2500.00", "as_of": "2025-06-30"}]
    assert api_a.post("/api/v1/cash/bulk/", {"rows": rows}, format="json").json() == {"written": 1}
    account = two_accounts[0]
    assert api_a.get(f"/api/v1/accounts/{account.pk}/cash/").json() == {
        "account_number": "A-1",
        "amount_usd": "2500.00",
        "as_of": "2025-06-30",
    }
    event = AuditEvent.objects.get(firm=firm_a, action="cash.set")
    assert event.account_id_ref == account.pk and event.after is not None
    assert event.after["amount_usd"] == "2500.00"
    dup = rows + rows
    errors = problem(api_a.post("/api/v1/cash/bulk/", {"rows": dup}, format="json"), 400)["errors"]
    assert errors == [{"row": 2, "field": "account_number", "message": "repeats row 1"}]
    assert CashBalance.objects.get().amount_usd == Decimal("2500.00")


def test_a_firm_that_does_not_manage_reference_data_adds_but_never_changes_it(api_b):
    """Every firm's optimizations read the shared security master: another firm's import
    may add securities and prices, and repeat stored values, but not change them."""
    SecurityFactory(symbol="VTI", name="Vanguard Total", asset_class="us_equity")
    Price.objects.create(security=Security.objects.get(symbol="VTI"), date="2025-06-30", close=300)
    before = AuditEvent.objects.count()
    changed = [
        {"symbol": "VTI", "name": "Hijacked", "asset_class": "us_bond"},
        {"symbol": "BND", "name": "Vanguard Bond", "asset_class": "us_bond"},
    ]
    errors = problem(api_b.post("/api/v1/securities/bulk/", {"rows": changed}, format="json"), 400)
    assert [(e["row"], e["field"]) for e in errors["errors"]] == [(1, "name"), (1, "asset_class")]
    assert "only a firm that manages reference data" in errors["errors"][0]["message"]
    assert Security.objects.get(symbol="VTI").asset_class == "us_equity"
    assert not Security.objects.filter(symbol="BND").exists()  # all rows or none
    same = [
        {"symbol": "VTI", "name": "Vanguard Total", "asset_class": "us_equity"},
        {"symbol": "BND", "name": "Vanguard Bond", "asset_class": "us_bond"},
    ]
    response = api_b.post("/api/v1/securities/bulk/", {"rows": same}, format="json")
    assert response.json() == {"created": 1, "updated": 0}
    prices = [{"symbol": "VTI", "date": "2025-06-30", "close": "1.00"}]
    errors = problem(api_b.post("/api/v1/prices/bulk/", {"rows": prices}, format="json"), 400)
    assert [(e["row"], e["field"]) for e in errors["errors"]] == [(1, "close")]
    assert Price.objects.get(date="2025-06-30").close == Decimal("300")
    prices = [
        {"symbol": "VTI", "date": "2025-06-30", "close": "300.00"},
        {"symbol": "VTI", "date": "2025-07-01", "close": "301.50"},
    ]
    assert api_b.post("/api/v1/prices/bulk/", {"rows": prices}, format="json").json() == {
        "written": 2,
        "shared": 1,
        "firm_only": 1,
        "held": 0,
    }
    assert not Price.objects.filter(date="2025-07-01").exists()  # firm B's own, until adopted
    assert AuditEvent.objects.count() == before + 2  # the two accepted imports only
