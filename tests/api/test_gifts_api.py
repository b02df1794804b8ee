"""An account's planned charitable gifts over the API: list, plan, cancel; audited; bad
input refused naming the field; another firm's key gets nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.api.conftest import problem
from tests.trading.builders import AS_OF, small_book
from trading.models import GiftStatus, PlannedGift
from trading.services.review import proposal_reoptimize

pytestmark = pytest.mark.django_db
SOON = (dt.date.today() + dt.timedelta(days=10)).isoformat()


def test_gifts_are_planned_listed_and_cancelled(firm_a, api_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    url = f"/api/v1/accounts/{account.pk}/gifts/"
    assert api_a.get(url).json() == []
    created = api_a.post(
        url, {"amount_usd": "3000.00", "date": SOON, "charity": "Red Cross"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount_usd"], body["date"], body["status"], body["account_number"]) == (
        "3000.00",
        SOON,
        "planned",
        account.account_number,
    )
    assert [g["id"] for g in api_a.get(url).json()] == [body["id"]]
    cancelled = api_a.post(f"{url}{body['id']}/cancel/", format="json")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    problem(api_a.post(f"{url}{body['id']}/cancel/", format="json"), 409)
    actions = set(
        AuditEvent.objects.filter(account_id_ref=account.pk).values_list("action", flat=True)
    )
    assert {"gift.plan", "gift.cancel"} <= actions


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"amount_usd": "0", "date": SOON}, "amount_usd"),
        ({"amount_usd": "-1.00", "date": SOON}, "amount_usd"),
        ({"amount_usd": "99999999.00", "date": SOON}, "amount_usd"),
        ({"amount_usd": "10.00", "date": "2001-01-01"}, "date"),
        ({"amount_usd": "10.00"}, "date"),
    ],
)
def test_bad_gifts_are_refused_naming_the_field(firm_a, api_a, sent, field):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    body = problem(api_a.post(f"/api/v1/accounts/{account.pk}/gifts/", sent, format="json"), 400)
    assert field in str(body["errors"]), body
    assert not PlannedGift.objects.exists()


def test_another_firms_key_gets_nothing(firm_a, api_b):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    gift = PlannedGift.objects.create(firm=firm_a, account=account, amount_usd=10, date=SOON)
    url = f"/api/v1/accounts/{account.pk}/gifts/"
    problem(api_b.get(url), 404)
    problem(api_b.post(url, {"amount_usd": "1.00", "date": SOON}, format="json"), 404)
    problem(api_b.post(f"{url}{gift.pk}/cancel/", format="json"), 404)
    gift.refresh_from_db()
    assert gift.status == GiftStatus.PLANNED


def test_a_proposals_detail_carries_its_gift_apart_from_the_trades(firm_a, api_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    PlannedGift.objects.create(
        firm=firm_a, account=account, amount_usd=3000, date=AS_OF + dt.timedelta(days=5)
    )
    proposal = proposal_reoptimize(
        firm=firm_a, actor=Actor.system("test"), account=account, as_of=AS_OF
    )
    body = api_a.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert body["gift"] == {
        "value_usd": "3000.00",
        "tax_avoided_usd": "200.00",
        "lots": [
            {
                "lot": f"{account.account_number}-VTI-20220103",
                "symbol": "VTI",
                "quantity": "10.000000",
                "price": "300.000000",
                "value_usd": "3000.00",
                "cost_basis_usd": "2000.00",
                "appreciation_usd": "1000.00",
            }
        ],
    }
    assert all(t["side"] in ("buy", "sell") for t in body["trades"])
