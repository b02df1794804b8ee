"""Builders for contract input in tests: short, explicit transactions."""

from __future__ import annotations

from typing import Any


def buy(
    txn_id: str, date: str, quantity: str, amount: str, *, symbol: str = "X", account: str = "TAX-1"
) -> dict[str, Any]:
    return {
        "id": txn_id,
        "date": date,
        "account": account,
        "type": "buy",
        "symbol": symbol,
        "quantity": quantity,
        "amount": amount,
    }


def sell(
    txn_id: str,
    date: str,
    quantity: str,
    amount: str,
    *,
    symbol: str = "X",
    account: str = "TAX-1",
    lots: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": txn_id,
        "date": date,
        "account": account,
        "type": "sell",
        "symbol": symbol,
        "quantity": quantity,
        "amount": amount,
    }
    if lots is not None:
        event["lots"] = [{"lot": lot, "quantity": q} for lot, q in lots]
    return event


def household(
    *transactions: dict[str, Any],
    method: str = "FIFO",
    wash_sale: bool = True,
    ira: bool = False,
    groups: list[list[str]] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "method": method,
        "wash_sale": wash_sale,
        "transactions": list(transactions),
    }
    if ira:
        data["accounts"] = {
            "TAX-1": {"tax_status": "taxable"},
            "IRA-1": {"tax_status": "tax_deferred"},
        }
    if groups:
        data["identical_groups"] = groups
    return data


def lots_of(output: dict[str, Any], lot_id: str) -> list[dict[str, str]]:
    return [lot for lot in output["lots"] if lot["id"] == lot_id]


def rows_of(output: dict[str, Any], sale_id: str) -> list[dict[str, str]]:
    return [row for row in output["realized"] if row["sale"] == sale_id]
