"""The reconciliation tolerance is a menu: the household's default, the account's
override, the product default; set over the API or on the preference page, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import PreferenceSet
from accounts.services.preferences import preferences_update
from firms.models import AuditEvent, Role
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.api.conftest import key_client, problem
from tests.web.helpers import client_for
from trading.models import Reconciliation, ReconciliationStatus
from trading.services.reconciliation import custodian_positions_import

from .builders import AS_OF, small_book

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def _statement(number, vti, cash):
    day = AS_OF.isoformat()
    return [
        {"account_number": number, "as_of": day, "symbol": "VTI", "quantity": vti},
        {"account_number": number, "as_of": day, "symbol": "BND", "quantity": "100"},
        {"account_number": number, "as_of": day, "symbol": "CASH", "quantity": cash},
    ]


def _statuses(firm, accounts):
    return [Reconciliation.objects.for_firm(firm).get(account=a).status for a in accounts]


def test_the_households_tolerance_holds_for_its_accounts_and_an_account_overrides_it(firm_a):
    # given two accounts of one household (VTI 100 and 110, cash 2000 and 2500) whose
    # custodian reports 2 more VTI and $25 more cash in each
    _, _, (first, second) = small_book(firm=firm_a, accounts=2)
    second.household = first.household
    second.save()
    preferences_update(
        firm=firm_a,
        actor=ACTOR,
        household=first.household,
        values={
            "reconciliation_quantity_tolerance": Decimal("2"),
            "reconciliation_cash_tolerance_usd": Decimal("25.00"),
        },
    )
    preferences_update(
        firm=firm_a,
        actor=ACTOR,
        account=second,
        values={"reconciliation_cash_tolerance_usd": Decimal("24.99")},
    )
    rows = _statement(first.account_number, "102", "2025.00")
    rows += _statement(second.account_number, "112", "2525.00")

    # when
    imported = custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)

    # then 2 shares and $25.00 are within the household's tolerance; the account that
    # allows $24.99 is out of balance on cash alone
    assert _statuses(firm_a, (first, second)) == [
        ReconciliationStatus.BALANCED,
        ReconciliationStatus.OUT_OF_BALANCE,
    ]
    assert imported.out_of_balance == (second.account_number,)
    assert Reconciliation.objects.get(account=second).differences == [
        {"symbol": "CASH", "ledger": "2500", "custodian": "2525", "difference": "25"}
    ]


def test_without_a_menu_the_product_default_is_a_ten_thousandth_of_a_share_and_a_dollar(firm_a):
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    rows = _statement(account.account_number, "100.0001", "2001.00")

    custodian_positions_import(firm=firm_a, actor=ACTOR, rows=rows)

    assert _statuses(firm_a, (account,)) == [ReconciliationStatus.BALANCED]


def test_a_negative_tolerance_is_refused_naming_the_field(firm_a):
    _, _, (account,) = small_book(firm=firm_a, accounts=1)

    with pytest.raises(ValidationFailed) as caught:
        preferences_update(
            firm=firm_a,
            actor=ACTOR,
            account=account,
            values={"reconciliation_quantity_tolerance": Decimal("-1")},
        )

    assert caught.value.errors[0][1] == "reconciliation_quantity_tolerance"
    assert not PreferenceSet.objects.filter(account=account).exists()


def test_the_api_sets_reads_and_audits_the_tolerance(firm_a):
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a)
    url = f"/api/v1/accounts/{account.pk}/preferences/"

    refused = api.patch(url, {"reconciliation_cash_tolerance_usd": "-5"}, format="json")
    saved = api.patch(url, {"reconciliation_cash_tolerance_usd": "50.00"}, format="json")
    read = api.get(url).json()

    assert "reconciliation_cash_tolerance_usd" in str(problem(refused, 400))
    assert saved.status_code == 200, saved.content
    assert read["effective"]["reconciliation_cash_tolerance_usd"] == "50.00"
    assert read["sources"]["reconciliation_cash_tolerance_usd"] == "account"
    assert read["effective"]["reconciliation_quantity_tolerance"] == "0.000100"
    assert read["sources"]["reconciliation_quantity_tolerance"] == "default"
    event = AuditEvent.objects.get(firm=firm_a, action="preferences.update")
    assert event.after == {"reconciliation_cash_tolerance_usd": "50.00"}


def test_the_preference_page_sets_the_households_tolerance(firm_a, member_factory):
    _, _, (account,) = small_book(firm=firm_a, accounts=1)
    advisor = client_for(member_factory(firm_a, Role.FIRM_ADMIN, "a-admin"))
    url = reverse("household_preferences", args=[account.household_id])

    saved = advisor.post(
        url,
        {"reconciliation_quantity_tolerance": "0.5", "reconciliation_cash_tolerance_usd": "10"},
    )
    refused = advisor.post(url, {"reconciliation_cash_tolerance_usd": "-1"})
    page = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in refused.content.decode()
    household = PreferenceSet.objects.get(household=account.household)
    assert (
        household.reconciliation_quantity_tolerance,
        household.reconciliation_cash_tolerance_usd,
    ) == (Decimal("0.5"), Decimal("10.00"))
    assert "Reconciliation tolerance (shares)" in page
    assert "0.5 shares" in page and "$10.00" in page
    assert AuditEvent.objects.filter(firm=firm_a, action="preferences.update").count() == 1
