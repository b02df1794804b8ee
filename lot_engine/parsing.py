"""Validation of the contract's JSON (already decoded) into an :class:`EngineInput`.

Checks everything that can be checked without applying the transactions: types,
dates, numbers, ids, methods and tax statuses. Breaches found while applying them (an
oversell, a lot that is not held) are raised by the engine with the same error type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from money import plain_digits

from .errors import LotEngineInputError
from .types import (
    AccountSpec,
    ActionKind,
    CorporateAction,
    EngineInput,
    LotPick,
    Method,
    TaxStatus,
    Transaction,
    TransactionType,
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_METHODS = ", ".join(m.value for m in Method)
_STATUSES = ", ".join(s.value for s in TaxStatus)
_ACTION_KINDS = {k.value for k in ActionKind}
_KINDS = ", ".join(k.value for k in ActionKind)
_RATIO = re.compile(r"^\s*([0-9.]+)\s*[:/]\s*([0-9.]+)\s*$")


def parse_events(data: Any, /) -> EngineInput:
    """Validate decoded contract JSON and return the typed engine input.

    Raises :class:`LotEngineInputError` naming the transaction and field at fault.
    Numbers may be JSON strings, integers or ``Decimal`` (from
    ``json.loads(..., parse_float=Decimal)``); binary floats are refused.
    """
    if not isinstance(data, Mapping):
        raise LotEngineInputError(field="(root)", message="must be a JSON object")
    method = _parse_method(data.get("method", Method.FIFO.value), field="method")
    wash_sale = data.get("wash_sale", True)
    if not isinstance(wash_sale, bool):
        raise LotEngineInputError(field="wash_sale", message="must be true or false")
    accounts = _parse_accounts(data.get("accounts", {}))
    groups = _parse_groups(data.get("identical_groups", []))
    raw = data.get("transactions")
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise LotEngineInputError(field="transactions", message="must be a list")
    events = [_parse_event(item, index=i) for i, item in enumerate(raw)]
    transactions = tuple(e for e in events if isinstance(e, Transaction))
    actions = tuple(e for e in events if isinstance(e, CorporateAction))
    seen: set[str] = set()
    for txn in events:
        if txn.id in seen:
            raise LotEngineInputError(
                transaction_id=txn.id, field="id", message="is used by another transaction"
            )
        seen.add(txn.id)
    return EngineInput(
        transactions=transactions,
        method=method,
        wash_sale=wash_sale,
        accounts=accounts,
        identical_groups=groups,
        actions=actions,
    )


def _parse_method(value: Any, *, field: str) -> Method:
    try:
        return Method(value)
    except (ValueError, TypeError):
        raise LotEngineInputError(
            field=field, message=f"unknown method {value!r} (expected one of {_METHODS})"
        ) from None


def _parse_accounts(value: Any) -> tuple[tuple[str, AccountSpec], ...]:
    if not isinstance(value, Mapping):
        raise LotEngineInputError(field="accounts", message="must be an object")
    specs: list[tuple[str, AccountSpec]] = []
    for name in sorted(value):
        entry = value[name]
        field = f"accounts.{name}"
        if not isinstance(name, str) or not name:
            raise LotEngineInputError(field="accounts", message="names must be non-empty")
        if not isinstance(entry, Mapping):
            raise LotEngineInputError(field=field, message="must be an object")
        status_value = entry.get("tax_status", TaxStatus.TAXABLE.value)
        try:
            status = TaxStatus(status_value)
        except (ValueError, TypeError):
            raise LotEngineInputError(
                field=f"{field}.tax_status",
                message=f"unknown tax status {status_value!r} (expected one of {_STATUSES})",
            ) from None
        method = None
        if entry.get("method") is not None:
            method = _parse_method(entry["method"], field=f"{field}.method")
        specs.append((name, AccountSpec(tax_status=status, method=method)))
    return tuple(specs)


def _parse_groups(value: Any) -> tuple[tuple[str, ...], ...]:
    """Identical groups; groups that share a symbol are merged into one."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise LotEngineInputError(field="identical_groups", message="must be a list of lists")
    merged: list[set[str]] = []
    for i, group in enumerate(value):
        if not isinstance(group, Sequence) or isinstance(group, str | bytes):
            raise LotEngineInputError(
                field=f"identical_groups[{i}]", message="must be a list of symbols"
            )
        symbols = set()
        for symbol in group:
            if not isinstance(symbol, str) or not symbol:
                raise LotEngineInputError(
                    field=f"identical_groups[{i}]", message="symbols must be non-empty strings"
                )
            symbols.add(symbol)
        overlapping = [g for g in merged if g & symbols]
        for g in overlapping:
            symbols |= g
            merged.remove(g)
        merged.append(symbols)
    return tuple(sorted(tuple(sorted(g)) for g in merged if len(g) > 1))


