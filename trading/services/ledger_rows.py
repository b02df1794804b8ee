"""Checking transaction rows before the lot ledger records them.

Every row is checked and every problem collected, naming the row (1-based) and the field,
so an import is refused whole with all its errors at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from firms.models import Firm
from models_library.models import Security
from money import plain_digits
from rebalancer.errors import DomainError, ValidationFailed
from trading.models import Transaction, TransactionType
from trading.services.event_dates import firm_today, money_event_date

QUANTITY_PLACES = 6
QUANTITY_DIGITS = 20
AMOUNT_PLACES = 2
AMOUNT_DIGITS = 18

Errors = list[tuple[int | None, str | None, str]]


def clean_rows(*, firm: Firm, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every row checked, every error collected; raises :class:`ValidationFailed`."""
    errors: Errors = []
    symbols = {str(r.get("symbol", "")).strip() for r in rows if isinstance(r, Mapping)}
    securities = {s.symbol: s for s in Security.objects.filter(symbol__in=symbols)}
    ids = [
        str(r.get("external_id", r.get("id", ""))).strip() for r in rows if isinstance(r, Mapping)
    ]
    taken = set(
        Transaction.objects.for_firm(firm)
        .filter(external_id__in=ids)
        .values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    cleaned = []
    today = firm_today(firm=firm)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            errors.append((number, None, "must be an object with the transaction's fields"))
            continue
        values = _clean_row(
            row, number=number, errors=errors, securities=securities, firm=firm, today=today
        )
        external_id = values.get("external_id")
        if external_id in taken or external_id in seen:
            errors.append((number, "external_id", f"{external_id!r} is already recorded"))
        if external_id:
            seen.add(external_id)
        cleaned.append(values)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _clean_row(
    row: Mapping[str, Any],
    *,
    number: int,
    errors: Errors,
    securities: dict[str, Security],
    firm: Firm,
    today: dt.date,
) -> dict[str, Any]:
    def error(field: str, message: str) -> None:
        errors.append((number, field, message))

    values: dict[str, Any] = {}
    external_id = str(row.get("external_id", row.get("id")) or "").strip()
    if not external_id or len(external_id) > 80:
        error("external_id", "is required (at most 80 characters)")
    values["external_id"] = external_id
    try:
        values["date"] = money_event_date(
            row.get("date"), firm=firm, row=number, field="date", today=today
        )
    except DomainError as exc:
        error("date", exc.message)
        values["date"] = None
    if row.get("type") not in TransactionType.values:
        error("type", f"must be 'buy', 'sell' or 'gift', not {row.get('type')!r}")
    values["type"] = row.get("type")
    symbol = str(row.get("symbol") or "").strip()
    if symbol not in securities:
        error("symbol", f"{symbol!r} is not in the security master")
    values["security"] = securities.get(symbol)
    values["quantity"] = _clean_decimal(
        row.get("quantity"),
        field="quantity",
        places=QUANTITY_PLACES,
        max_digits=QUANTITY_DIGITS,
        positive=True,
        error=error,
    )
    values["amount_usd"] = _clean_decimal(
        row.get("amount_usd", row.get("amount")),
        field="amount_usd",
        places=AMOUNT_PLACES,
        max_digits=AMOUNT_DIGITS,
        positive=False,
        error=error,
    )
    values["specific_lots"] = _clean_lots(row.get("lots"), values=values, error=error)
    return values


def _clean_decimal(
    value: Any, *, field: str, places: int, max_digits: int, positive: bool, error: Any
) -> Decimal | None:
    """A non-negative (or positive) decimal that fits its column: at most ``places``
    decimals and ``max_digits`` digits in all."""
    if isinstance(value, float | bool) or value is None:
        error(field, f"must be a decimal number written as text, not {value!r}")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        error(field, f"is not a number: {value!r}")
        return None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        error(field, f"must be {'greater than 0' if positive else 'at least 0'}, not {value!r}")
        return None
    if number.adjusted() >= max_digits - places:
        error(field, f"is too large: {value!r}")
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        error(field, f"has more than {places} decimal places: {value!r}")
        return None
    return number


def _clean_lots(value: Any, *, values: dict[str, Any], error: Any) -> list[dict] | None:
    if value in (None, []):
        return None
    if values["type"] not in (TransactionType.SELL, TransactionType.GIFT):
        error("lots", "only a sale or a gift can name lots")
        return None
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        error("lots", "must be a list of {lot, quantity}")
        return None
    picks = []
    total: Decimal | None = Decimal(0)
    for i, pick in enumerate(value):
        lot = str(pick.get("lot") or "").strip() if isinstance(pick, Mapping) else ""
        quantity = _clean_decimal(
            pick.get("quantity") if isinstance(pick, Mapping) else None,
            field=f"lots[{i}].quantity",
            places=QUANTITY_PLACES,
            max_digits=QUANTITY_DIGITS,
            positive=True,
            error=error,
        )
        if not lot:
            error(f"lots[{i}].lot", "is required")
        if quantity is None or total is None:
            total = None
            continue
        total += quantity
        picks.append({"lot": lot, "quantity": str(quantity)})
    sale_quantity = values.get("quantity")
    if total is not None and sale_quantity is not None and total != sale_quantity:
        added, sold = plain_digits(total), plain_digits(sale_quantity)
        error("lots", f"quantities add up to {added}, but the sale is of {sold}")
    return picks
