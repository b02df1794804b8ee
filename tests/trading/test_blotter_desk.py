"""The trading desk's view of a blotter: totals by side, the lots each sale relieves
("versus purchase") on the page and in the export, order type and time in force, and the
approval's confirmation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from firms.models import Role
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition
from trading.models import BlotterStatus, Proposal, ProposedTrade, TaxLot
from trading.selectors.blotters import (
    LotToRelieve,
    blotter_orders,
    blotter_totals,
    sale_lots_to_relieve,
)
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.orders_export import orders_export_csv, versus_purchase
from trading.services.review import proposals_bulk_approve
from trading.services.runs import chunk_process, run_start

from .builders import AS_OF, small_book


@pytest.fixture
def trader(firm_a, member_factory):
    return member_factory(firm_a, Role.TRADER, "desk-trader")


@pytest.fixture
def blotter(firm_a, advisor_a, trader):
    small_book(firm=firm_a, accounts=3)
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    Proposal.objects.update(flags=[])
    ids = list(Proposal.objects.values_list("pk", flat=True))
    proposals_bulk_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal_ids=ids)
    return blotter_create(firm=firm_a, actor=Actor.person(trader))


def test_totals_count_orders_and_sum_notional_by_side(firm_a, blotter):
    totals = blotter_totals(firm=firm_a, blotter=blotter)
    orders = list(blotter.orders.all())
    assert totals.orders == len(orders) > 0
    assert totals.buy_orders == sum(1 for o in orders if o.side == "buy")
    assert totals.sell_orders == sum(1 for o in orders if o.side == "sell")
    assert totals.buy_usd == sum(
        (o.estimated_value_usd for o in orders if o.side == "buy"), Decimal(0)
    )
    assert totals.sell_usd == sum(
        (o.estimated_value_usd for o in orders if o.side == "sell"), Decimal(0)
    )
    assert totals.sell_usd > 0 and totals.buy_usd > 0


def test_each_sale_relieves_the_lots_the_proposal_chose_with_their_dates(firm_a, blotter):
    sales = list(
        ProposedTrade.objects.filter(order__blotter=blotter, side="sell").select_related(
            "proposal__account"
        )
    )
    assert sales and all(t.lots for t in sales)
    lots = sale_lots_to_relieve(firm=firm_a, trades=sales)
    for trade in sales:
        lines = lots[trade.pk]
        assert sum(line.quantity for line in lines) == trade.quantity
        assert [line.lot for line in lines] == [str(x["lot"]).split("#")[0] for x in trade.lots]
        for line in lines:
            opened = TaxLot.objects.get(account=trade.proposal.account, lot_ref=line.lot)
            assert line.acquired == opened.acquired
    rows = [r for o in blotter_orders(firm=firm_a, blotter=blotter) for r in o.allocation_lines]
    assert {t.pk for t, lines in rows if lines} == {t.pk for t in sales}


def test_a_cut_sale_relieves_only_its_quantity_first_chosen_lot_first(firm_a, blotter):
    trade = ProposedTrade.objects.filter(order__blotter=blotter, side="sell").first()
    assert trade is not None
    trade.lots = [
        {"lot": "A", "quantity": "5"},
        {"lot": "B#2", "quantity": "7"},
        {"lot": "C", "quantity": "9"},
    ]
    trade.quantity = Decimal("8")
    lots = sale_lots_to_relieve(firm=firm_a, trades=[trade])[trade.pk]
    assert [(x.lot, x.quantity) for x in lots] == [("A", Decimal(5)), ("B", Decimal(3))]
    assert versus_purchase(lots) == "unknown 5 A;unknown 3 B"


def test_versus_purchase_cell_is_plain_numbers():
    cell = versus_purchase(
        [
            LotToRelieve(lot="T1", acquired=dt.date(2022, 1, 3), quantity=Decimal("4E+1")),
            LotToRelieve(lot="T2", acquired=dt.date(2023, 3, 1), quantity=Decimal("7.50")),
        ]
    )
    assert cell == "2022-01-03 40 T1;2023-03-01 7.5 T2"
    assert versus_purchase([]) == ""


def test_export_has_order_type_time_in_force_and_versus_purchase(firm_a, trader, blotter):
    blotter_approve(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    text = orders_export_csv(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["order_type"] for r in rows} == {"market"}
    assert {r["time_in_force"] for r in rows} == {"day"}
    for row in rows:
        if row["side"] == "buy":
            assert row["versus_purchase"] == ""
            continue
        parts = [p.split(" ") for p in row["versus_purchase"].split(";")]
        assert sum(Decimal(q) for _, q, _ in parts) == Decimal(row["allocation_quantity"])
        for acquired, _, ref in parts:
            lot = TaxLot.objects.get(account__account_number=row["account_number"], lot_ref=ref)
            assert acquired == lot.acquired.isoformat()
    assert any(r["side"] == "sell" for r in rows)


def test_approval_refused_when_the_confirmed_order_count_is_stale(firm_a, trader, blotter):
    count = blotter.orders.count()
    with pytest.raises(InvalidTransition, match=f"not the {count + 1} you confirmed"):
        blotter_approve(
            firm=firm_a, actor=Actor.person(trader), blotter=blotter, confirmed_orders=count + 1
        )
    blotter.refresh_from_db()
    assert blotter.status == BlotterStatus.OPEN
    approved = blotter_approve(
        firm=firm_a, actor=Actor.person(trader), blotter=blotter, confirmed_orders=count
    )
    assert approved.status == BlotterStatus.APPROVED


def test_holding_an_order_takes_its_trades_off_and_out_of_approval(firm_a, trader, blotter):
    from firms.models import AuditEvent
    from trading.selectors.gain_room import pending_sales
    from trading.selectors.trades import approved_trades_waiting
    from trading.services.blotters import order_hold

    sale = blotter.orders.filter(side="sell").select_related("security").first()
    assert sale is not None
    held_ids = set(sale.allocations.values_list("pk", flat=True))
    accounts = list(
        ProposedTrade.objects.filter(pk__in=held_ids).values_list("proposal__account_id", flat=True)
    )
    caps_before = pending_sales(firm=firm_a, account_ids=accounts, as_of=AS_OF)
    before = blotter_totals(firm=firm_a, blotter=blotter)

    order_hold(firm=firm_a, actor=Actor.person(trader), order=sale)

    after = blotter_totals(firm=firm_a, blotter=blotter)
    assert after.orders == before.orders - 1
    assert after.sell_usd == before.sell_usd - sale.estimated_value_usd
    assert after.buy_usd == before.buy_usd
    trades = ProposedTrade.objects.filter(pk__in=held_ids)
    assert all(t.held and t.order_id is None for t in trades)
    # no longer approved: no blotter gathers them, gain caps stop counting them
    assert not approved_trades_waiting(firm=firm_a).filter(pk__in=held_ids).exists()
    caps_after = pending_sales(firm=firm_a, account_ids=accounts, as_of=AS_OF)
    assert caps_after != caps_before
    event = AuditEvent.objects.get(action="blotter.order_hold")
    assert sale.security.symbol in (event.before or {})["order"]
    # the export leaves the held order out
    blotter_approve(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    text = orders_export_csv(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and str(sale.pk) not in {r["order_id"] for r in rows}
    assert sale.security.symbol not in {r["symbol"] for r in rows if r["side"] == "sell"}


def test_an_order_is_held_only_on_an_open_blotter_by_a_trader(firm_a, trader, advisor_a, blotter):
    from rebalancer.errors import DomainError
    from trading.services.blotters import order_hold

    order = blotter.orders.first()
    with pytest.raises(DomainError, match="Only a trader"):
        order_hold(firm=firm_a, actor=Actor.person(advisor_a), order=order)
    blotter_approve(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    with pytest.raises(InvalidTransition, match="only before the blotter is approved"):
        order_hold(firm=firm_a, actor=Actor.person(trader), order=order)
    assert blotter.orders.filter(pk=order.pk).exists()


def test_order_type_and_time_in_force_are_set_per_blotter_until_export(firm_a, trader, blotter):
    from firms.models import AuditEvent
    from rebalancer.errors import ValidationFailed
    from trading.services.blotters import blotter_order_terms_set

    assert (blotter.order_type, blotter.time_in_force) == ("market", "day")
    with pytest.raises(ValidationFailed) as caught:
        blotter_order_terms_set(
            firm=firm_a,
            actor=Actor.person(trader),
            blotter=blotter,
            order_type="limit",
            time_in_force="ioc",
        )
    assert [e[1] for e in caught.value.errors] == ["order_type", "time_in_force"]
    blotter = blotter_order_terms_set(
        firm=firm_a,
        actor=Actor.person(trader),
        blotter=blotter,
        order_type="market_on_close",
        time_in_force="gtc",
    )
    event = AuditEvent.objects.get(action="blotter.order_terms")
    assert event.before == {"order_type": "market", "time_in_force": "day"}
    blotter_approve(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    text = orders_export_csv(firm=firm_a, actor=Actor.person(trader), blotter=blotter)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(r["order_type"], r["time_in_force"]) for r in rows} == {("market_on_close", "gtc")}
    with pytest.raises(InvalidTransition, match="exported"):
        blotter_order_terms_set(
            firm=firm_a,
            actor=Actor.person(trader),
            blotter=blotter,
            order_type="market",
            time_in_force="day",
        )