def _parse_event(item: Any, *, index: int) -> Transaction | CorporateAction:
    if not isinstance(item, Mapping):
        raise LotEngineInputError(index=index, field="(transaction)", message="must be an object")
    txn_id = item.get("id")
    if not isinstance(txn_id, str) or not txn_id.strip():
        raise LotEngineInputError(index=index, field="id", message="is missing or empty")
    if item.get("type") in _ACTION_KINDS:
        return parse_action(item, index=index, action_id=txn_id)
    return _parse_transaction(item, index=index, txn_id=txn_id)


def _parse_transaction(item: Mapping[str, Any], *, index: int, txn_id: str) -> Transaction:
    def fail(field: str, message: str) -> LotEngineInputError:
        return LotEngineInputError(transaction_id=txn_id, field=field, message=message)

    date = _parse_date(item.get("date"), fail=fail)
    account = item.get("account")
    if not isinstance(account, str) or not account:
        raise fail("account", "is missing or empty")
    type_value = item.get("type")
    if type_value not in {t.value for t in TransactionType}:
        raise fail(
            "type",
            f"must be 'buy', 'sell', 'gift' or a corporate action ({_KINDS}), not {type_value!r}",
        )
    txn_type = TransactionType(str(type_value))
    symbol = item.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise fail("symbol", "is missing or empty")
    quantity = _parse_decimal(item.get("quantity"), field="quantity", fail=fail)
    if quantity <= 0:
        raise fail("quantity", f"must be greater than 0, not {quantity}")
    amount = _parse_decimal(item.get("amount"), field="amount", fail=fail)
    if amount < 0:
        raise fail("amount", f"must not be negative, not {amount}")
    lots = None
    if item.get("lots") is not None:
        if txn_type is TransactionType.BUY:
            raise fail("lots", "only a sale or a gift can name lots")
        lots = _parse_lots(item["lots"], quantity=quantity, fail=fail)
    return Transaction(
        id=txn_id,
        date=date,
        account=account,
        type=txn_type,
        symbol=symbol,
        quantity=quantity,
        amount=amount,
        index=index,
        lots=lots,
    )


