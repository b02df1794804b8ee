"""The gain-harvest menu over the API: a household default an account overrides, audited,
a negative amount refused naming the field; the nightly run's case carries it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from firms.models import AuditEvent
from tests.api.conftest import problem
from tests.factories import AccountFactory, HouseholdFactory
from tests.trading.builders import AS_OF
from tests.trading.test_gain_room import _book
from trading.optimization import case_for_account
from trading.selectors.run_inputs import chunk_inputs

pytestmark = pytest.mark.django_db


def test_harvest_gains_up_to_is_a_household_default_an_account_overrides_audited(firm_a, api_a):
    household = HouseholdFactory(firm=firm_a)
    account = AccountFactory(household=household)
    other = AccountFactory(household=household)
    api_a.patch(
        f"/api/v1/households/{household.pk}/preferences/",
        {"harvest_gains_up_to_usd": "20000.00"},
        format="json",
    )
    url = f"/api/v1/accounts/{account.pk}/preferences/"
    body = api_a.patch(url, {"harvest_gains_up_to_usd": "5000.00"}, format="json").json()

    assert body["effective"]["harvest_gains_up_to_usd"] == "5000.00"
    assert body["sources"]["harvest_gains_up_to_usd"] == "account"
    inherited = api_a.get(f"/api/v1/accounts/{other.pk}/preferences/").json()
    assert inherited["effective"]["harvest_gains_up_to_usd"] == "20000.00"
    assert inherited["sources"]["harvest_gains_up_to_usd"] == "household"
    event = AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk).get()
    assert event.after == {"harvest_gains_up_to_usd": "5000.00"}


def test_a_negative_harvest_amount_is_refused_naming_the_field(firm_a, api_a):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    response = api_a.patch(
        f"/api/v1/accounts/{account.pk}/preferences/",
        {"harvest_gains_up_to_usd": "-1"},
        format="json",
    )

    assert [e["field"] for e in problem(response, 400)["errors"]] == ["harvest_gains_up_to_usd"]
    assert not AuditEvent.objects.filter(action="preferences.update").exists()


def test_the_nightly_case_carries_the_harvest_amount(firm_a, api_a):
    _, [account] = _book(firm_a)
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    [item] = inputs.accounts
    assert case_for_account(item, inputs).preferences.tax.harvest_gains_up_to is None

    api_a.patch(
        f"/api/v1/accounts/{account.pk}/preferences/",
        {"harvest_gains_up_to_usd": "7500.00"},
        format="json",
    )
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    [item] = inputs.accounts
    assert case_for_account(item, inputs).preferences.tax.harvest_gains_up_to == Decimal("7500.00")
