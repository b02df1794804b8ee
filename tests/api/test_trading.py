"""The trade workflow through the API: four eyes on blotters (two people, not two keys),
export, fills as JSON or CSV."""

from __future__ import annotations

from decimal import Decimal

import pytest

from firms.models import Role
from tests.api.conftest import key_client, problem, session_client
from tests.trading.builders import AS_OF, small_book
from trading.models import Fill, Proposal, TaxLot

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_blotter(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a, name="desk-1")
    proposal = api.post(
        f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
    ).json()
    api.post(f"/api/v1/proposals/{proposal['id']}/approve/")
    blotter = api.post("/api/v1/blotters/").json()
    return api, account, blotter


def test_with_four_eyes_two_keys_are_not_two_people(firm_a, approved_blotter, member_factory):
    firm_a.require_four_eyes = True
    firm_a.save()
    api, _, blotter = approved_blotter
    url = f"/api/v1/blotters/{blotter['id']}/approve/"
    assert api.post(url).json()["status"] == "partly_approved"
    assert "different" in problem(api.post(url), 409)["detail"]
    # a second key of the same firm is another credential, not another pair of eyes
    second = key_client(firm_a, name="desk-2")
    assert "two API keys are not two people" in problem(second.post(url), 409)["detail"]
    # a trader, signed in, gives the second approval
    trader = session_client(member_factory(firm_a, Role.TRADER, "trader-a"))
    assert trader.post(url).json()["status"] == "approved"


def test_orders_export_only_once_approved_and_fills_come_back_as_csv(approved_blotter):
    api, account, blotter = approved_blotter
    export_url = f"/api/v1/blotters/{blotter['id']}/export/"
    problem(api.post(export_url), 409)
    api.post(f"/api/v1/blotters/{blotter['id']}/approve/")
    rows = api.post(export_url, HTTP_ACCEPT="text/csv").content.decode().splitlines()
    header, first = (
        rows[0].split(","),
        dict(zip(rows[0].split(","), rows[1].split(","), strict=True)),
    )
    assert header[:3] == ["blotter", "order_id", "symbol"]
    fills_url = f"/api/v1/blotters/{blotter['id']}/fills/"
    fields = ("order_id", "account_number", "allocation_quantity", "estimated_price")
    line = ",".join(["F1", *(first[f] for f in fields), "2025-07-01"])
    bad = f"F2,{first['order_id']},NOPE,1,1,2025-07-01"
    text = "fill_id,order_id,account_number,quantity,price,trade_date\n" + line + "\n" + bad + "\n"
    # a bad CSV line is named by its line number (the header is line 1); nothing is kept
    errors = problem(api.post(fills_url, text, content_type="text/csv"), 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(3, "account_number")]
    assert not Fill.objects.exists()
    # in JSON, rows count from 1
    json_rows = [
        {
            "fill_id": "F2",
            "order_id": int(first["order_id"]),
            "account_number": "NOPE",
            "quantity": "1",
            "price": "1",
            "trade_date": "2025-07-01",
        }
    ]
    errors = problem(api.post(fills_url, {"rows": json_rows}, format="json"), 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(1, "account_number")]
    # the good line alone is recorded through the lot engine
    before = sum(
        lot.quantity
        for lot in TaxLot.objects.filter(account=account, security__symbol=first["symbol"])
    )
    done = api.post(fills_url, text.rsplit(bad, 1)[0], content_type="text/csv")
    assert done.status_code == 200 and done.json()["fills"] == 1
    after = sum(
        lot.quantity
        for lot in TaxLot.objects.filter(account=account, security__symbol=first["symbol"])
    )
    sign = 1 if first["side"] == "buy" else -1
    assert after - before == sign * Decimal(first["allocation_quantity"])


def test_fills_for_a_filled_blotter_are_a_conflict(approved_blotter):
    # given a blotter filled in full
    api, _, blotter = approved_blotter
    api.post(f"/api/v1/blotters/{blotter['id']}/approve/")
    export_url = f"/api/v1/blotters/{blotter['id']}/export/"
    rows = api.post(export_url, HTTP_ACCEPT="text/csv").content.decode().splitlines()
    header = rows[0].split(",")
    fields = ("order_id", "account_number", "allocation_quantity", "estimated_price")
    lines = [
        ",".join([f"F{i}", *(dict(zip(header, row.split(","), strict=True))[f] for f in fields)])
        + ",2025-07-01"
        for i, row in enumerate(rows[1:])
    ]
    text = "fill_id,order_id,account_number,quantity,price,trade_date\n" + "\n".join(lines) + "\n"
    fills_url = f"/api/v1/blotters/{blotter['id']}/fills/"
    assert (
        api.post(fills_url, text, content_type="text/csv").json()["blotter"]["status"] == "filled"
    )
    # when the same fills come again under new ids, then the answer is a conflict
    again = text.replace("\nF", "\nG")
    body = problem(api.post(fills_url, again, content_type="text/csv"), 409)
    assert "filled" in body["detail"]
    assert Fill.objects.count() == len(lines)


def test_a_proposal_says_whether_bulk_approval_takes_it(firm_a):
    _, _, accounts = small_book(firm=firm_a, accounts=2)
    api = key_client(firm_a, name="desk-2")
    ids = [
        api.post(
            f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
        ).json()["id"]
        for account in accounts
    ]
    Proposal.objects.filter(pk=ids[0]).update(status="pending_review", flags=["drift_forced"])
    Proposal.objects.filter(pk=ids[1]).update(status="pending_review", flags=[])

    def approvable() -> dict[int, bool]:
        listed = api.get("/api/v1/proposals/").json()["results"]
        seen = {p["id"]: p["bulk_approvable"] for p in listed}
        assert api.get(f"/api/v1/proposals/{ids[0]}/").json()["bulk_approvable"] == seen[ids[0]]
        return seen

    assert approvable() == {ids[0]: False, ids[1]: True}
    firm_a.bulk_approvable_flags = ["drift_forced"]
    firm_a.save(update_fields=["bulk_approvable_flags"])
    assert approvable() == {ids[0]: True, ids[1]: True}
