"""The tax filer's menus, the tax budget and the harvest threshold over the API:
household defaults with account overrides, audited, bad input refused naming the field."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent
from tests.api.conftest import problem
from tests.factories import AccountFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_the_tax_menus_are_household_defaults_an_account_overrides_audited(firm_a, api_a):
    household = HouseholdFactory(firm=firm_a)
    account = AccountFactory(household=household)
    api_a.patch(
        f"/api/v1/households/{household.pk}/preferences/",
        {"tax_filer": "Pat", "annual_tax_budget_usd": "8000.00"},
        format="json",
    )
    url = f"/api/v1/accounts/{account.pk}/preferences/"
    body = api_a.patch(
        url,
        {
            "tax_filer": "Sam",
            "carryforward_long_term_usd": "2500.00",
            "harvest_min_loss_pct": "5.00",
        },
        format="json",
    ).json()

    assert (body["effective"]["tax_filer"], body["sources"]["tax_filer"]) == ("Sam", "account")
    assert body["effective"]["annual_tax_budget_usd"] == "8000.00"
    assert body["sources"]["annual_tax_budget_usd"] == "household"
    assert body["effective"]["carryforward_years"] == "3.00"
    assert body["sources"]["carryforward_years"] == "default"
    event = AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk).get()
    assert event.after == {
        "tax_filer": "Sam",
        "carryforward_long_term_usd": "2500.00",
        "harvest_min_loss_pct": "5.00",
    }


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"ordinary_income_rate": "1.2"}, "ordinary_income_rate"),
        ({"annual_tax_budget_usd": "-100"}, "annual_tax_budget_usd"),
        ({"carryforward_usd": "5000"}, "carryforward_usd"),
        ({"carryforward_short_term_usd": "-1"}, "carryforward_short_term_usd"),
        ({"transition_budget_per_year_usd": "-1"}, "transition_budget_per_year_usd"),
        ({"transition_years": 0}, "transition_years"),
        ({"transition_start_year": 3000}, "transition_start_year"),
    ],
)
def test_bad_tax_menus_are_refused_naming_the_field(firm_a, api_a, sent, field):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    response = api_a.patch(f"/api/v1/accounts/{account.pk}/preferences/", sent, format="json")

    assert [e["field"] for e in problem(response, 400)["errors"]] == [field]
    assert not AuditEvent.objects.filter(action="preferences.update").exists()


@pytest.mark.parametrize("body", ["null", "[]", '"text"'])
def test_a_preferences_body_that_is_not_an_object_is_a_400(firm_a, api_a, body):
    household = HouseholdFactory(firm=firm_a)
    account = AccountFactory(household=household)
    for url in (
        f"/api/v1/households/{household.pk}/preferences/",
        f"/api/v1/accounts/{account.pk}/preferences/",
    ):
        response = api_a.generic("PATCH", url, body, content_type="application/json")
        assert problem(response, 400)["status"] == 400
    assert not AuditEvent.objects.filter(action="preferences.update").exists()