def _parse_date(value: Any, *, fail: Any) -> dt.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise fail("date", f"must be a date YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail("date", f"is not a valid date: {value!r}") from None


def _parse_decimal(value: Any, *, field: str, fail: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise fail(field, f'must be a decimal string such as "12.50", not {value!r}')
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise fail(field, f"is not a number: {value!r}") from None
    else:
        raise fail(field, "is missing" if value is None else f"is not a number: {value!r}")
    if not number.is_finite():
        raise fail(field, f"must be a finite number, not {value!r}")
    return number


def _parse_lots(value: Any, *, quantity: Decimal, fail: Any) -> tuple[LotPick, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str | bytes) or not value:
        raise fail("lots", "must be a non-empty list of {lot, quantity}")
    picks = []
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise fail(f"lots[{i}]", "must be an object {lot, quantity}")
        lot = entry.get("lot")
        if not isinstance(lot, str) or not lot:
            raise fail(f"lots[{i}].lot", "is missing or empty")
        pick_quantity = _parse_decimal(
            entry.get("quantity"), field=f"lots[{i}].quantity", fail=fail
        )
        if pick_quantity <= 0:
            raise fail(f"lots[{i}].quantity", f"must be greater than 0, not {pick_quantity}")
        picks.append(LotPick(lot=lot, quantity=pick_quantity))
    total = sum((p.quantity for p in picks), Decimal(0))
    if total != quantity:
        raise fail(
            "lots",
            f"quantities add up to {plain_digits(total)}, "
            f"but the sale is of {plain_digits(quantity)}",
        )
    return tuple(picks)


def parse_action(item: Mapping[str, Any], *, index: int, action_id: str) -> CorporateAction:
    """One corporate action; the fields each kind needs are in :mod:`lot_engine.actions`.

    Refused: a ratio of 0 (or below), a spin-off's ``basis_fraction`` outside 0 to 1, a
    merger for both cash and stock (or neither), an ex-date after the pay date, a new
    symbol equal to the old, and an ``account`` (an action applies to every holder).
    """

    def fail(field: str, message: str) -> LotEngineInputError:
        return LotEngineInputError(transaction_id=action_id, field=field, message=message)

    kind = ActionKind(str(item.get("type")))
    date = _parse_date(item.get("date"), fail=fail)
    symbol = item.get("symbol")
    if not isinstance(symbol, str) or not symbol:
        raise fail("symbol", "is missing or empty")
    if item.get("account") is not None:
        raise fail("account", "a corporate action applies to every holder: name no account")

    def number(field: str, *, required: bool, allow_zero: bool = False) -> Decimal | None:
        if item.get(field) is None:
            if required:
                raise fail(field, f"is required for a {kind.value}")
            return None
        value = _parse_decimal(item.get(field), field=field, fail=fail)
        if value < 0 or (value == 0 and not allow_zero):
            raise fail(field, f"must be greater than 0, not {plain_digits(value)}")
        return value

    new_symbol = item.get("new_symbol")
    needs_symbol = kind in (ActionKind.SPIN_OFF, ActionKind.SYMBOL_CHANGE)
    if new_symbol is not None or needs_symbol:
        if not isinstance(new_symbol, str) or not new_symbol:
            raise fail("new_symbol", f"is required for a {kind.value}")
        if new_symbol == symbol:
            raise fail("new_symbol", "must differ from symbol")
    ex_date = None
    if item.get("ex_date") is not None:
        ex_date = _parse_date(item.get("ex_date"), fail=lambda f, m: fail("ex_date", m))
        if ex_date > date:
            raise fail("ex_date", f"is after the pay date {date.isoformat()}")
    dividend = kind in (ActionKind.CASH_DIVIDEND, ActionKind.REINVESTED_DIVIDEND)
    cash = number("cash_per_share", required=dividend)
    ratio = None
    if kind in (ActionKind.SPLIT, ActionKind.SPIN_OFF) or (
        kind is ActionKind.MERGER and new_symbol is not None
    ):
        ratio = _parse_ratio(item.get("ratio"), kind=kind, fail=fail)
    if kind is ActionKind.MERGER and (cash is None) == (new_symbol is None):
        raise fail("cash_per_share", "a merger is for cash (cash_per_share) or stock (new_symbol)")
    basis_fraction = None
    if kind is ActionKind.SPIN_OFF:
        basis_fraction = number("basis_fraction", required=True, allow_zero=True)
        if basis_fraction is not None and basis_fraction > 1:
            raise fail(
                "basis_fraction",
                f"is the part of the basis that moves to the child: at most 1, "
                f"not {plain_digits(basis_fraction)}",
            )
    return CorporateAction(
        id=action_id,
        date=date,
        kind=kind,
        symbol=symbol,
        index=index,
        ex_date=ex_date if dividend else None,
        ratio=ratio,
        new_symbol=new_symbol if isinstance(new_symbol, str) else None,
        cash_per_share=cash,
        price=number("price", required=kind is ActionKind.REINVESTED_DIVIDEND),
        basis_fraction=basis_fraction,
    )


def _parse_ratio(value: Any, *, kind: ActionKind, fail: Any) -> tuple[Decimal, Decimal]:
    """``"3:2"`` or ``"3/2"`` (3 new shares for 2 old) or a number of new shares per old."""
    if value is None:
        raise fail("ratio", f"is required for a {kind.value}")
    match = _RATIO.match(value) if isinstance(value, str) else None
    if match:
        try:
            new, old = Decimal(match[1]), Decimal(match[2])
        except InvalidOperation:
            raise fail("ratio", f"is not a ratio such as '3:2': {value!r}") from None
    else:
        new, old = _parse_decimal(value, field="ratio", fail=fail), Decimal(1)
    if new <= 0 or old <= 0:
        raise fail("ratio", f"must be greater than 0, not {value!r}")
    return new, old
