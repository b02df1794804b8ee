"""The gain caps are annual: each night's solve gets what is left of the year's cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import GainCapScope, TaxStatus
from accounts.services.preferences import preferences_update
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import HouseholdFactory
from trading.models import Proposal, ProposalStatus, ProposedTrade, RunChunk
from trading.optimization import case_for_account
from trading.selectors.gain_room import unfilled_gain
from trading.selectors.run_inputs import chunk_inputs
from trading.services.lot_ledger import transactions_record
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, etf_universe, funded_account, published_model

FEED = Actor.system("custodian-feed")
ZERO = Decimal("0.00")


def _book(firm, *, accounts=1, household=None, basis="3000.00", tax_status="taxable"):
    """Accounts far over their equity weight, holding VTI at a large long-term gain."""
    securities = etf_universe()
    model = published_model(
        firm=firm, weights={"VTI": "0.40", "BND": "0.58"}, securities=securities
    )
    household = household or HouseholdFactory(firm=firm)
    made = [
        funded_account(
            firm=firm,
            model=model,
            securities=securities,
            number=f"CAP-{i}",
            household=household,
            tax_status=tax_status,
            lots=[("VTI", "100", basis, dt.date(2022, 1, 3))],
            cash="500.00",
        )
        for i in range(accounts)
    ]
    return securities, made


def _realize(firm, account, *, gain: str, ref: str, day=dt.date(2025, 3, 3), term_days=40):
    """A round trip in ITOT this year realizing ``gain`` (short-term)."""
    bought = day - dt.timedelta(days=term_days)
    proceeds = Decimal("10000.00") + Decimal(gain)
    transactions_record(
        firm=firm,
        account=account,
        actor=FEED,
        rows=[
            {
                "external_id": f"{ref}-b",
                "date": bought,
                "type": "buy",
                "symbol": "ITOT",
                "quantity": "50",
                "amount_usd": "10000.00",
            },
            {
                "external_id": f"{ref}-s",
                "date": day,
                "type": "sell",
                "symbol": "ITOT",
                "quantity": "50",
                "amount_usd": str(proceeds),
            },
        ],
    )


def _caps(firm, *, household=None, account=None, **values):
    if account is not None:
        for name in ("max_realized_gain_usd", "max_short_term_gain_usd"):
            if name in values:
                values[name.replace("_usd", "_override")] = True
    preferences_update(firm=firm, actor=FEED, household=household, account=account, values=values)


def _tax_input(firm, account):
    inputs = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=AS_OF)
    return case_for_account(inputs.accounts[0], inputs).preferences.tax


def _night(firm, *, chunk_size=100):
    return run_start(
        firm=firm, as_of=AS_OF, trigger="command", chunk_size=chunk_size, enqueue=enqueue_chunks
    )


def _realized_by(proposal):
    rows = ProposedTrade.objects.filter(proposal=proposal)
    return sum((t.realized_gain_usd for t in rows), ZERO)


@pytest.mark.django_db(transaction=True)
def test_at_the_cap_the_nights_proposal_realizes_no_further_net_gain(firm_a):
    # given a $5,000 cap, $5,000 already realized this year, and a rebalance that would
    # sell VTI at a large gain
    _, [account] = _book(firm_a)
    _caps(firm_a, account=account, max_realized_gain_usd=Decimal("5000"))
    _realize(firm_a, account, gain="5000.00", ref="r1")
    # when
    _night(firm_a)
    # then the solve was handed no room, and the proposal realizes no net gain
    proposal = Proposal.objects.get(account=account, as_of=AS_OF)
    assert proposal.optimizer_status == "optimal", proposal.message
    assert _tax_input(firm_a, account).max_realized_gain == ZERO
    assert _realized_by(proposal) <= ZERO
    assert proposal.realized_long_term_gain_usd + proposal.realized_short_term_gain_usd <= ZERO


@pytest.mark.django_db
def test_the_room_is_the_cap_less_this_years_net_gain_and_losses_add_room(firm_a):
    # given an $8,000 cap, a $5,000 gain, a $1,500 loss and last year's gain (not counted)
    _, [account] = _book(firm_a)
    _caps(
        firm_a,
        account=account,
        max_realized_gain_usd=Decimal("8000"),
        max_short_term_gain_usd=Decimal("4000"),
    )
    _realize(firm_a, account, gain="5000.00", ref="r1")
    _realize(firm_a, account, gain="-1500.00", ref="r2", day=dt.date(2025, 5, 2))
    _realize(firm_a, account, gain="9000.00", ref="r0", day=dt.date(2024, 11, 1))
    # when
    tax = _tax_input(firm_a, account)
    # then: 8,000 - (5,000 - 1,500) net; 4,000 - 3,500 short-term
    assert tax.max_realized_gain == Decimal("4500.00")
    assert tax.max_short_term_gain == Decimal("500.00")


@pytest.mark.django_db
def test_a_loss_disallowed_by_a_wash_sale_gives_no_room(firm_a):
    # given a $2,000 loss, then the same security bought back within 30 days
    _, [account] = _book(firm_a)
    _caps(firm_a, account=account, max_realized_gain_usd=Decimal("1000"))
    _realize(firm_a, account, gain="-2000.00", ref="r1")
    transactions_record(
        firm=firm_a,
        account=account,
        actor=FEED,
        rows=[
            {
                "external_id": "rebuy",
                "date": dt.date(2025, 3, 10),
                "type": "buy",
                "symbol": "ITOT",
                "quantity": "50",
                "amount_usd": "8000.00",
            }
        ],
    )
    # then the disallowed loss adds nothing: the room is the cap
    assert _tax_input(firm_a, account).max_realized_gain == Decimal("1000.00")


@pytest.mark.django_db
def test_approved_unfilled_sales_use_room_and_their_filled_part_does_not(firm_a):
    # given a $6,000 cap and an approved sale of 10 shares at $300 gain each, 4 filled
    securities, [account] = _book(firm_a)
    _caps(firm_a, account=account, max_realized_gain_usd=Decimal("6000"))
    proposal = Proposal.objects.create(
        firm=firm_a,
        account=account,
        as_of=AS_OF - dt.timedelta(days=3),
        status=ProposalStatus.APPROVED,
    )
    ProposedTrade.objects.create(
        firm=firm_a,
        proposal=proposal,
        security=securities["VTI"],
        side="sell",
        quantity=Decimal("10"),
        price=Decimal("300"),
        value_usd=Decimal("3000.00"),
        lots=[
            {"lot": "a", "quantity": "6", "cost_basis": "0.00", "gain": "1800.00", "term": "long"},
            {"lot": "b", "quantity": "4", "cost_basis": "0.00", "gain": "1200.00", "term": "short"},
        ],
        realized_gain_usd=Decimal("3000.00"),
        filled_quantity=Decimal("4"),
    )
    # when
    tax = _tax_input(firm_a, account)
    # then 6 shares are left: 2 of lot a ($600) and lot b ($1,200)
    assert tax.max_realized_gain == Decimal("4200.00")


def test_unfilled_gain_walks_the_lots_after_the_filled_shares():
    lots = [
        {"lot": "a", "quantity": "6", "cost_basis": "0", "gain": "600.00", "term": "long"},
        {"lot": "b", "quantity": "4", "cost_basis": "0", "gain": "-400.00", "term": "short"},
    ]
    assert unfilled_gain(lots=lots, quantity=Decimal("10"), filled=Decimal("0")) == (
        unfilled_gain(lots=lots, quantity=Decimal("10"), filled=Decimal("0"))
    )
    whole = unfilled_gain(lots=lots, quantity=Decimal("10"), filled=Decimal("0"))
    assert (whole.net_usd, whole.short_usd) == (Decimal("200.00"), Decimal("-400.00"))
    # cut to 8 shares by the advisor, 5 filled: 1 share of a, 2 of b are left
    rest = unfilled_gain(lots=lots, quantity=Decimal("8"), filled=Decimal("5"))
    assert (rest.net_usd, rest.short_usd) == (Decimal("-100.00"), Decimal("-200.00"))


@pytest.mark.django_db
def test_past_the_cap_the_room_is_zero_not_a_demand_for_losses(firm_a):
    _, [account] = _book(firm_a)
    _caps(firm_a, account=account, max_realized_gain_usd=Decimal("1000"))
    _realize(firm_a, account, gain="3000.00", ref="r1")
    assert _tax_input(firm_a, account).max_realized_gain == ZERO


@pytest.mark.django_db
def test_a_retirement_account_gets_no_gain_cap(firm_a):
    _, [account] = _book(firm_a, tax_status=TaxStatus.TAX_DEFERRED)
    _caps(firm_a, account=account, max_realized_gain_usd=Decimal("1000"))
    assert _tax_input(firm_a, account).max_realized_gain is None


@pytest.mark.django_db
def test_a_shared_household_cap_counts_every_taxable_account(firm_a):
    # given a household cap of $7,000 shared, $2,000 realized in one account and $1,000
    # in the other, which also overrides the short-term cap with its own
    household = HouseholdFactory(firm=firm_a)
    _, [one, two] = _book(firm_a, accounts=2, household=household)
    _caps(
        firm_a,
        household=household,
        max_realized_gain_usd=Decimal("7000"),
        max_short_term_gain_usd=Decimal("7000"),
        gain_cap_scope=GainCapScope.HOUSEHOLD,
    )
    _caps(firm_a, account=two, max_short_term_gain_usd=Decimal("2500"))
    _realize(firm_a, one, gain="2000.00", ref="r1")
    _realize(firm_a, two, gain="1000.00", ref="r2")
    # then
    assert _tax_input(firm_a, one).max_realized_gain == Decimal("4000.00")
    assert _tax_input(firm_a, one).max_short_term_gain == Decimal("4000.00")
    assert _tax_input(firm_a, two).max_realized_gain == Decimal("4000.00")
    assert _tax_input(firm_a, two).max_short_term_gain == Decimal("1500.00")


@pytest.mark.django_db(transaction=True)
def test_a_household_spends_its_shared_cap_once_in_one_chunk(firm_a):
    # given two households of two accounts, one with a shared $3,000 cap
    shared = HouseholdFactory(firm=firm_a)
    securities, [one, two] = _book(firm_a, accounts=2, household=shared)
    other = funded_account(
        firm=firm_a,
        model=one.model_assignment.model,
        securities=securities,
        number="OTHER-1",
        lots=[("VTI", "100", "3000.00", dt.date(2022, 1, 3))],
    )
    _caps(
        firm_a,
        household=shared,
        max_realized_gain_usd=Decimal("3000"),
        gain_cap_scope=GainCapScope.HOUSEHOLD,
    )
    # when the run chunks one account at a time
    run, _ = _night(firm_a, chunk_size=1)
    # then the shared household is one chunk, the other account its own
    chunks = sorted(sorted(c.account_ids) for c in RunChunk.objects.filter(run=run))
    assert chunks == sorted([sorted([one.pk, two.pk]), [other.pk]])
    # and the two accounts together realize no more than the household's cap
    first = Proposal.objects.get(account=one, as_of=AS_OF)
    second = Proposal.objects.get(account=two, as_of=AS_OF)
    assert first.optimizer_status == second.optimizer_status == "optimal"
    assert _realized_by(first) > Decimal("1500")
    assert _realized_by(first) + _realized_by(second) <= Decimal("3000.00")


@pytest.mark.django_db
def test_a_household_cap_scope_is_set_on_the_household_only(firm_a):
    _, [account] = _book(firm_a)
    with pytest.raises(ValidationFailed) as raised:
        _caps(firm_a, account=account, gain_cap_scope=GainCapScope.HOUSEHOLD)
    assert raised.value.errors == [
        (None, "gain_cap_scope", "is set on the household, not on an account")
    ]
    with pytest.raises(ValidationFailed) as raised:
        _caps(firm_a, household=account.household, gain_cap_scope="family")
    assert [field for _, field, _ in raised.value.errors] == ["gain_cap_scope"]


@pytest.mark.django_db(transaction=True)
def test_a_household_managed_as_one_spends_its_shared_cap_once(firm_a):
    # given a household managed as one, its two taxable accounts far over their equity
    # weight at a large gain, and a shared $3,000 cap: each account's case shows all of it
    shared = HouseholdFactory(firm=firm_a, managed_as_one=True)
    _, [one, two] = _book(firm_a, accounts=2, household=shared)
    _caps(
        firm_a,
        household=shared,
        max_realized_gain_usd=Decimal("3000"),
        gain_cap_scope=GainCapScope.HOUSEHOLD,
    )

    # when
    _night(firm_a, chunk_size=10)

    # then the household's one solve realizes no more than the cap in both accounts together
    first = Proposal.objects.get(account=one, as_of=AS_OF)
    second = Proposal.objects.get(account=two, as_of=AS_OF)
    assert first.household_proposal_id is not None
    assert first.household_proposal_id == second.household_proposal_id
    assert _realized_by(first) + _realized_by(second) > Decimal("1500")
    assert _realized_by(first) + _realized_by(second) <= Decimal("3000.00")
