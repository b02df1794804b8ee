"""Contract JSON (already decoded to a dict) into a typed `Case`.

Every error names the case (the account id, when it can be read) and the field, e.g.
`lots[2].cost_basis`. Decimals are accepted as strings or JSON numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from optimizer.contract.check import check_equivalents
from optimizer.contract.parse_preferences import preferences_from
from optimizer.contract.parse_risk_model import risk_model_from
from optimizer.contract.reader import Reader
from optimizer.types import (
    TAX_STATUSES,
    Case,
    Lots,
    RecentBuy,
    RecentLossSale,
    Securities,
)


def parse_case(data: Any) -> Case:
    """Turn one decoded contract case into a `Case`; raise `OptimizerInputError` if it breaks
    the contract."""
    case_id = "?"
    if isinstance(data, dict) and isinstance(data.get("account"), dict):
        raw_id = data["account"].get("id")
        case_id = raw_id if isinstance(raw_id, str) and raw_id else "?"
    reader = Reader(case=case_id)
    data = reader.obj(data, "case", required=True)
    account = reader.obj(data.get("account"), "account", required=True)
    account_id = reader.text(account.get("id"), "account.id")
    tax_status = account.get("tax_status") or "taxable"
    if tax_status not in TAX_STATUSES:
        raise reader.fail("account.tax_status", f"must be one of {', '.join(TAX_STATUSES)}")
    securities = _securities(reader=reader, value=data.get("securities"))
    prefs_raw = reader.obj(data.get("preferences"), "preferences")
    wash_raw = reader.obj(data.get("wash_sale"), "wash_sale")
    return Case(
        account_id=account_id,
        as_of=reader.day(data.get("as_of"), "as_of"),
        tax_status=tax_status,
        cash=reader.decimal(account.get("cash"), "account.cash", default=Decimal("0")),
        securities=securities,
        lots=_lots(reader=reader, value=data.get("lots"), securities=securities),
        target=_target(reader=reader, value=data.get("target"), securities=securities),
        preferences=preferences_from(reader=reader, raw=prefs_raw, securities=securities),
        equivalents=_equivalents(reader=reader, value=data.get("equivalents")),
        recent_buys=tuple(
            RecentBuy(
                symbol=reader.symbol(
                    item.get("symbol"), f"wash_sale.recent_buys[{i}].symbol", securities
                ),
                date=reader.day(item.get("date"), f"wash_sale.recent_buys[{i}].date"),
                quantity=reader.maybe_decimal(
                    item.get("quantity"), f"wash_sale.recent_buys[{i}].quantity"
                ),
            )
            for i, item in reader.items(wash_raw.get("recent_buys"), "wash_sale.recent_buys")
        ),
        recent_loss_sales=tuple(
            RecentLossSale(
                symbol=reader.symbol(
                    item.get("symbol"), f"wash_sale.recent_loss_sales[{i}].symbol", securities
                ),
                date=reader.day(item.get("date"), f"wash_sale.recent_loss_sales[{i}].date"),
            )
            for i, item in reader.items(
                wash_raw.get("recent_loss_sales"), "wash_sale.recent_loss_sales"
            )
        ),
        risk_model=risk_model_from(reader=reader, value=data.get("risk_model")),
    )


def _equivalents(*, reader: Reader, value: Any) -> tuple[tuple[str, ...], ...]:
    """Equivalence sets: lists of two or more symbols, each symbol in one set at most. A
    symbol need not be in `securities` (a firm's list names funds an account may not hold)."""
    sets = []
    for i, members in enumerate(reader.seq(value, "equivalents")):
        field = f"equivalents[{i}]"
        listed = reader.seq(members, field)
        symbols = tuple(reader.text(s, f"{field}[{k}]") for k, s in enumerate(listed))
        sets.append(symbols)
    check_equivalents(sets, fail=reader.fail)
    return tuple(sets)


def _securities(*, reader: Reader, value: Any) -> Securities:
    raw = reader.obj(value, "securities")
    rows = []
    for symbol, spec in raw.items():
        field = f"securities.{symbol}"
        spec = reader.obj(spec, field, required=True)
        price = reader.decimal(spec.get("price"), f"{field}.price")
        if price <= 0:
            raise reader.fail(f"{field}.price", "must be positive")
        asset_class = reader.maybe_text(spec.get("asset_class"), f"{field}.asset_class")
        sector = spec.get("sector")
        if sector is not None and not isinstance(sector, str):
            raise reader.fail(f"{field}.sector", "must be a string or null")
        group = reader.maybe_text(spec.get("identical_group"), f"{field}.identical_group")
        rows.append(
            (
                symbol,
                price,
                asset_class or f"__own__:{symbol}",
                sector,
                group or f"__own__:{symbol}",
            )
        )
    return Securities.from_rows(rows)


def _lots(*, reader: Reader, value: Any, securities: Securities) -> Lots:
    rows = []
    seen: set[str] = set()
    for i, item in reader.items(value, "lots"):
        field = f"lots[{i}]"
        lot_id = reader.text(item.get("id"), f"{field}.id")
        if lot_id in seen:
            raise reader.fail(f"{field}.id", f"duplicate lot id {lot_id!r}")
        seen.add(lot_id)
        quantity = reader.nonneg(item.get("quantity"), f"{field}.quantity")
        if quantity == 0:
            raise reader.fail(f"{field}.quantity", "must be positive")
        rows.append(
            (
                lot_id,
                reader.symbol(item.get("symbol"), f"{field}.symbol", securities),
                quantity,
                reader.nonneg(item.get("cost_basis"), f"{field}.cost_basis"),
                reader.day(item.get("acquired"), f"{field}.acquired"),
            )
        )
    return Lots.from_rows(rows)


def _target(*, reader: Reader, value: Any, securities: Securities) -> dict[str, Decimal]:
    raw = reader.obj(value, "target")
    target = {}
    for symbol, weight in raw.items():
        field = f"target.{symbol}"
        reader.symbol(symbol, field, securities)
        target[symbol] = reader.nonneg(weight, field)
    if sum(target.values(), Decimal("0")) > Decimal("1.000001"):
        raise reader.fail("target", "weights sum to more than 1")
    return target
