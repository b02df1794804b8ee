"""The household page: its total value, each account's role and share, and the allocation
by asset class across its accounts against the household's target (its own model when
managed as one with a model, else the value-weighted blend of its accounts' models)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Household
from firms.models import Role
from tests.factories import HouseholdFactory
from tests.trading.builders import AS_OF, etf_universe, funded_account, published_model
from tests.web.helpers import client_for
from trading.selectors.household_allocation import household_allocation

BOUGHT = dt.date(2022, 1, 3)


@pytest.fixture
def household(firm_a):
    securities = etf_universe()
    stocks = published_model(
        firm=firm_a, weights={"VTI": "1.00"}, securities=securities, name="All stocks"
    )
    bonds = published_model(
        firm=firm_a, weights={"BND": "0.90"}, securities=securities, name="Bonds"
    )
    home = HouseholdFactory(firm=firm_a)
    # taxable: 100 VTI at $300 + $10,000 cash = $40,000 on the all-stocks model
    funded_account(
        firm=firm_a,
        model=stocks,
        securities=securities,
        number="T-1",
        household=home,
        lots=[("VTI", "100", "20000.00", BOUGHT)],
        cash="10000.00",
    )
    # IRA: 500 BND at $72 + $4,000 cash = $40,000 on the bonds model (10 % cash)
    funded_account(
        firm=firm_a,
        model=bonds,
        securities=securities,
        number="I-1",
        household=home,
        lots=[("BND", "500", "36000.00", BOUGHT)],
        cash="4000.00",
        tax_status="tax_deferred",
    )
    return home, securities


def _rows(allocation) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {r.asset_class: (r.value_usd, r.weight, r.target) for r in allocation.rows}


def test_the_blend_of_the_accounts_models_by_value_is_the_target(firm_a, household):
    home, _ = household
    allocation = household_allocation(firm=firm_a, household=home, as_of=AS_OF)

    assert allocation.total_value_usd == Decimal("80000.00")
    assert [(a.account.account_number, a.role, a.share) for a in allocation.accounts] == [
        ("I-1", "Tax-deferred", Decimal("0.5")),
        ("T-1", "Taxable", Decimal("0.5")),
    ]
    # half on 100 % VTI, half on 90 % BND: 50 % US equity, 45 % US bonds, 5 % cash
    assert _rows(allocation) == {
        "us_equity": (Decimal("30000.00"), Decimal("0.375"), Decimal("0.500")),
        "us_bond": (Decimal("36000.00"), Decimal("0.45"), Decimal("0.450")),
        "Cash": (Decimal("14000.00"), Decimal("0.175"), Decimal("0.050")),
    }
    # |0.375-0.5| + 0 + |0.175-0.05| = 0.25, halved
    assert allocation.drift == Decimal("0.125")
    assert allocation.target_source == "the value-weighted blend of its accounts' models"


def test_a_household_managed_as_one_with_its_own_model_is_held_to_it(firm_a, household):
    home, securities = household
    own = published_model(
        firm=firm_a, weights={"VTI": "0.40", "BND": "0.55"}, securities=securities, name="Own"
    )
    Household.objects.filter(pk=home.pk).update(managed_as_one=True, target_model=own)
    home.refresh_from_db()

    rows = _rows(household_allocation(firm=firm_a, household=home, as_of=AS_OF))

    assert {name: target for name, (_, _, target) in rows.items()} == {
        "us_equity": Decimal("0.40"),
        "us_bond": Decimal("0.55"),
        "Cash": Decimal("0.05"),
    }


def test_the_household_page_shows_value_roles_and_allocation(firm_a, household, member_factory):
    home, _ = household
    advisor = member_factory(firm_a, Role.ADVISOR, "hh-advisor")
    Household.objects.filter(pk=home.pk).update(advisor=advisor)

    html = client_for(advisor).get(reverse("household_detail", args=[home.pk])).content.decode()

    assert "$80,000.00" in html
    assert 'id="household-allocation"' in html and "us equity" in html
    assert "37.5 %" in html and "50.0 %" in html and "-12.5 %" in html
    assert "Tax-deferred" in html and "Taxable" in html
    assert "Drift (half the sum of the differences) 12.5 %" in html
