"""The trader's workflow up to export: build a blotter from approved trades, set its
orders' terms, hold an order back, approve it (four eyes when the firm asks). Its orders'
export is ``orders_export``, the fills' import ``fills_import``.

Every step is one transaction with its audit record.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from firms.models import Firm
from firms.permissions import Action, user_may
from firms.selectors.people import person_acting
from firms.services.audit import audit_record
from money import plain_digits
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from rebalancer.transitions import transition
from trading.models import (
    Blotter,
    BlotterStatus,
    Order,
    ProposalStatus,
    ProposedTrade,
)
from trading.models.blotters import OrderType, TimeInForce


def require_trader(*, firm: Firm, actor: Actor) -> None:
    if not user_may(firm=firm, user=actor.user, action=Action.TRADE):
        raise DomainError("Only a trader of this firm may do this.", field="actor")


@transaction.atomic
def blotter_create(*, firm: Firm, actor: Actor) -> Blotter:
    """Gather every approved trade that no blotter holds yet into a new blotter."""
    require_trader(firm=firm, actor=actor)
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
    require_trader(firm=firm, actor=actor)
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
    require_trader(firm=firm, actor=actor)
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
    require_trader(firm=firm, actor=actor)
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
