"""The trader's workflow: build a blotter from approved trades, approve it (four eyes when
the firm asks), export its orders as CSV, import fills as CSV into the lot ledger.

Every step is one transaction with its audit record; a fills file is applied whole or not
at all, with every bad row named.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import F, Max
from django.utils import timezone

from firms.models import Firm
from firms.permissions import Action, user_may
from firms.selectors.people import person_acting
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
    Order,
    Proposal,
    ProposalStatus,
    ProposedTrade,
)
from trading.models.blotters import OrderType, TimeInForce
from trading.selectors.blotters import LotToRelieve, sale_lots_to_relieve
from trading.services.event_dates import firm_today, money_event_date
from trading.services.lot_ledger import transactions_record

EXPORT_COLUMNS = [
    "blotter",
    "order_id",
    "symbol",
    "side",
    "order_quantity",
    "account_number",
    "allocation_quantity",
    "estimated_price",
    "order_type",
    "time_in_force",
    "versus_purchase",
]
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


def _require_trader(*, firm: Firm, actor: Actor) -> None:
    if not user_may(firm=firm, user=actor.user, action=Action.TRADE):
        raise DomainError("Only a trader of this firm may do this.", field="actor")


@transaction.atomic
def blotter_create(*, firm: Firm, actor: Actor) -> Blotter:
    """Gather every approved trade that no blotter holds yet into a new blotter."""
    _require_trader(firm=firm, actor=actor)
    trades = list(
        ProposedTrade.objects.for_firm(firm)
        .select_for_update()
        .filter(proposal__status=ProposalStatus.APPROVED, order__isnull=True, held=False)
        .select_related("security")
        .order_by("pk")
    )
    if not trades:
        raise ValidationFailed(
            [(None, "trades", "there are no approved trades to put on a blotter")]
        )
    number = (Blotter.objects.for_firm(firm).aggregate(n=Max("number"))["n"] or 0) + 1
    blotter = Blotter.objects.create(firm=firm, number=number, created_by=actor.user)
    blocks: dict[tuple[int, str], list[ProposedTrade]] = defaultdict(list)
    for trade in trades:
        blocks[(trade.security_id, trade.side)].append(trade)
    for (security_id, side), members in sorted(blocks.items()):
        order = Order.objects.create(
            firm=firm,
            blotter=blotter,
            security_id=security_id,
            side=side,
            quantity=sum((t.quantity for t in members), Decimal(0)),
            estimated_value_usd=sum((t.value_usd for t in members), Decimal(0)),
        )
        ProposedTrade.objects.filter(pk__in=[t.pk for t in members]).update(order=order)
    audit_record(
        firm=firm,
        actor=actor,
        action="blotter.create",
        obj=blotter,
        after={"orders": len(blocks), "trades": len(trades)},
    )
    return blotter


@transaction.atomic
def blotter_order_terms_set(
    *, firm: Firm, actor: Actor, blotter: Blotter, order_type: str, time_in_force: str
) -> Blotter:
    """Set the order type and time in force that every order of the blotter is exported
    with (market, day by default), until its orders are exported."""
    _require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=blotter.pk, firm=firm)
    if blotter.status in {BlotterStatus.EXPORTED, BlotterStatus.FILLED}:
        raise InvalidTransition("the orders are exported: their type and time in force stand")
    errors: list[tuple[int | None, str | None, str]] = []
    if order_type not in OrderType.values:
        errors.append((None, "order_type", f"{order_type!r} is not an order type offered"))
    if time_in_force not in TimeInForce.values:
        errors.append((None, "time_in_force", f"{time_in_force!r} is not a time in force offered"))
    if errors:
        raise ValidationFailed(errors)
    before = {"order_type": blotter.order_type, "time_in_force": blotter.time_in_force}
    after = {"order_type": order_type, "time_in_force": time_in_force}
    if before != after:
        Blotter.objects.filter(pk=blotter.pk).update(**after)
        audit_record(
            firm=firm,
            actor=actor,
            action="blotter.order_terms",
            obj=blotter,
            before=before,
            after=after,
        )
        blotter.refresh_from_db()
    return blotter


@transaction.atomic
def order_hold(*, firm: Firm, actor: Actor, order: Order) -> Blotter:
    """Take one order off a blotter before it is approved: its trades are held (no longer
    approved: no later blotter gathers them, and gain caps and the wash-sale windows stop
    counting them), the order is deleted and the blotter's totals and export no longer
    include it."""
    _require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=order.blotter_id, firm=firm)
    if blotter.status != BlotterStatus.OPEN:
        raise InvalidTransition(
            f"an order can be held only before the blotter is approved; this blotter is "
            f"{blotter.get_status_display()}"
        )
    order = Order.objects.select_related("security").get(pk=order.pk, firm=firm)
    trades = list(
        ProposedTrade.objects.select_for_update()
        .filter(order=order)
        .select_related("proposal__account")
        .order_by("proposal__account__account_number", "pk")
    )
    ProposedTrade.objects.filter(pk__in=[t.pk for t in trades]).update(order=None, held=True)
    before = {
        "order": f"{order.get_side_display()} {plain_digits(order.quantity)} "
        f"{order.security.symbol}",
        "estimated_value_usd": plain_digits(order.estimated_value_usd),
        "allocations": [
            f"{t.proposal.account.account_number}: {plain_digits(t.quantity)}" for t in trades
        ],
    }
    order.delete()
    audit_record(
        firm=firm,
        actor=actor,
        action="blotter.order_hold",
        obj=blotter,
        before=before,
        after={"orders": Order.objects.filter(blotter=blotter).count(), "held": len(trades)},
    )
    return blotter


def _user_id(actor: Actor) -> int:
    """The acting user's id (a trader: ``_require_trader`` has checked there is one)."""
    if actor.user is None:
        raise DomainError("Only a trader of this firm may do this.", field="actor")
    return actor.user.pk


