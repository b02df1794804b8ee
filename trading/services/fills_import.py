"""A fills file (CSV) imported into the lot ledger: applied whole or not at all, with every
bad row named; the blotter and its proposals are marked filled, with the audit record."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import F

from firms.models import Firm
from firms.services.audit import audit_record
from money import cents_half_even, plain_digits
from rebalancer.actors import Actor
from rebalancer.decimals import column_decimal
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from rebalancer.transitions import transition
from trading.models import (
    Blotter,
    BlotterStatus,
    CashBalance,
    Fill,
    Proposal,
    ProposalStatus,
    ProposedTrade,
)
from trading.selectors.blotters import blotter_allocations
from trading.services.blotters import require_trader
from trading.services.event_dates import firm_today, money_event_date
from trading.services.lot_ledger import transactions_record

FILL_COLUMNS = ["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"]
# the ledger records a fill as the transaction "fill-<fill_id>", in 80 characters
FILL_ID_MAX_LENGTH = 75
# a ledger row's field as the fills file's column
LEDGER_FIELD_COLUMNS = {
    "external_id": "fill_id",
    "date": "trade_date",
    "amount_usd": "price",
    "symbol": "order_id",
    "type": "order_id",
    "lots": "quantity",
}


def _proposals_mark_filled(*, proposal_ids: set[int]) -> None:
    """Approved proposals among ``proposal_ids`` whose every trade has its fills become
    filled: the ledger now holds their trades, so they no longer count as pending."""
    waiting = (
        ProposedTrade.objects.filter(proposal_id__in=proposal_ids, held=False)
        .exclude(filled_quantity__gte=F("quantity"))
        .values_list("proposal_id", flat=True)
    )
    done = Proposal.objects.filter(
        pk__in=proposal_ids - set(waiting), status=ProposalStatus.APPROVED
    ).order_by("pk")
    for proposal in done.select_for_update():
        transition(proposal, to=ProposalStatus.FILLED)


def _parse_fills(*, blotter: Blotter, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FILL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed([(None, c, "column is missing") for c in missing])
    allocations = {
        (t.order_id, t.proposal.account.account_number): t
        for t in blotter_allocations(blotter=blotter)
    }
    errors: list[tuple[int | None, str | None, str]] = []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    filled: dict[int, Decimal] = defaultdict(Decimal)
    today = firm_today(firm=blotter.firm)
    for number, raw in enumerate(reader, start=2):

        def bad(field: str, message: str, number=number) -> None:
            errors.append((number, field, message))

        nul = next((c for c in FILL_COLUMNS if "\x00" in (raw.get(c) or "")), None)
        if nul is not None:
            bad(nul, "contains a NUL character")
            continue
        try:
            order_id = int(raw["order_id"])
        except (TypeError, ValueError):
            bad("order_id", f"{raw['order_id']!r} is not an order of this blotter")
            continue
        trade = allocations.get((order_id, (raw["account_number"] or "").strip()))
        if trade is None:
            bad("account_number", "no allocation of that order to this account")
            continue
        fill_id = (raw["fill_id"] or "").strip()
        if not fill_id or fill_id in seen:
            bad("fill_id", "is required and must be unique")
        elif len(fill_id) > FILL_ID_MAX_LENGTH:
            bad("fill_id", f"is longer than {FILL_ID_MAX_LENGTH} characters")
        seen.add(fill_id)
        quantity, price = _fill_number(raw, "quantity", bad), _fill_number(raw, "price", bad)
        if quantity is None or price is None:
            continue
        try:
            trade_date = money_event_date(
                raw["trade_date"], firm=blotter.firm, row=number, field="trade_date", today=today
            )
        except DomainError as exc:
            bad("trade_date", exc.message)
            continue
        if quantity <= 0 or price <= 0:
            bad("quantity", "quantity and price must be greater than zero")
            continue
        filled[trade.pk] += quantity
        if trade.filled_quantity + filled[trade.pk] > trade.quantity:
            bad("quantity", f"fills exceed the allocation of {plain_digits(trade.quantity)}")
            continue
        rows.append(
            {
                "trade": trade,
                "line": number,
                "fill_id": fill_id,
                "quantity": quantity,
                "price": price,
                "date": trade_date,
            }
        )
    if not errors and not rows:
        errors.append((None, None, "the file has no fills"))
    if Fill.objects.filter(firm=blotter.firm, external_id__in=seen).exists():
        errors.append((None, "fill_id", "some fill ids were imported before"))
    if errors:
        raise ValidationFailed(errors)
    return rows


def _fill_number(raw: dict, column: str, bad: Any) -> Decimal | None:
    """The column's number, if the fills table can store it; else None, the error noted."""
    field = Fill._meta.get_field(column)
    if not isinstance(field, models.DecimalField):
        raise TypeError(f"Fill.{column} is not a decimal column")
    try:
        return column_decimal(raw[column], column=field)
    except ValueError as exc:
        bad(column, str(exc))
        return None


