"""A blotter's orders as CSV, one row per account allocation, with the lots each sale
relieves (``versus_purchase``): the export marks the blotter exported, with its audit
record."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils import timezone

from firms.models import Firm
from firms.services.audit import audit_record
from money import plain_digits
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition
from rebalancer.transitions import transition
from trading.models import (
    Blotter,
    BlotterStatus,
)
from trading.selectors.blotters import LotToRelieve, blotter_allocations, sale_lots_to_relieve
from trading.services.blotters import require_trader

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
    require_trader(firm=firm, actor=actor)
    blotter = Blotter.objects.select_for_update().get(pk=blotter.pk, firm=firm)
    if blotter.status not in {BlotterStatus.APPROVED, BlotterStatus.EXPORTED, BlotterStatus.FILLED}:
        raise InvalidTransition("orders can be exported only from an approved blotter")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    allocations = list(blotter_allocations(blotter=blotter))
    lots = sale_lots_to_relieve(firm=firm, trades=allocations)
    for trade in allocations:
        assert trade.order is not None  # an allocation is a trade on the blotter's order
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
