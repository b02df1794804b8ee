"""Importing the custodian's daily positions and cash, and comparing them with the ledger.

A statement is a set of rows ``(account_number, as_of, symbol, quantity)``; the symbol
``CASH`` carries the account's cash in dollars. The whole file is checked first (an
unknown account or symbol, a repeated row, a future date, a quantity that is not a
number: each named by row and field) and applied all or nothing. Each account's
statement is then compared with what the ledger holds now (its open lots, after every
fill and corporate action recorded, and its cash balance): a quantity that differs by
more than the account's reconciliation tolerance in shares, or cash by more than its
tolerance in dollars (a menu: the account's override, else its household's, else the
product default of 0.0001 shares and $1.00), puts the account out of balance, with the
differences, and keeps it out of the nightly run until a person resolves it
(``reconciliation_resolve``). Importing the same statement again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum

from accounts.models import Account
from accounts.selectors.preferences import effective_preferences_for_accounts
from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import Security
from money import ZERO_CENTS, cents_half_even, plain_digits
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from trading.models import CashBalance, Reconciliation, ReconciliationStatus, TaxLot
from trading.services.event_dates import firm_today, money_event_date

CASH_SYMBOL = "CASH"

Errors = list[tuple[int | None, str | None, str]]


@dataclass(frozen=True)
class Statement:
    """One account's rows on one day."""

    account: Account
    as_of: dt.date
    positions: dict[str, Decimal]
    cash_usd: Decimal


@dataclass(frozen=True)
class ReconciliationImported:
    accounts: int
    out_of_balance: tuple[str, ...]
    unchanged: int


@transaction.atomic
def custodian_positions_import(
    *, firm: Firm, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> ReconciliationImported:
    """Check every row, store each account's statement and its comparison; one audit
    event. Raises :class:`ValidationFailed` (row, field, message) and stores nothing."""
    statements = _statements(firm=firm, rows=rows)
    existing = {
        (r.account_id, r.as_of): r
        for r in Reconciliation.objects.for_firm(firm)
        .select_for_update()
        .filter(account__in=[s.account for s in statements])
    }
    tolerances = _tolerances(firm=firm, statements=statements)
    unchanged, flagged = 0, []
    for statement in statements:
        found = existing.get((statement.account.pk, statement.as_of))
        stored = _stored_positions(statement)
        if found is not None and (found.positions, found.cash_custodian_usd) == (
            stored,
            statement.cash_usd,
        ):
            unchanged += 1
            continue
        row = _compare(
            firm=firm,
            statement=statement,
            row=found,
            tolerance=tolerances[statement.account.pk],
        )
        if row.status == ReconciliationStatus.OUT_OF_BALANCE:
            flagged.append(statement.account.account_number)
    audit_record(
        firm=firm,
        actor=actor,
        action="reconciliation.import",
        object_type="trading.Reconciliation",
        object_id="bulk",
        object_repr=f"custodian statements of {len(statements)} accounts",
        after={"accounts": len(statements), "out_of_balance": flagged, "unchanged": unchanged},
    )
    return ReconciliationImported(
        accounts=len(statements), out_of_balance=tuple(flagged), unchanged=unchanged
    )


def _statements(*, firm: Firm, rows: Sequence[Mapping[str, Any]]) -> list[Statement]:
    if not rows:
        raise ValidationFailed([(None, "rows", "no positions given")])
    not_objects: Errors = [
        (row_no, None, "must be an object with the position's fields")
        for row_no, row in enumerate(rows, start=1)
        if not isinstance(row, Mapping)
    ]
    if not_objects:
        raise ValidationFailed(not_objects)
    numbers = {str(r.get("account_number", "")) for r in rows}
    accounts = {
        a.account_number: a
        for a in Account.objects.for_firm(firm).filter(account_number__in=numbers)
    }
    symbols = {str(r.get("symbol", "")) for r in rows}
    known = set(Security.objects.filter(symbol__in=symbols).values_list("symbol", flat=True))
    today = firm_today(firm=firm)
    errors: Errors = []
    first: dict[tuple[str, dt.date, str], int] = {}
    grouped: dict[tuple[str, dt.date], dict[str, Decimal]] = defaultdict(dict)
    for row_no, row in enumerate(rows, start=1):
        number, symbol = str(row.get("account_number", "")), str(row.get("symbol", ""))
        if number not in accounts:
            errors.append((row_no, "account_number", "is not an account of this firm"))
        if symbol != CASH_SYMBOL and symbol not in known:
            errors.append((row_no, "symbol", f"{symbol!r} is not in the security master"))
        quantity = _quantity(row.get("quantity"), row_no=row_no, symbol=symbol, errors=errors)
        try:
            as_of = money_event_date(
                row.get("as_of"), firm=firm, row=row_no, field="as_of", today=today
            )
        except DomainError as exc:
            errors.append((row_no, "as_of", exc.message))
            continue
        key = (number, as_of, symbol)
        if key in first:
            errors.append((row_no, "symbol", f"repeats row {first[key]} ({symbol} on {as_of})"))
            continue
        first[key] = row_no
        if quantity is not None:
            grouped[(number, as_of)][symbol] = quantity
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda e: e[0] or 0))
    return [
        Statement(
            account=accounts[number],
            as_of=as_of,
            positions={s: q for s, q in held.items() if s != CASH_SYMBOL},
            cash_usd=cents_half_even(held.get(CASH_SYMBOL, ZERO_CENTS)),
        )
        for (number, as_of), held in grouped.items()
    ]


