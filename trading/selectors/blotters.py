"""Blotters for the trader's pages: the list, and one blotter's block orders with each
account's allocation and what has been filled.

A blotter is the firm's trading desk's object: it gathers every approved trade of the firm.
Advisors may not see blotters at all (``firms.permissions``: no ``view_blotters``), so
no advisor scope hides a whole blotter. Its lines that name an account (allocations and
fills) still go through the advisor scope (``accounts.selectors.scope``): should the
product ever show blotters to advisors, one limited to their households would see the
block orders but only their own accounts' lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, QuerySet

from accounts.selectors.scope import FILL, PROPOSED_TRADE, advisor_scope
from firms.models import Firm, Membership
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import Blotter, Fill, Order, ProposedTrade, RealizedGain, TaxLot


def blotter_list(*, firm: Firm) -> QuerySet[Blotter]:
    return (
        Blotter.objects.for_firm(firm)
        .select_related("created_by", "first_approved_by", "second_approved_by")
        .annotate(order_count=Count("orders", distinct=True))
        .order_by("-number")
    )


def blotter_get(*, firm: Firm, blotter_id: int) -> Blotter:
    return get_for_firm_or_404(
        Blotter.objects.select_related("created_by", "first_approved_by", "second_approved_by"),
        firm=firm,
        pk=blotter_id,
    )


def blotter_order_get(*, firm: Firm, blotter: Blotter, order_id: int) -> Order:
    return get_for_firm_or_404(
        Order.objects.filter(blotter=blotter).select_related("security"), firm=firm, pk=order_id
    )


@dataclass(frozen=True)
class LotToRelieve:
    """One lot a sale relieves ("versus purchase"): the purchase's id, its acquisition date
    (None when neither an open lot nor a realized gain names it) and the quantity."""

    lot: str
    acquired: datetime.date | None
    quantity: Decimal


def blotter_allocations(*, blotter: Blotter) -> QuerySet[ProposedTrade]:
    """The blotter's account allocations (its proposed trades), in the export's order: by
    side, symbol and account number."""
    return (
        ProposedTrade.objects.filter(order__blotter=blotter)
        .select_related("order", "security", "proposal__account")
        .order_by("order__side", "security__symbol", "proposal__account__account_number")
    )


def _lot_ref(lot_id: str) -> str:
    """The optimizer's lot id ``T1`` or ``T1#2`` (a piece of a purchase split by a wash sale)
    as the purchase's id ``T1``."""
    return lot_id.split("#")[0]


def sale_lots_to_relieve(
    *, firm: Firm, trades: Iterable[ProposedTrade]
) -> dict[int, list[LotToRelieve]]:
    """For each sale among ``trades`` (with ``proposal`` loaded), the lots the optimizer chose
    for it, taken in its order up to the trade's quantity (an advisor may have cut it), each
    with its acquisition date from the account's open lots, or, once sold, its realized
    gains."""
    sales = [t for t in trades if t.side == "sell" and t.lots]
    if not sales:
        return {}
    accounts = {t.proposal.account_id for t in sales}
    refs = {_lot_ref(str(lot["lot"])) for t in sales for lot in t.lots}
    acquired: dict[tuple[int, str], datetime.date] = {}
    for account_id, ref, date in (
        RealizedGain.objects.for_firm(firm)
        .filter(account_id__in=accounts, lot_ref__in=refs)
        .values_list("account_id", "lot_ref", "acquired")
    ):
        acquired[(account_id, ref)] = date
    pks = {int(r[4:]) for r in refs if r.startswith("lot-") and r[4:].isdigit()}
    for pk, account_id, ref, date in (
        TaxLot.objects.for_firm(firm)
        .filter(account_id__in=accounts)
        .filter(models.Q(lot_ref__in=refs) | models.Q(pk__in=pks))
        .values_list("pk", "account_id", "lot_ref", "acquired")
    ):
        acquired[(account_id, ref or f"lot-{pk}")] = date
    out: dict[int, list[LotToRelieve]] = {}
    for trade in sales:
        left, lines = trade.quantity, []
        for lot in trade.lots:
            take = min(Decimal(str(lot["quantity"])), left)
            if take <= 0:
                break
            ref = _lot_ref(str(lot["lot"]))
            lines.append(
                LotToRelieve(
                    lot=ref, acquired=acquired.get((trade.proposal.account_id, ref)), quantity=take
                )
            )
            left -= take
        out[trade.pk] = lines
    return out


@dataclass(frozen=True)
class OrderRow:
    order: Order
    allocations: list[ProposedTrade]
    lots: dict[int, list[LotToRelieve]]

    @property
    def allocation_lines(self) -> list[tuple[ProposedTrade, list[LotToRelieve]]]:
        return [(a, self.lots.get(a.pk, [])) for a in self.allocations]

    @property
    def filled(self):
        return sum((a.filled_quantity for a in self.allocations), 0)


def blotter_orders(
    *, firm: Firm, blotter: Blotter, membership: Membership | None = None
) -> list[OrderRow]:
    """The blotter's block orders (sells first), each with the account allocations
    ``membership`` may see."""
    trades = advisor_scope(
        ProposedTrade.objects.for_firm(firm), membership=membership, household_path=PROPOSED_TRADE
    )
    by_order: dict[int | None, list[ProposedTrade]] = {}
    for trade in (
        trades.filter(order__blotter=blotter)
        .select_related("proposal__account")
        .order_by("proposal__account__account_number")
    ):
        by_order.setdefault(trade.order_id, []).append(trade)
    orders = (
        Order.objects.for_firm(firm)
        .filter(blotter=blotter)
        .select_related("security")
        .order_by("-side", "security__symbol")
    )
    lots = sale_lots_to_relieve(firm=firm, trades=[t for ts in by_order.values() for t in ts])
    return [OrderRow(order=o, allocations=by_order.get(o.pk, []), lots=lots) for o in orders]


@dataclass(frozen=True)
class BlotterTotals:
    orders: int
    buy_orders: int
    sell_orders: int
    buy_usd: Decimal
    sell_usd: Decimal


def blotter_totals(*, firm: Firm, blotter: Blotter) -> BlotterTotals:
    """The blotter's number of orders and estimated notional by side."""
    counts = {"buy": 0, "sell": 0}
    usd = {"buy": Decimal(0), "sell": Decimal(0)}
    for side, value in (
        Order.objects.for_firm(firm)
        .filter(blotter=blotter)
        .values_list("side", "estimated_value_usd")
    ):
        counts[side] += 1
        usd[side] += value
    return BlotterTotals(
        orders=counts["buy"] + counts["sell"],
        buy_orders=counts["buy"],
        sell_orders=counts["sell"],
        buy_usd=usd["buy"],
        sell_usd=usd["sell"],
    )


def blotter_fills(
    *, firm: Firm, blotter: Blotter, membership: Membership | None = None
) -> QuerySet[Fill]:
    """The blotter's fills, of the accounts ``membership`` may see."""
    fills = advisor_scope(Fill.objects.for_firm(firm), membership=membership, household_path=FILL)
    return (
        fills.filter(order__blotter=blotter)
        .select_related("order__security", "account", "imported_by")
        .order_by("-imported_at", "id")
    )
