"""Each firm-owned model's selectors return only the given firm's rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from accounts.selectors.households import (
    account_get,
    account_get_by_number,
    account_list,
    household_get,
    household_list,
)
from accounts.selectors.preferences import effective_preferences_for_accounts
from models_library.selectors.models import model_get, model_list, version_get
from rebalancer.tenancy import FirmQuerySet
from tests.factories import (
    AccountFactory,
    HouseholdFactory,
    ModelPortfolioFactory,
    ModelVersionFactory,
    PreferenceSetFactory,
)


@pytest.fixture
def two_books(firm_a, firm_b):
    a = AccountFactory(household=HouseholdFactory(firm=firm_a), account_number="SAME-1")
    b = AccountFactory(household=HouseholdFactory(firm=firm_b), account_number="SAME-1")
    return a, b


def test_account_number_may_repeat_across_firms(two_books):
    a, b = two_books
    assert a.account_number == b.account_number


def test_lists_are_firm_scoped(firm_a, firm_b, two_books):
    a, b = two_books
    assert list(account_list(firm=firm_a)) == [a]
    assert list(account_list(firm=firm_b)) == [b]
    assert list(household_list(firm=firm_a)) == [a.household]


def test_get_of_other_firm_is_not_found(firm_a, two_books):
    a, b = two_books
    assert account_get(firm=firm_a, account_id=a.pk) == a
    with pytest.raises(Http404):
        account_get(firm=firm_a, account_id=b.pk)
    with pytest.raises(Http404):
        household_get(firm=firm_a, household_id=b.household_id)
    assert account_get_by_number(firm=firm_a, account_number="SAME-1") == a


def test_model_selectors_are_firm_scoped(firm_a, firm_b):
    mine = ModelPortfolioFactory(firm=firm_a)
    theirs = ModelPortfolioFactory(firm=firm_b)
    version = ModelVersionFactory(model=theirs)
    assert list(model_list(firm=firm_a)) == [mine]
    with pytest.raises(Http404):
        model_get(firm=firm_a, model_id=theirs.pk)
    with pytest.raises(Http404):
        version_get(firm=firm_a, version_id=version.pk)


def test_preferences_of_other_firm_are_ignored(firm_a, firm_b, two_books):
    a, b = two_books
    # a preference set of firm B pointing at firm A's household must never be read for firm A
    PreferenceSetFactory(household=a.household, firm=firm_b, short_term_rate="0.10")
    prefs = effective_preferences_for_accounts(firm=firm_a, accounts=[a], as_of=dt.date(2025, 1, 1))
    assert prefs[a.pk].short_term_rate == Decimal("0.37")


def test_for_firm_requires_a_firm(db):
    with pytest.raises(ValueError):
        FirmQuerySet(model=None).for_firm(None)  # type: ignore[arg-type]  # the misuse tested
