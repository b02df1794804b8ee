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

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.selectors.scope import FILL, PROPOSED_TRADE, advisor_scope
from firms.models import Firm, Membership
from rebalancer.tenancy import get_for_firm_or_404
from trading.models import Blotter, Fill, Order, ProposedTrade


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


@dataclass(frozen=True)
class OrderRow:
    order: Order
    allocations: list[ProposedTrade]

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
    return [OrderRow(order=o, allocations=by_order.get(o.pk, [])) for o in orders]


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
