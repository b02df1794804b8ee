"""The six worked examples in shared/cases/optimize, with their plain-words expectations."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from optimizer import optimize_account, result_to_dict
from tests.optimizer.invariants import check_invariants, realized, tax_per_share

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "optimize"


def _load(name: str) -> tuple[dict, dict]:
    path = CASES / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    case = json.loads(path.read_text())["input"]
    return case, result_to_dict(optimize_account(case))


def _trades(result: dict, side: str) -> dict[str, dict]:
    return {t["symbol"]: t for t in result["trades"] if t["side"] == side}


def _lot_order_ok(case: dict, trade: dict) -> bool:
    """Lots relieved in increasing tax per share."""
    lots = {lot["id"]: lot for lot in case["lots"]}
    taxes = [tax_per_share(case, lots[r["lot"]]) for r in trade["lots"]]
    return taxes == sorted(taxes)


def test_contract_example() -> None:
    case, result = _load("01-contract-example.json")

    assert result["status"] == "optimal"
    assert check_invariants(case, result) == []
    bought = _trades(result, "buy")
    assert not {"VTI", "ITOT", "XOM"} & set(bought)
    assert "XOM" not in _trades(result, "sell")
    assert Decimal(result["cash_after"]) >= Decimal("1500.00")
    total, short = realized(result)
    assert short <= 0 and total <= Decimal("10000.00")
    assert "BND" in bought
    vti = _trades(result, "sell").get("VTI")
    if vti is not None:
        assert vti["lots"][0]["lot"] == "L2"


def test_tax_exempt_rebalance_ends_close_to_target() -> None:
    case, result = _load("02-tax-exempt-rebalance.json")

    assert result["status"] == "optimal"
    assert check_invariants(case, result) == []
    assert result["summary"]["drift_before"] == "0.4162"
    assert Decimal(result["summary"]["drift_after"]) <= Decimal("0.02")
    assert "VTI" in _trades(result, "sell")
    assert {"VEA", "BND"} <= set(_trades(result, "buy"))
    assert Decimal(result["summary"]["estimated_tax"]) == 0


def test_cash_withdrawal_under_gain_cap_relieves_cheapest_lots_first() -> None:
    case, result = _load("03-cash-withdrawal.json")

    assert result["status"] == "optimal"
    assert check_invariants(case, result) == []
    assert Decimal(result["cash_after"]) >= Decimal("20500.00")
    assert realized(result)[0] <= Decimal("5000.00")
    sales = _trades(result, "sell")
    assert all("raise_cash" in t["reasons"] for t in sales.values())
    voo = sales["VOO"]
    assert _lot_order_ok(case, voo)
    assert voo["lots"][0]["lot"] == "B"


def test_harvest_with_swap_partner() -> None:
    case, result = _load("04-harvest-swap-partner.json")

    assert result["status"] == "optimal"
    assert check_invariants(case, result) == []
    vea = _trades(result, "sell")["VEA"]
    assert any(Decimal(r["gain"]) < 0 for r in vea["lots"])
    bought = _trades(result, "buy")
    assert not {"VEA", "SCHF"} & set(bought)
    assert "IEFA" in bought
    assert {"tax_loss_harvest", "tax_swap"} & set(vea["reasons"] + bought["IEFA"]["reasons"])


def test_wash_sale_block() -> None:
    case, result = _load("05-wash-sale-block.json")

    assert result["status"] == "optimal"
    assert check_invariants(case, result) == []
    assert not {"VOO", "IVV"} & set(_trades(result, "buy"))
    vti = _trades(result, "sell").get("VTI")
    if vti is not None:
        assert [r["lot"] for r in vti["lots"]] == ["W2"]


def test_infeasible_withdrawal_names_the_conflict() -> None:
    case, result = _load("06-infeasible-withdrawal.json")

    assert result["status"] == "infeasible"
    assert result["trades"] == []
    message = result["message"]
    assert "$20,500.00" in message
    assert "do-not-sell" in message and "hold" in message
    assert "VTI" in message and "XOM" in message
