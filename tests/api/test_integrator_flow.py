"""An integrator's whole day through the API alone: reference data and book in, lots from
transactions, optimize an account, approve, blotter, export orders, fills back into lots."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models_library.models import Security
from tests.api.conftest import key_client
from tests.trading.builders import published_model

pytestmark = pytest.mark.django_db

AS_OF = "2025-06-30"


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_an_integrator_runs_the_whole_flow_through_the_api(firm_a):
    api = key_client(firm_a)
    # given reference data
    securities = [
        {
            "symbol": "VTI",
            "name": "Total US",
            "security_type": "etf",
            "asset_class": "us_equity",
            "identical_group": "CRSP",
        },
        {
            "symbol": "BND",
            "name": "Total Bond",
            "security_type": "etf",
            "asset_class": "us_bond",
            "identical_group": "AGG-FF",
        },
    ]
    assert ok(api.post("/api/v1/securities/bulk/", {"rows": securities}, format="json")) == {
        "created": 2,
        "updated": 0,
    }
    prices = [
        {"symbol": "VTI", "date": AS_OF, "close": "300"},
        {"symbol": "BND", "date": AS_OF, "close": "72"},
    ]
    # (firm A is not a steward of reference data: its prices serve firm A only)
    assert ok(api.post("/api/v1/prices/bulk/", {"rows": prices}, format="json")) == {
        "written": 2,
        "shared": 0,
        "firm_only": 2,
        "held": 0,
    }
    # and a household with an account on a published 60/40 model
    household = ok(api.post("/api/v1/households/", {"name": "Rivera"}, format="json"), 201)
    account = ok(
        api.post(
            "/api/v1/accounts/",
            {
                "household": household["id"],
                "account_number": "SCHW-1",
                "name": "Joint",
                "custodian": "Schwab",
                "registration_type": "joint",
            },
            format="json",
        ),
        201,
    )
    assert account["tax_status"] == "taxable"
    model = published_model(
        firm=firm_a,
        weights={"VTI": "0.60", "BND": "0.38"},
        securities={s.symbol: s for s in Security.objects.all()},
    )
    ok(api.post(f"/api/v1/accounts/{account['id']}/model/", {"model": model.pk}, format="json"))
    # when the custodian's transactions come in
    rows = [
        {
            "account_number": "SCHW-1",
            "external_id": "B1",
            "date": "2022-01-03",
            "type": "buy",
            "symbol": "VTI",
            "quantity": "100",
            "amount_usd": "20000.00",
        },
        {
            "account_number": "SCHW-1",
            "external_id": "B2",
            "date": "2023-03-01",
            "type": "buy",
            "symbol": "BND",
            "quantity": "100",
            "amount_usd": "8000.00",
        },
    ]
    assert (
        ok(api.post("/api/v1/transactions/bulk/", {"rows": rows}, format="json"))["open_lots"] == 2
    )
    ok(
        api.post(
            "/api/v1/cash/bulk/",
            {"rows": [{"account_number": "SCHW-1", "amount_usd": "2000.00", "as_of": AS_OF}]},
            format="json",
        )
    )
    lots = ok(api.get(f"/api/v1/accounts/{account['id']}/lots/"))["results"]
    assert sorted((lot["symbol"], lot["quantity"]) for lot in lots) == [
        ("BND", "100.000000"),
        ("VTI", "100.000000"),
    ]
    # and the account is optimized now
    proposal = ok(
        api.post(f"/api/v1/accounts/{account['id']}/optimize/", {"as_of": AS_OF}, format="json"),
        201,
    )
    assert proposal["status"] == "pending_review", proposal
    assert proposal["trades"]
    ok(api.post(f"/api/v1/proposals/{proposal['id']}/approve/"))
    blotter = ok(api.post("/api/v1/blotters/"), 201)
    assert ok(api.post(f"/api/v1/blotters/{blotter['id']}/approve/"))["status"] == "approved"
    export = ok(api.post(f"/api/v1/blotters/{blotter['id']}/export/"))
    csv_export = api.post(f"/api/v1/blotters/{blotter['id']}/export/?format=csv")
    assert csv_export["Content-Type"].startswith("text/csv")
    assert csv_export.content.decode().splitlines()[0].startswith("blotter,order_id,symbol")
    # and the fills come back
    fills = [
        {
            "fill_id": f"F{i}",
            "order_id": int(row["order_id"]),
            "account_number": row["account_number"],
            "quantity": row["allocation_quantity"],
            "price": row["estimated_price"],
            "trade_date": "2025-07-01",
        }
        for i, row in enumerate(export)
    ]
    result = ok(
        api.post(f"/api/v1/blotters/{blotter['id']}/fills/", {"rows": fills}, format="json")
    )
    # then the lots follow the fills
    assert result["fills"] == len(fills)
    assert result["blotter"]["status"] == "filled"
    after = ok(api.get(f"/api/v1/accounts/{account['id']}/positions/?as_of={AS_OF}"))
    held = {p["symbol"]: Decimal(p["quantity"]) for p in after}
    expected = {"VTI": Decimal(100), "BND": Decimal(100)}
    for row in export:
        sign = 1 if row["side"] == "buy" else -1
        expected[row["symbol"]] += sign * Decimal(row["allocation_quantity"])
    assert held == {k: v for k, v in expected.items() if v}
