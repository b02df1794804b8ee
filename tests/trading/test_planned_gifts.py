"""Planned charitable gifts, end to end on a real database: the nightly run plans the
gift, the proposal gives the most appreciated long-term lots apart from its trades, the
blotter and order export leave the gift out, and approval records it in the books.

The book: 100 VTI bought in 2022 for $3,000 (now $300 a share: 90 % of its value is
gain), 50 ITOT bought in 2022 for $5,000 (now $130: 23 % gain) and 100 BND bought in 2023
for $8,000 (now $72: a loss). A $6,000 gift gives 20 VTI ($6,000, basis $600): $5,400
of gain never taxed, $1,080 at the 20 % long-term rate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from firms.models import AuditEvent, Role
from models_library.models import Security
from rebalancer.actors import Actor
from rebalancer.errors import InvalidTransition, ValidationFailed
from tests.factories import MembershipFactory, PriceFactory, UserFactory
from trading.models import (
    CashBalance,
    GiftStatus,
    PlannedGift,
    Proposal,
    ProposalStatus,
    RealizedGain,
    TaxLot,
    Transaction,
)
from trading.optimization import case_for_account
from trading.selectors.gifts import GIFT_HORIZON_DAYS, gifts_to_plan, proposal_gifts
from trading.selectors.run_inputs import chunk_inputs
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.event_dates import firm_today
from trading.services.gifts import planned_gift_cancel, planned_gift_create
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposal_approve, proposal_unapprove
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, ETFS, etf_universe, funded_account, published_model

GIFT_DAY = AS_OF + dt.timedelta(days=10)
LOTS = [
    ("VTI", "100", "3000.00", dt.date(2022, 1, 3)),
    ("ITOT", "50", "5000.00", dt.date(2022, 1, 3)),
    ("BND", "100", "8000.00", dt.date(2023, 3, 1)),
]


def _account(firm, *, number="GIFT-1", tax_status="taxable"):
    securities = {s.symbol: s for s in Security.objects.filter(symbol__in=ETFS)} or etf_universe()
    model = published_model(
        firm=firm,
        weights={"VTI": "0.50", "ITOT": "0.10", "BND": "0.38"},
        securities=securities,
        name=f"Growth {number}",
    )
    return funded_account(
        firm=firm,
        model=model,
        securities=securities,
        number=number,
        lots=LOTS,
        cash="1000.00",
        tax_status=tax_status,
    )


def _gift(firm, account, *, amount="6000.00", day=GIFT_DAY, status=GiftStatus.PLANNED):
    return PlannedGift.objects.create(
        firm=firm, account=account, amount_usd=Decimal(amount), date=day, status=status
    )


def _plan(firm, account, as_of=AS_OF):
    inputs = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of)
    [item] = inputs.accounts
    return case_for_account(item, inputs).preferences.gift


def _trader(firm):
    user = UserFactory(username=f"trader-{firm.slug}")
    MembershipFactory(user=user, firm=firm, role=Role.TRADER)
    return Actor.person(user)


@pytest.mark.django_db
def test_the_night_plans_the_next_gift_within_the_horizon(firm_a):
    account = _account(firm_a)
    assert _plan(firm_a, account) is None
    later = _gift(firm_a, account, day=AS_OF + dt.timedelta(days=GIFT_HORIZON_DAYS + 1))
    assert _plan(firm_a, account) is None  # beyond the horizon
    _gift(firm_a, account, amount="2500.00", day=GIFT_DAY)
    plan = _plan(firm_a, account)
    assert plan is not None
    assert (plan.amount, plan.date) == (Decimal("2500.00"), GIFT_DAY)
    # a gift whose date has passed is given on the night's date; a cancelled one is not
    PlannedGift.objects.filter(amount_usd=Decimal("2500.00")).update(
        date=AS_OF - dt.timedelta(days=3)
    )
    assert _plan(firm_a, account).date == AS_OF
    PlannedGift.objects.filter(amount_usd=Decimal("2500.00")).update(status=GiftStatus.CANCELLED)
    assert _plan(firm_a, account) is None
    assert gifts_to_plan(firm=firm_a, account_ids=[account.pk], as_of=later.date) == {
        account.pk: later
    }


@pytest.mark.django_db(transaction=True)
def test_a_gift_is_proposed_apart_from_trades_kept_off_the_blotter_and_recorded(firm_a, advisor_a):
    account = _account(firm_a)
    gift = _gift(firm_a, account)
    run_start(firm=firm_a, as_of=AS_OF, trigger="command", enqueue=enqueue_chunks)
    proposal = Proposal.objects.get(account=account, as_of=AS_OF)
    assert proposal.optimizer_status == "optimal", proposal.message
    assert proposal.status == ProposalStatus.PENDING_REVIEW
    gifted = proposal_gifts(proposal=proposal)
    assert gifted is not None
    assert [
        (g.lot, g.symbol, g.quantity, g.value_usd, g.appreciation_usd) for g in gifted.lots
    ] == [("GIFT-1-VTI-20220103", "VTI", Decimal("20"), Decimal("6000.00"), Decimal("5400.00"))]
    assert (gifted.value_usd, gifted.tax_avoided_usd) == (Decimal("6000.00"), Decimal("1080.00"))
    gift.refresh_from_db()
    assert (gift.status, gift.proposal_id) == (GiftStatus.PROPOSED, proposal.pk)
    # no trade sells the given shares: the sales leave the 20 VTI in place
    sold_vti = sum(
        (t.quantity for t in proposal.trades.filter(side="sell", security__symbol="VTI")),
        Decimal(0),
    )
    assert sold_vti <= Decimal("80")

    # approval on a day after the gift's date records it in the books at once
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal)
    gift.refresh_from_db()
    assert gift.status == GiftStatus.RECORDED
    assert gift.recorded_value_usd == Decimal("6000.00")
    [txn] = Transaction.objects.filter(account=account, type="gift")
    assert (txn.date, txn.quantity, txn.amount_usd, txn.specific_lots) == (
        GIFT_DAY,
        Decimal("20"),
        Decimal("6000.00"),
        [{"lot": "GIFT-1-VTI-20220103", "quantity": "20"}],
    )
    vti = TaxLot.objects.get(account=account, security__symbol="VTI")
    assert (vti.quantity, vti.cost_basis_usd) == (Decimal("80"), Decimal("2400.00"))
    assert not RealizedGain.objects.filter(account=account).exists()  # a gift realizes nothing
    assert AuditEvent.objects.filter(action="gift.record", object_id=str(gift.pk)).exists()
    with pytest.raises(InvalidTransition, match="gift is recorded"):
        proposal_unapprove(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal)

    # the blotter and the orders export carry the trades, never the gift
    trader = _trader(firm_a)
    blotter = blotter_create(firm=firm_a, actor=trader)
    blotter_approve(firm=firm_a, actor=trader, blotter=blotter)
    rows = list(
        csv.DictReader(io.StringIO(orders_export_csv(firm=firm_a, actor=trader, blotter=blotter)))
    )
    exported = sorted((r["symbol"], r["side"], Decimal(r["allocation_quantity"])) for r in rows)
    proposed = sorted(
        (t.security.symbol, t.side, t.quantity) for t in proposal.trades.select_related("security")
    )
    assert exported == proposed
    assert all(r["side"] in ("buy", "sell") for r in rows)


@pytest.mark.django_db(transaction=True)
def test_a_gift_dated_after_approval_waits_for_its_date(firm_a, advisor_a):
    account = _account(firm_a)
    future = dt.date.today() + dt.timedelta(days=20)
    gift = _gift(firm_a, account, day=future)
    as_of = future - dt.timedelta(days=GIFT_HORIZON_DAYS - 1)
    for security in Security.objects.filter(symbol__in=ETFS):
        PriceFactory(security=security, date=as_of, close=Decimal(ETFS[security.symbol][2]))
    CashBalance.objects.filter(account=account).update(as_of=as_of)
    run_start(firm=firm_a, as_of=as_of, trigger="command", enqueue=enqueue_chunks)
    proposal = Proposal.objects.get(account=account, as_of=as_of)
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal)
    gift.refresh_from_db()
    assert gift.status == GiftStatus.PROPOSED
    assert not Transaction.objects.filter(account=account, type="gift").exists()


@pytest.mark.django_db
def test_entering_and_cancelling_a_gift_is_audited_and_bad_input_names_the_field(firm_a, advisor_a):
    actor = Actor.person(advisor_a)
    account = _account(firm_a)
    # the account is worth 30,000 + 6,500 + 7,200 + 1,000 cash at its last closes
    day = dt.date.today() + dt.timedelta(days=5)
    gift = planned_gift_create(
        firm=firm_a,
        actor=actor,
        account=account,
        amount_usd="12000.00",
        date=day,
        charity="Red Cross",
        note="Year-end gift",
    )
    assert (gift.status, gift.amount_usd, gift.charity, gift.created_by) == (
        GiftStatus.PLANNED,
        Decimal("12000.00"),
        "Red Cross",
        advisor_a,
    )
    assert AuditEvent.objects.filter(action="gift.plan", object_id=str(gift.pk)).exists()
    for amount, date, field in (
        ("0", day, "amount_usd"),
        ("-5", day, "amount_usd"),
        ("abc", day, "amount_usd"),
        ("44700.01", day, "amount_usd"),
        ("100.00", firm_today(firm=firm_a) - dt.timedelta(days=1), "date"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            planned_gift_create(
                firm=firm_a, actor=actor, account=account, amount_usd=amount, date=date
            )
        assert caught.value.field == field, (amount, caught.value.errors)
    ira = _account(firm_a, number="IRA-1", tax_status="tax_deferred")
    with pytest.raises(ValidationFailed) as caught:
        planned_gift_create(firm=firm_a, actor=actor, account=ira, amount_usd="100", date=day)
    assert caught.value.field == "account"
    assert PlannedGift.objects.count() == 1
    planned_gift_cancel(firm=firm_a, actor=actor, gift=gift)
    gift.refresh_from_db()
    assert gift.status == GiftStatus.CANCELLED
    assert AuditEvent.objects.filter(action="gift.cancel", object_id=str(gift.pk)).exists()
    with pytest.raises(InvalidTransition):
        planned_gift_cancel(firm=firm_a, actor=actor, gift=gift)