def _require_second_person(*, first_user_id: int | None, actor: Actor) -> None:
    """Four eyes: the second approval comes from another person (a key counts as the person
    who created it), and at most one of the two approvals is made with an API key."""
    if first_user_id == actor.user_id:
        raise InvalidTransition("a second, different trader must approve this blotter")
    if first_user_id is None:  # the first approver's account was deleted: a person, not us
        return
    first, second = person_acting(user_id=first_user_id), person_acting(user_id=_user_id(actor))
    if first.person_id == second.person_id:
        if second.api_key is not None:
            why = (
                f"the API key '{second.api_key.name}' acts for {second.name}, who gave the "
                "first approval"
            )
        else:
            why = f"the first approval came from {first.describe()}"
        raise InvalidTransition(f"a second, different person must approve this blotter: {why}")
    if first.api_key is not None and second.api_key is not None:
        raise InvalidTransition(
            "with four eyes, a person must give one of the two approvals: two API keys "
            "are not two people"
        )


def _approval_note(actor: Actor) -> str:
    person = person_acting(user_id=_user_id(actor))
    return f"Approved with {person.describe()}." if person.api_key is not None else ""


@transaction.atomic
def blotter_approve(
    *, firm: Firm, actor: Actor, blotter: Blotter, confirmed_orders: int | None = None
) -> Blotter:
    """Approve; with four eyes the first approval waits for a second, different trader.

    ``confirmed_orders``: the number of orders the trader was shown when confirming; if the
    blotter no longer has that many (an order was held since), nothing is approved."""
    _require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=blotter.pk, firm=firm)
    if confirmed_orders is not None:
        now_orders = Order.objects.filter(blotter=blotter).count()
        if now_orders != confirmed_orders:
            raise InvalidTransition(
                f"the blotter has {now_orders} orders now, not the {confirmed_orders} you "
                "confirmed: review it and approve again"
            )
    now = timezone.now()
    if blotter.status == BlotterStatus.OPEN:
        to = BlotterStatus.PARTLY_APPROVED if firm.require_four_eyes else BlotterStatus.APPROVED
        fields: dict[str, Any] = {"first_approved_by": actor.user, "first_approved_at": now}
    elif blotter.status == BlotterStatus.PARTLY_APPROVED:
        _require_second_person(first_user_id=blotter.first_approved_by_id, actor=actor)
        to = BlotterStatus.APPROVED
        fields = {"second_approved_by": actor.user, "second_approved_at": now}
    else:
        raise InvalidTransition(
            f"a blotter that is {blotter.get_status_display()} cannot be approved"
        )
    before = blotter.status
    transition(blotter, to=to, **fields)
    audit_record(
        firm=firm,
        actor=actor,
        action="blotter.approve",
        obj=blotter,
        before={"status": before},
        after={"status": to},
        note=_approval_note(actor),
    )
    blotter.refresh_from_db()
    return blotter


def _allocations(blotter: Blotter):
    return (
        ProposedTrade.objects.filter(order__blotter=blotter)
        .select_related("order", "security", "proposal__account")
        .order_by("order__side", "security__symbol", "proposal__account__account_number")
    )


def versus_purchase(lots: list[LotToRelieve]) -> str:
    """A sale's lots to relieve as the export's ``versus_purchase`` cell: each lot as
    ``<acquired YYYY-MM-DD> <quantity> <purchase id>``, lots separated by ``;`` (empty for
    a purchase). An acquisition date the books no longer know is written ``unknown``."""
    return ";".join(
        f"{lot.acquired.isoformat() if lot.acquired else 'unknown'} "
        f"{plain_digits(lot.quantity)} {lot.lot}"
        for lot in lots
    )


@transaction.atomic
def orders_export_csv(*, firm: Firm, actor: Actor, blotter: Blotter) -> str:
    """The blotter's orders, one row per account allocation. Marks the blotter exported."""
    _require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=blotter.pk, firm=firm)
    if blotter.status not in {BlotterStatus.APPROVED, BlotterStatus.EXPORTED, BlotterStatus.FILLED}:
        raise InvalidTransition("orders can be exported only from an approved blotter")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    allocations = list(_allocations(blotter))
    lots = sale_lots_to_relieve(firm=firm, trades=allocations)
    for trade in allocations:
        writer.writerow(
            [
                blotter.number,
                trade.order_id,
                trade.security.symbol,
                trade.side,
                plain_digits(trade.order.quantity),
                trade.proposal.account.account_number,
                plain_digits(trade.quantity),
                plain_digits(trade.price),
                blotter.order_type,
                blotter.time_in_force,
                versus_purchase(lots.get(trade.pk, [])),
            ]
        )
    if blotter.status == BlotterStatus.APPROVED:
        transition(blotter, to=BlotterStatus.EXPORTED, exported_at=timezone.now())
    audit_record(
        firm=firm,
        actor=actor,
        action="blotter.export",
        obj=blotter,
        after={"rows": out.getvalue().count("\n") - 1},
    )
    return out.getvalue()


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
        (t.order_id, t.proposal.account.account_number): t for t in _allocations(blotter)
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
    _require_trader(firm=firm, actor=actor)
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
