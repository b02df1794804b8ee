"""Dividend-aware cash: a dividend declared but not yet paid is shown as expected and is
not counted as cash, by the pages or by the nightly run's input, until its pay date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from firms.models import Role
from models_library.services.corporate_actions import corporate_actions_enter
from rebalancer.actors import Actor
from tests.factories import FirmFactory
from tests.web.helpers import client_for
from trading.selectors.account_overview import account_overview
from trading.selectors.expected_dividends import ExpectedDividend
from trading.selectors.run_inputs import chunk_inputs
from trading.services.corporate_actions import corporate_actions_apply_due

from .builders import small_book

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
BETWEEN = dt.date(2025, 7, 1)  # after the ex-date, before the pay date
PAY_DATE = dt.date(2025, 7, 10)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _cash(firm, account, as_of):
    [inputs] = chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of).accounts
    overview = account_overview(firm=firm, account=account, as_of=as_of)
    return inputs.cash_usd, overview.cash_usd, overview.expected_dividends


@pytest.mark.parametrize("kind", ["cash_dividend", "reinvested_dividend"])
def test_a_declared_dividend_is_expected_not_cash_until_its_pay_date(firm_a, kind):
    # given an account holding 100 VTI and $2,000 cash, and $0.50 a share declared with
    # the ex-date 2025-06-27, paid on 2025-07-10
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    steward = FirmFactory(slug="stewards", manages_reference_data=True)
    row = {
        "reference": "VTI-Q2",
        "kind": kind,
        "symbol": "VTI",
        "effective_date": PAY_DATE,
        "ex_date": dt.date(2025, 6, 27),
        "cash_per_share": Decimal("0.50"),
        "price": Decimal("250.00"),
    }

    with time_machine.travel(_noon(BETWEEN), tick=False):
        corporate_actions_enter(firm=steward, actor=ACTOR, rows=[row])
        corporate_actions_apply_due(firm=firm_a, actor=ACTOR)
        before = _cash(firm_a, account, BETWEEN)

    # then between the ex-date and the pay date the $50 is expected, not cash, for the
    # night's run and the account page alike
    expected = ExpectedDividend(
        reference="VTI-Q2",
        symbol="VTI",
        ex_date=dt.date(2025, 6, 27),
        pay_date=PAY_DATE,
        shares=Decimal("100"),
        amount_usd=Decimal("50.00"),
        reinvested=kind == "reinvested_dividend",
    )
    assert before == (Decimal("2000.00"), Decimal("2000.00"), [expected])

    with time_machine.travel(_noon(PAY_DATE), tick=False):
        corporate_actions_apply_due(firm=firm_a, actor=ACTOR)
        after = _cash(firm_a, account, PAY_DATE)

    # on the pay date a cash dividend is cash; a reinvested one buys 0.2 shares instead
    paid = Decimal("2050.00") if kind == "cash_dividend" else Decimal("2000.00")
    assert after == (paid, paid, [])


def test_the_account_page_shows_an_expected_dividend_beside_cash(firm_a, member_factory):
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    steward = FirmFactory(slug="stewards", manages_reference_data=True)
    advisor = client_for(member_factory(firm_a, Role.FIRM_ADMIN, "a-admin"))
    row = {
        "reference": "VTI-Q3",
        "kind": "cash_dividend",
        "symbol": "VTI",
        "effective_date": dt.date.today() + dt.timedelta(days=9),
        "cash_per_share": Decimal("0.25"),
    }
    corporate_actions_enter(firm=steward, actor=ACTOR, rows=[row])

    html = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()

    assert "Expected dividends</dt><dd>$25.00" in html
    assert "(not cash until paid)" in html
    assert f"VTI: $25.00 on {row['effective_date']:%Y-%m-%d} (100 shares held before" in html
