"""Opening households, clients and accounts: every bad field named, nothing half-saved."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from accounts.models import Account, TaxStatus
from accounts.services.book import account_create, client_create, household_create
from firms.models import AuditEvent
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from tests.factories import AccountFactory


def test_open_household_client_and_ira(firm_a, advisor_a):
    household = household_create(
        firm=firm_a, actor=Actor.person(advisor_a), name="Hopper", advisor=advisor_a
    )
    client = client_create(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=household,
        first_name="Grace",
        last_name="Hopper",
    )
    account = account_create(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        household=household,
        client=client,
        account_number=" IRA-77 ",
        name="Grace IRA",
        custodian="Fidelity",
        registration_type="traditional_ira",
    )
    assert account.account_number == "IRA-77"
    assert account.tax_status == TaxStatus.TAX_DEFERRED
    assert AuditEvent.objects.filter(firm=firm_a).count() == 3


def test_duplicate_account_number_is_refused_naming_the_field(firm_a, advisor_a):
    existing = AccountFactory(household__firm=firm_a, account_number="DUP-1")
    with pytest.raises(ValidationFailed) as info:
        account_create(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            household=existing.household,
            account_number="DUP-1",
            name="Second",
            custodian="Schwab",
            registration_type="individual",
        )
    assert info.value.errors[0][1] == "account_number"
    assert Account.objects.count() == 1


def test_database_backs_account_number_uniqueness(firm_a):
    existing = AccountFactory(household__firm=firm_a, account_number="DUP-2")
    with pytest.raises(IntegrityError):
        AccountFactory(household=existing.household, account_number="DUP-2")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"registration_type": "pension"}, "registration_type"),
        ({"tax_status": "sometimes"}, "tax_status"),
        ({"account_number": ""}, "account_number"),
        ({"custodian": ""}, "custodian"),
    ],
)
def test_bad_account_fields_are_named(firm_a, advisor_a, fields, field):
    household = household_create(firm=firm_a, actor=Actor.person(advisor_a), name="H")
    args = {
        "account_number": "X-1",
        "name": "X",
        "custodian": "Schwab",
        "registration_type": "individual",
    } | fields
    with pytest.raises(ValidationFailed) as info:
        account_create(firm=firm_a, actor=Actor.person(advisor_a), household=household, **args)
    assert field in [f for _, f, _ in info.value.errors]
    assert not Account.objects.exists()


def test_cannot_open_account_in_other_firms_household(firm_a, firm_b, advisor_b):
    household = household_create(firm=firm_a, actor=Actor.system("test"), name="Theirs")
    with pytest.raises(DomainError):
        account_create(
            firm=firm_b,
            actor=Actor.person(advisor_b),
            household=household,
            account_number="Z",
            name="Z",
            custodian="Z",
            registration_type="individual",
        )


def test_advisor_must_belong_to_the_firm(firm_a, advisor_b):
    with pytest.raises(ValidationFailed) as info:
        household_create(firm=firm_a, actor=Actor.system("test"), name="H", advisor=advisor_b)
    assert info.value.errors[0][1] == "advisor"
