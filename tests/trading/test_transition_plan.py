"""A transition plan for legacy holdings: each plan year's nights spend at most the year's
tax budget (Schedule D at the account's rates) moving the account toward its model.

The book (``test_gain_room._book``): 100 VTI at $300 bought in 2022 for $3,000, a model of
40 % VTI, so the rebalance wants to sell about 60 VTI, each share a $270 long-term gain,
$54 of tax at the 20 % long-term rate. A plan of $540 of tax a year allows 10 shares a
year: $2,700 of gain, $540 of tax, and not a share more.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.selectors.preferences import effective_preferences
from accounts.services.preferences import preferences_update
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import PriceFactory
from trading.models import CashBalance, Proposal
from trading.optimization import case_for_account
from trading.selectors.run_inputs import chunk_inputs
from trading.selectors.transition import proposal_transition_step, transition_progress
from trading.services.lot_ledger import transactions_record
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks
from trading.transition_plan import transition_budget

from .builders import AS_OF
from .test_gain_room import _book

FEED = Actor.system("custodian-feed")
PLAN = {
    "transition_start_year": 2025,
    "transition_years": 2,
    "transition_budget_per_year_usd": Decimal("540"),
}
NEXT_YEAR = dt.date(2026, 6, 30)


def _room(firm, account, as_of):
    inputs = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of)
    [item] = inputs.accounts
    return case_for_account(item, inputs).preferences.tax.max_tax


def _sold_vti(proposal):
    trades = proposal.trades.filter(side="sell", security__symbol="VTI")
    return sum((t.quantity for t in trades), Decimal(0))


def _fill(firm, account, *, day, shares, ref):
    """The proposal's sale filled at $300 a share."""
    transactions_record(
        firm=firm,
        account=account,
        actor=FEED,
        rows=[
            {
                "external_id": ref,
                "date": day,
                "type": "sell",
                "symbol": "VTI",
                "quantity": str(shares),
                "amount_usd": str(shares * 300),
            }
        ],
    )


def _night(firm, as_of):
    return run_start(firm=firm, as_of=as_of, trigger="command", enqueue=enqueue_chunks)


@pytest.mark.django_db(transaction=True)
def test_a_transition_spends_each_plan_years_budget_and_no_more(firm_a):
    securities, [account] = _book(firm_a)
    preferences_update(firm=firm_a, actor=FEED, account=account, values=PLAN)
    # plan year 1: the whole $540 is the night's room; the proposal sells 10 VTI
    assert _room(firm_a, account, AS_OF) == Decimal("540.00")
    _night(firm_a, AS_OF)
    first = Proposal.objects.get(account=account, as_of=AS_OF)
    assert first.optimizer_status == "optimal", first.message
    assert _sold_vti(first) == Decimal("10")
    assert first.realized_long_term_gain_usd == Decimal("2700.00")
    step = proposal_transition_step(proposal=first)
    assert step is not None
    assert (step.year_number, step.years) == (1, 2)
    assert (step.left_before_usd, step.used_usd, step.left_after_usd) == (
        Decimal("540.00"),
        Decimal("540.00"),
        Decimal("0.00"),
    )
    # filled: the year's budget is spent, the next night of the year has no room left
    _fill(firm_a, account, day=dt.date(2025, 7, 1), shares=10, ref="fill-2025")
    assert _room(firm_a, account, dt.date(2025, 7, 2)) == Decimal("0.00")
    # plan year 2: the room is the year's $540 again (2025's gains are not this year's)
    for symbol, security in securities.items():
        price = {"VTI": "300.00", "ITOT": "130.00", "BND": "72.00", "AGG": "98.00"}[symbol]
        PriceFactory(security=security, date=NEXT_YEAR, close=Decimal(price))
    CashBalance.objects.filter(account=account).update(
        amount_usd=Decimal("3500.00"), as_of=NEXT_YEAR
    )
    assert _room(firm_a, account, NEXT_YEAR) == Decimal("540.00")
    _night(firm_a, NEXT_YEAR)
    second = Proposal.objects.get(account=account, as_of=NEXT_YEAR)
    assert second.optimizer_status == "optimal", second.message
    assert _sold_vti(second) == Decimal("10")
    # the account page's progress: $540 spent in 2025, none yet realized in 2026
    progress = transition_progress(
        firm=firm_a,
        account=account,
        preferences=effective_preferences(firm=firm_a, account=account, as_of=NEXT_YEAR),
        as_of=NEXT_YEAR,
    )
    assert progress is not None
    assert progress.spent_earlier_usd == Decimal("540.00")
    assert progress.spent_this_year_usd == Decimal("0.00")
    assert [y.spent_usd for y in progress.years] == [Decimal("540.00"), Decimal("0.00")]
    assert progress.tracking_error_now_pct is not None
    # after the plan's last year there is no transition room
    values = effective_preferences(firm=firm_a, account=account, as_of=NEXT_YEAR).values
    assert transition_budget(values, year=2026) == Decimal("540.00")
    assert transition_budget(values, year=2027) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"transition_budget_per_year_usd": Decimal("-1")}, "transition_budget_per_year_usd"),
        ({"transition_years": 0}, "transition_years"),
        ({"transition_years": 31}, "transition_years"),
        ({"transition_start_year": 1999}, "transition_start_year"),
    ],
)
def test_bad_transition_menus_are_refused_naming_the_field(firm_a, values, field):
    _, [account] = _book(firm_a)
    with pytest.raises(ValidationFailed) as raised:
        preferences_update(firm=firm_a, actor=FEED, account=account, values=values)
    assert [name for _, name, _ in raised.value.errors] == [field]