def _ledger_errors_as_lines(exc: ValidationFailed, account_rows: list[dict]) -> ValidationFailed:
    """The ledger's errors (rows of one account's records) named by the fills file's line
    and column."""
    errors = []
    for row, field, message in exc.errors:
        line = account_rows[row - 1]["line"] if row and row <= len(account_rows) else None
        base = (field or "").split("[")[0].split(".")[0]
        errors.append((line, LEDGER_FIELD_COLUMNS.get(base, base or None), message))
    return ValidationFailed(errors)


def _sale_lots(trade: ProposedTrade, quantity: Decimal) -> list[dict]:
    """Specific identification: the lots the proposal chose, after what was filled before."""
    skip, left = trade.filled_quantity, quantity
    picks: defaultdict[str, Decimal] = defaultdict(Decimal)
    for lot in trade.lots:
        available = Decimal(lot["quantity"])
        used = min(skip, available)
        skip -= used
        take = min(available - used, left)
        if take > 0:
            picks[lot["lot"].split("#")[0]] += take
            left -= take
    return [{"lot": lot, "quantity": str(q)} for lot, q in picks.items()]


@transaction.atomic
def fills_import_csv(*, firm: Firm, actor: Actor, blotter: Blotter, text: str) -> int:
    """Record fills (columns ``fill_id, order_id, account_number, quantity, price,
    trade_date``) as transactions through the lot engine, and update cash."""
    require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=blotter.pk, firm=firm)
    if blotter.status == BlotterStatus.FILLED:
        raise InvalidTransition("this blotter is filled: every allocation has its fills")
    if blotter.status != BlotterStatus.EXPORTED:
        raise InvalidTransition("fills can be imported only after the orders are exported")
    rows = _parse_fills(blotter=blotter, text=text)
    by_account: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_account[row["trade"].proposal.account_id].append(row)
    for account_rows in by_account.values():
        account = account_rows[0]["trade"].proposal.account
        records = []
        for row in account_rows:
            trade = row["trade"]
            amount = cents_half_even(row["quantity"] * row["price"])
            record = {
                "external_id": f"fill-{row['fill_id']}",
                "date": row["date"],
                "type": trade.side,
                "symbol": trade.security.symbol,
                "quantity": row["quantity"],
                "amount_usd": amount,
            }
            if trade.side == "sell" and trade.lots:
                record["lots"] = _sale_lots(trade, row["quantity"])
            records.append(record)
            trade.filled_quantity += row["quantity"]
            ProposedTrade.objects.filter(pk=trade.pk).update(filled_quantity=trade.filled_quantity)
        try:
            ledger = transactions_record(firm=firm, account=account, rows=records, actor=actor)
        except ValidationFailed as exc:
            raise _ledger_errors_as_lines(exc, account_rows) from exc
        cash_change = sum(
            (r["amount_usd"] if r["type"] == "sell" else -r["amount_usd"] for r in records),
            Decimal(0),
        )
        balance, _ = CashBalance.objects.get_or_create(
            firm=firm, account=account, defaults={"as_of": rows[0]["date"]}
        )
        balance.amount_usd += cash_change
        balance.as_of = max(r["date"] for r in records)
        balance.save()
        for row, txn in zip(account_rows, ledger.transactions, strict=True):
            Fill.objects.create(
                firm=firm,
                order=row["trade"].order,
                account=account,
                external_id=row["fill_id"],
                quantity=row["quantity"],
                price=row["price"],
                trade_date=row["date"],
                transaction=txn,
                imported_by=actor.user,
            )
    _proposals_mark_filled(proposal_ids={row["trade"].proposal_id for row in rows})
    if (
        not ProposedTrade.objects.filter(order__blotter=blotter)
        .exclude(filled_quantity__gte=F("quantity"))
        .exists()
    ):
        transition(blotter, to=BlotterStatus.FILLED)
    audit_record(
        firm=firm,
        actor=actor,
        action="fills.import",
        obj=blotter,
        after={"fills": len(rows), "accounts": len(by_account)},
    )
    return len(rows)
