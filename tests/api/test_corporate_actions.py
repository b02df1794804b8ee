"""Corporate actions over the API: a steward enters them; every firm's books follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models_library.models import CorporateAction
from rebalancer.actors import Actor
from tests.factories import AccountFactory, FirmFactory, HouseholdFactory, SecurityFactory
from trading.models import TaxLot
from trading.services.lot_ledger import transactions_record

from .conftest import key_client, problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/corporate-actions/"
SPLIT = {
    "reference": "ACME-2025-SPLIT",
    "kind": "split",
    "symbol": "ACME",
    "effective_date": "2025-06-02",
    "ratio": "3:2",
}


@pytest.fixture
def steward_api(db):
    firm = FirmFactory(name="Stewards", slug="stewards", manages_reference_data=True)
    return key_client(firm)


@pytest.fixture
def acme(db):
    return SecurityFactory(symbol="ACME", identical_group="")


def test_a_stewards_split_is_applied_to_other_firms_lots_after_commit(
    firm_a, steward_api, acme, django_capture_on_commit_callbacks
):
    account = AccountFactory(household=HouseholdFactory(firm=firm_a), account_number="A-1")
    transactions_record(
        firm=firm_a,
        account=account,
        actor=Actor.system("test"),
        rows=[
            {
                "external_id": "a1",
                "date": dt.date(2025, 1, 2),
                "type": "buy",
                "symbol": "ACME",
                "quantity": Decimal("100"),
                "amount_usd": Decimal("10000.00"),
            }
        ],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = steward_api.post(URL, {"rows": [SPLIT]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "references": ["ACME-2025-SPLIT"]}
    lot = TaxLot.objects.for_firm(firm_a).get()
    assert (lot.quantity, lot.cost_basis_usd) == (Decimal("150"), Decimal("10000.00"))


def test_any_firm_reads_the_actions(firm_a, steward_api, acme):
    steward_api.post(URL, {"rows": [SPLIT]}, format="json")

    response = key_client(firm_a, scopes=("read",)).get(URL, {"symbol": "ACME"})

    assert response.status_code == 200
    assert [
        (a["reference"], a["ratio_new"], a["ratio_old"]) for a in response.json()["results"]
    ] == [("ACME-2025-SPLIT", "3.000000", "2.000000")]


def test_a_firm_that_is_not_a_steward_cannot_enter_them(firm_a, acme):
    response = key_client(firm_a).post(URL, {"rows": [SPLIT]}, format="json")

    assert "manages reference data" in problem(response, 403)["detail"]
    assert not CorporateAction.objects.exists()


def test_a_read_only_key_cannot_enter_them(steward_api, acme):
    reader = key_client(steward_api.api_key.firm, scopes=("read",))

    response = reader.post(URL, {"rows": [SPLIT]}, format="json")

    assert response.status_code == 403


def test_bad_rows_are_named_and_nothing_is_entered(steward_api, acme):
    rows = [
        SPLIT,
        {**SPLIT, "reference": "X-2", "symbol": "NOPE"},
        {**SPLIT, "reference": "X-3", "ratio": "0"},
    ]

    response = steward_api.post(URL, {"rows": rows}, format="json")

    errors = problem(response, 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "symbol"), (3, "ratio")]
    assert not CorporateAction.objects.exists()
