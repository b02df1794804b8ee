"""The menu's wait for long-term reaches the nightly solve; the proposal says why a lot is
kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.services.preferences import preferences_update
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from trading.models import Proposal
from trading.optimization import case_for_account
from trading.selectors.run_inputs import chunk_inputs
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks

from .builders import AS_OF, etf_universe, funded_account, published_model

FEED = Actor.system("custodian-feed")
TEN_DAYS_SHORT = dt.date(2024, 7, 9)  # long-term from 2025-07-10, ten days after AS_OF


def _account(firm, **menu):
    securities = etf_universe()
    model = published_model(
        firm=firm, weights={"VTI": "0.40", "BND": "0.58"}, securities=securities
    )
    account = funded_account(
        firm=firm,
        model=model,
        securities=securities,
        number="WAIT-1",
        lots=[("VTI", "100", "27000.00", TEN_DAYS_SHORT)],
        cash="500.00",
    )
    values = {"short_term_rate": Decimal("0.10"), "long_term_rate": Decimal("0.05"), **menu}
    preferences_update(firm=firm, actor=FEED, account=account, values=values)
    return account


def _proposal(firm, account):
    run_start(firm=firm, as_of=AS_OF, trigger="command", enqueue=enqueue_chunks)
    return Proposal.objects.get(account=account, as_of=AS_OF)


def _sold(proposal):
    return {t.security.symbol for t in proposal.trades.all() if t.side == "sell"}


@pytest.mark.django_db
def test_the_wait_defaults_to_30_days_and_an_account_may_change_it(firm_a):
    account = _account(firm_a)
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    case = case_for_account(inputs.accounts[0], inputs)
    assert case.preferences.tax.long_term_wait_days == 30
    preferences_update(firm=firm_a, actor=FEED, account=account, values={"long_term_wait_days": 5})
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    assert case_for_account(inputs.accounts[0], inputs).preferences.tax.long_term_wait_days == 5


@pytest.mark.django_db(transaction=True)
def test_a_lot_ten_days_from_long_term_is_kept_and_the_proposal_says_until_when(firm_a):
    account = _account(firm_a)
    proposal = _proposal(firm_a, account)
    assert proposal.optimizer_status == "optimal", proposal.message
    assert "VTI" not in _sold(proposal)
    assert {"rule": "long_term_wait", "detail": "waiting for long-term on 2025-07-10"}.items() <= (
        next(r for r in proposal.binding_rules if r["rule"] == "long_term_wait").items()
    )


@pytest.mark.django_db(transaction=True)
def test_without_the_wait_the_same_lot_is_sold(firm_a):
    account = _account(firm_a, long_term_wait_days=0)
    proposal = _proposal(firm_a, account)
    assert proposal.optimizer_status == "optimal", proposal.message
    assert "VTI" in _sold(proposal)


@pytest.mark.django_db
def test_a_wait_beyond_a_year_is_refused_naming_the_field(firm_a):
    account = _account(firm_a)
    with pytest.raises(ValidationFailed) as raised:
        preferences_update(
            firm=firm_a, actor=FEED, account=account, values={"long_term_wait_days": 400}
        )
    assert [field for _, field, _ in raised.value.errors] == ["long_term_wait_days"]
