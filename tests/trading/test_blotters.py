"""Trader workflow: blotter from approved trades, four eyes, CSV export, fills into lots."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from firms.models import AuditEvent, Role
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from trading.models import (
    Blotter,
    BlotterStatus,
    CashBalance,
    Fill,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    TaxLot,
    Transaction,
)
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.fills_import import fills_import_csv
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposals_bulk_approve
from trading.services.runs import chunk_process, run_start

from .builders import AS_OF, small_book


@pytest.fixture
def traders(firm_a, member_factory):
    return member_factory(firm_a, Role.TRADER, "trader-1"), member_factory(
        firm_a, Role.TRADER, "trader-2"
    )


@pytest.fixture
def approved(firm_a, advisor_a):
    small_book(firm=firm_a, accounts=3)
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    Proposal.objects.update(flags=[])
    ids = list(Proposal.objects.values_list("pk", flat=True))
    proposals_bulk_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal_ids=ids)
    return ids


def _export_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_blotter_aggregates_per_security_and_side(firm_a, traders, approved):
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    trades = ProposedTrade.objects.filter(proposal_id__in=approved)
    for order in blotter.orders.all():
        members = trades.filter(security=order.security, side=order.side)
        assert order.quantity == sum(t.quantity for t in members)
        assert set(members.values_list("order_id", flat=True)) == {order.pk}
    with pytest.raises(ValidationFailed, match="no approved trades"):
        blotter_create(firm=firm_a, actor=Actor.person(traders[0]))


def test_only_traders_may_build_or_approve(firm_a, advisor_a, approved):
    with pytest.raises(DomainError):
        blotter_create(firm=firm_a, actor=Actor.person(advisor_a))


def test_four_eyes_needs_a_second_different_trader(firm_a, traders, approved):
    firm_a.require_four_eyes = True
    firm_a.save()
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    blotter = blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    assert blotter.status == BlotterStatus.PARTLY_APPROVED
    with pytest.raises(InvalidTransition, match="second, different"):
        blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    with pytest.raises(InvalidTransition):
        orders_export_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    blotter = blotter_approve(firm=firm_a, actor=Actor.person(traders[1]), blotter=blotter)
    assert blotter.status == BlotterStatus.APPROVED
    assert AuditEvent.objects.filter(action="blotter.approve").count() == 2


def test_export_then_fills_update_lots_cash_and_close_the_blotter(firm_a, traders, approved):
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    rows = _export_rows(
        orders_export_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    )
    assert Blotter.objects.get(pk=blotter.pk).status == BlotterStatus.EXPORTED
    assert rows and set(rows[0]) >= {"order_id", "account_number", "allocation_quantity"}
    cash_before = {c.account_id: c.amount_usd for c in CashBalance.objects.all()}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"])
    for i, row in enumerate(rows):
        writer.writerow(
            [
                f"F{i}",
                row["order_id"],
                row["account_number"],
                row["allocation_quantity"],
                row["estimated_price"],
                "2025-07-01",
            ]
        )
    count = fills_import_csv(
        firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text=out.getvalue()
    )
    assert count == len(rows)
    assert Fill.objects.count() == len(rows)
    assert Transaction.objects.filter(external_id__startswith="fill-").count() == len(rows)
    assert Blotter.objects.get(pk=blotter.pk).status == BlotterStatus.FILLED
    traded = Proposal.objects.filter(pk__in=approved, trades__isnull=False).distinct()
    assert {p.status for p in traded} == {ProposalStatus.FILLED}
    # lots follow the fills: every bought symbol now has a lot dated on the trade date
    for fill in Fill.objects.select_related("order__security"):
        if fill.order.side == "buy":
            assert TaxLot.objects.filter(
                account=fill.account, security=fill.order.security, acquired=fill.trade_date
            ).exists()
    changed = [c for c in CashBalance.objects.all() if c.amount_usd != cash_before[c.account_id]]
    assert changed


def test_bad_fills_file_names_rows_and_applies_nothing(firm_a, traders, approved):
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    rows = _export_rows(
        orders_export_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    )
    first = rows[0]
    text = (
        "fill_id,order_id,account_number,quantity,price,trade_date\n"
        f"G1,{first['order_id']},{first['account_number']},{first['allocation_quantity']},"
        f"{first['estimated_price']},2025-07-01\n"
        f"G2,{first['order_id']},NOBODY,1,10,2025-07-01\n"
        f"G3,{first['order_id']},{first['account_number']},99999,10,2025-07-01\n"
        f"G4,{first['order_id']},{first['account_number']},1,10,01/07/2025\n"
    )
    with pytest.raises(ValidationFailed) as info:
        fills_import_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text=text)
    rows_named = {row for row, _, _ in info.value.errors}
    assert rows_named == {3, 4, 5}
    assert not Fill.objects.exists()
    assert not Transaction.objects.filter(external_id__startswith="fill-").exists()


def test_fills_before_export_are_refused(firm_a, traders, approved):
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    with pytest.raises(InvalidTransition):
        fills_import_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text="")


def test_other_firms_trader_cannot_touch_the_blotter(
    firm_a, firm_b, traders, approved, member_factory
):
    outsider = member_factory(firm_b, Role.TRADER, "trader-b")
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    with pytest.raises(Blotter.DoesNotExist):
        blotter_approve(firm=firm_b, actor=Actor.person(outsider), blotter=blotter)
    with pytest.raises(DomainError):
        blotter_approve(firm=firm_a, actor=Actor.person(outsider), blotter=blotter)


def test_a_filled_blotter_cannot_be_filled_again(firm_a, traders, approved):
    # given a blotter whose every allocation is filled
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    rows = _export_rows(
        orders_export_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    )
    header = "fill_id,order_id,account_number,quantity,price,trade_date\n"
    lines = [
        f"F{i},{r['order_id']},{r['account_number']},{r['allocation_quantity']},"
        f"{r['estimated_price']},2025-07-01\n"
        for i, r in enumerate(rows)
    ]
    fills_import_csv(
        firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text=header + "".join(lines)
    )
    assert Blotter.objects.get(pk=blotter.pk).status == BlotterStatus.FILLED
    # when fills come for it again, then the blotter's state refuses them, whatever the file
    again = header + lines[0].replace("F0,", "G0,", 1)
    with pytest.raises(InvalidTransition, match="filled"):
        fills_import_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text=again)
    assert Fill.objects.count() == len(rows)
    assert AuditEvent.objects.filter(action="fills.import").count() == 1


def test_export_and_messages_write_quantities_as_plain_numbers(firm_a, traders, approved):
    # given allocations whose quantities normalise to exponents (4E+1, 7.6E+2)
    trades = list(ProposedTrade.objects.filter(proposal_id__in=approved).order_by("pk"))
    for trade, quantity in zip(trades, ["40.000000", "760.000000"], strict=False):
        trade.quantity = Decimal(quantity)
        trade.save(update_fields=["quantity"])
    blotter = blotter_create(firm=firm_a, actor=Actor.person(traders[0]))
    blotter_approve(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    # when the orders are exported
    text = orders_export_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter)
    # then every number is plain digits
    assert "E+" not in text and "E-" not in text
    allocations = {r["allocation_quantity"] for r in _export_rows(text)}
    assert {"40", "760"} <= allocations
    # and a message about a quantity names it the same way
    row = next(r for r in _export_rows(text) if r["allocation_quantity"] == "40")
    fills = (
        "fill_id,order_id,account_number,quantity,price,trade_date\n"
        f"H1,{row['order_id']},{row['account_number']},41,10,2025-07-01\n"
    )
    with pytest.raises(ValidationFailed) as info:
        fills_import_csv(firm=firm_a, actor=Actor.person(traders[0]), blotter=blotter, text=fills)
    assert [m for _, _, m in info.value.errors] == ["fills exceed the allocation of 40"]