def _quantity(value: Any, *, row_no: int, symbol: str, errors: Errors) -> Decimal | None:
    try:
        quantity = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        quantity = None
    if quantity is None or not quantity.is_finite():
        errors.append((row_no, "quantity", f"is not a number: {value!r}"))
        return None
    if quantity < 0 and symbol != CASH_SYMBOL:
        errors.append((row_no, "quantity", "a position may not be negative"))
    return quantity


@dataclass(frozen=True)
class Tolerance:
    """How far the custodian may differ from the ledger before an account is out of
    balance: shares of any one security, and dollars of cash."""

    quantity: Decimal
    cash_usd: Decimal


def _tolerances(*, firm: Firm, statements: Sequence[Statement]) -> dict[int, Tolerance]:
    accounts = {s.account.pk: s.account for s in statements}
    effective = effective_preferences_for_accounts(
        firm=firm, accounts=accounts.values(), as_of=firm_today(firm=firm)
    )
    return {
        pk: Tolerance(
            quantity=Decimal(prefs.values["reconciliation_quantity_tolerance"]),
            cash_usd=Decimal(prefs.values["reconciliation_cash_tolerance_usd"]),
        )
        for pk, prefs in effective.items()
    }


def _stored_positions(statement: Statement) -> dict[str, str]:
    return {s: plain_digits(q) for s, q in sorted(statement.positions.items())}


def _compare(
    *, firm: Firm, statement: Statement, row: Reconciliation | None, tolerance: Tolerance
) -> Reconciliation:
    """Compare the statement with the ledger now; store the result (new or replaced)."""
    ledger = ledger_positions(firm=firm, account=statement.account)
    balance = CashBalance.objects.for_firm(firm).filter(account=statement.account).first()
    cash_ledger = balance.amount_usd if balance is not None else ZERO_CENTS
    differences = position_differences(
        ledger=ledger,
        custodian=statement.positions,
        cash_ledger=cash_ledger,
        cash_custodian=statement.cash_usd,
        tolerance=tolerance,
    )
    row = row or Reconciliation(firm=firm, account=statement.account, as_of=statement.as_of)
    row.status = (
        ReconciliationStatus.OUT_OF_BALANCE if differences else ReconciliationStatus.BALANCED
    )
    row.positions = _stored_positions(statement)
    row.cash_custodian_usd = statement.cash_usd
    row.cash_ledger_usd = cash_ledger
    row.differences = differences
    row.resolved_by, row.resolved_at, row.note = "", None, ""
    row.save()
    return row


def ledger_positions(*, firm: Firm, account: Account) -> dict[str, Decimal]:
    """Shares held per symbol by the account's open lots."""
    return {
        symbol: quantity
        for symbol, quantity in TaxLot.objects.for_firm(firm)
        .filter(account=account)
        .values_list("security__symbol")
        .annotate(quantity=Sum("quantity"))
        .values_list("security__symbol", "quantity")
    }


def position_differences(
    *,
    ledger: Mapping[str, Decimal],
    custodian: Mapping[str, Decimal],
    cash_ledger: Decimal,
    cash_custodian: Decimal,
    tolerance: Tolerance,
) -> list[dict[str, str]]:
    """What differs beyond ``tolerance``, by symbol (then ``CASH``): a position only we
    hold (a missed sale, a phantom), one only the custodian holds (a missed fill), a
    different quantity, or different cash (an unreported dividend, a fee)."""
    differences = []
    for symbol in sorted(set(ledger) | set(custodian)):
        ours, theirs = ledger.get(symbol, Decimal(0)), custodian.get(symbol, Decimal(0))
        if abs(theirs - ours) > tolerance.quantity:
            differences.append(_difference(symbol, ours, theirs))
    if abs(cash_custodian - cash_ledger) > tolerance.cash_usd:
        differences.append(_difference(CASH_SYMBOL, cash_ledger, cash_custodian))
    return differences


def _difference(symbol: str, ours: Decimal, theirs: Decimal) -> dict[str, str]:
    return {
        "symbol": symbol,
        "ledger": plain_digits(ours),
        "custodian": plain_digits(theirs),
        "difference": plain_digits(theirs - ours),
    }


CSV_COLUMNS = ("account_number", "as_of", "symbol", "quantity")


def custodian_positions_import_csv(
    *, firm: Firm, actor: Actor, text: str
) -> ReconciliationImported:
    """The same import from a CSV with the columns ``account_number, as_of, symbol,
    quantity`` (rows numbered from the first data row)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ValidationFailed([(None, "file", f"needs the columns {', '.join(missing)}")])
    rows = [{c: (row.get(c) or "").strip() for c in CSV_COLUMNS} for row in reader]
    return custodian_positions_import(firm=firm, actor=actor, rows=rows)
