"""Each taxable account's filer: the nightly solve values gains and losses at the filer's
Schedule D position (gains realized this year in all the filer's accounts, gains expected
elsewhere, the carryforward), and the annual tax budget is what is left of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.services.preferences import preferences_update
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.factories import HouseholdFactory
from trading.models import Proposal
from trading.optimization import case_for_account
from trading.selectors.run_inputs import chunk_inputs

from .builders import AS_OF
from .test_gain_room import _book, _night, _realize, _realized_by

FEED = Actor.system("custodian-feed")
ZERO = Decimal("0.00")


def _cases(firm, accounts):
    inputs = chunk_inputs(firm=firm, account_ids=[a.pk for a in accounts], as_of=AS_OF)
    return {item.account.pk: case_for_account(item, inputs) for item in inputs.accounts}


def _set(firm, *, account=None, household=None, **values):
    preferences_update(firm=firm, actor=FEED, account=account, household=household, values=values)


@pytest.mark.django_db
def test_each_filer_of_a_household_has_its_own_position(firm_a):
    # given a household of three taxable accounts: two of Pat's, one of Sam's; Pat
    # realized $4,000 of short-term gain this year in the first, Sam $1,000
    household = HouseholdFactory(firm=firm_a)
    _, (pat_1, pat_2, sam) = _book(firm_a, accounts=3, household=household)
    _set(firm_a, household=household, tax_filer="Pat")
    _set(firm_a, account=sam, tax_filer="Sam", carryforward_long_term_usd=Decimal("2500"))
    _realize(firm_a, pat_1, gain="4000.00", ref="p1")
    _realize(firm_a, sam, gain="1000.00", ref="s1")
    # when
    cases = _cases(firm_a, [pat_1, pat_2, sam])
    # then Pat's two accounts stand at $4,000, Sam's at $1,000 with Sam's carryforward
    for account in (pat_1, pat_2):
        inputs = cases[account.pk].preferences.tax.schedule_d
        assert inputs is not None
        assert (inputs.filer, inputs.realized_short_term) == ("Pat", Decimal("4000.00"))
        assert inputs.carryforward_long_term == ZERO
    inputs = cases[sam.pk].preferences.tax.schedule_d
    assert inputs is not None
    assert (inputs.filer, inputs.realized_short_term) == ("Sam", Decimal("1000.00"))
    assert inputs.carryforward_long_term == Decimal("2500.00")
    assert inputs.carryforward_years == Decimal("3")


@pytest.mark.django_db
def test_the_tax_budget_left_is_the_budget_less_the_tax_of_this_years_gains(firm_a):
    # given an $8,000 budget, short-term rate 0.37, and $5,000 of short-term gain realized:
    # $1,850 of tax spent, $6,150 left
    _, [account] = _book(firm_a)
    _set(firm_a, account=account, annual_tax_budget_usd=Decimal("8000"))
    _realize(firm_a, account, gain="5000.00", ref="r1")
    tax = _cases(firm_a, [account])[account.pk].preferences.tax
    assert tax.max_tax == Decimal("6150.00")
    # with $10,000 of short-term loss carried in, the gain only uses carried loss: the
    # year deducts $3,000 either way, so the gain has cost no tax this year
    _set(firm_a, account=account, carryforward_short_term_usd=Decimal("10000"))
    tax = _cases(firm_a, [account])[account.pk].preferences.tax
    assert tax.max_tax == Decimal("8000.00")


@pytest.mark.django_db(transaction=True)
def test_with_the_tax_budget_spent_the_nights_proposal_realizes_no_further_net_gain(firm_a):
    # given a $1,850 budget spent by $5,000 of short-term gain, and a rebalance that would
    # sell VTI at a large long-term gain
    _, [account] = _book(firm_a)
    _set(firm_a, account=account, annual_tax_budget_usd=Decimal("1850"))
    _realize(firm_a, account, gain="5000.00", ref="r1")
    # when
    _night(firm_a)
    # then the solve got no room and the proposal realizes no net gain
    proposal = Proposal.objects.get(account=account, as_of=AS_OF)
    assert proposal.optimizer_status == "optimal", proposal.message
    assert _cases(firm_a, [account])[account.pk].preferences.tax.max_tax == ZERO
    assert _realized_by(proposal) <= ZERO


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ordinary_income_rate": Decimal("1.5")}, "ordinary_income_rate"),
        ({"carryforward_discount_rate": Decimal("-0.1")}, "carryforward_discount_rate"),
        ({"annual_tax_budget_usd": Decimal("-1")}, "annual_tax_budget_usd"),
        ({"carryforward_short_term_usd": Decimal("-5")}, "carryforward_short_term_usd"),
        ({"harvest_min_loss_pct": Decimal("120")}, "harvest_min_loss_pct"),
        ({"carryforward_years": Decimal("60")}, "carryforward_years"),
    ],
)
def test_bad_tax_menus_are_refused_naming_the_field(firm_a, values, field):
    _, [account] = _book(firm_a)
    with pytest.raises(ValidationFailed) as raised:
        _set(firm_a, account=account, **values)
    assert [name for _, name, _ in raised.value.errors] == [field]
