"""Prices are shared reference data: what one firm sends never changes what another reads.

A firm that is not a steward of reference data keeps the prices it sends to itself until a
steward adopts them; a steward's new day that moves more than the review threshold is held
until a steward releases it (unless a split explains it); future dates are refused; who
sent each price is recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from firms.models import AuditEvent
from models_library.models import FirmPrice, HeldPrice, Price
from models_library.selectors.prices import latest_closes
from tests.factories import AccountFactory, FirmFactory, SecurityFactory, TaxLotFactory
from tests.trading.builders import AS_OF, etf_universe, small_book
from trading.selectors.run_inputs import chunk_inputs

from .conftest import key_client, problem

pytestmark = pytest.mark.django_db

NEXT_DAY = AS_OF + dt.timedelta(days=1)


@pytest.fixture
def steward():
    return FirmFactory(name="Steward Data", slug="steward", manages_reference_data=True)


@pytest.fixture
def api_steward(steward):
    return key_client(steward, scopes=("read", "import"))


def _post_prices(client, rows):
    return client.post("/api/v1/prices/bulk/", {"rows": rows}, format="json")


def _positions(client, account, as_of=NEXT_DAY):
    response = client.get(f"/api/v1/accounts/{account.pk}/positions/?as_of={as_of}")
    assert response.status_code == 200, response.content
    return {p["symbol"]: (p["price"], p["market_value_usd"]) for p in response.json()}


def _vti_input(firm, account, as_of=NEXT_DAY):
    return chunk_inputs(firm=firm, account_ids=[account.pk], as_of=as_of).prices["VTI"]


def test_a_firms_own_price_never_reaches_another_firms_positions_or_optimization(
    firm_a, firm_b, api_a, api_b
):
    # given firm A's account of 100 VTI at the shared close of 300 on AS_OF
    securities, _, [account_a] = small_book(firm=firm_a, accounts=1)
    # when firm B (not a steward) posts VTI at 1.23 for the next day
    response = _post_prices(api_b, [{"symbol": "VTI", "date": str(NEXT_DAY), "close": "1.23"}])
    assert response.status_code == 200, response.content
    assert response.json() == {"written": 1, "shared": 0, "firm_only": 1, "held": 0}
    # then firm A's positions and optimization input still use the shared close
    assert _positions(api_a, account_a)["VTI"] == ("300.000000", "30000.00")
    assert _vti_input(firm_a, account_a) == (AS_OF, Decimal("300.000000"))
    assert not Price.objects.filter(date=NEXT_DAY).exists()
    listed = api_a.get("/api/v1/prices/?symbol=VTI").json()["results"]
    assert [(r["date"], r["close"]) for r in listed] == [(str(AS_OF), "300.000000")]
    # and firm B reads its own price, for its own book
    account_b = AccountFactory(household__firm=firm_b)
    TaxLotFactory(account=account_b, security=securities["VTI"], quantity=10)
    assert _positions(api_b, account_b)["VTI"] == ("1.230000", "12.30")
    assert _vti_input(firm_b, account_b) == (NEXT_DAY, Decimal("1.230000"))
    own = api_b.get("/api/v1/prices/own/?symbol=VTI").json()["results"]
    assert [(r["symbol"], r["date"], r["close"]) for r in own] == [
        ("VTI", str(NEXT_DAY), "1.230000")
    ]
    assert api_a.get("/api/v1/prices/own/").json()["results"] == []


@pytest.mark.parametrize("who", ["firm", "steward"])
def test_a_price_dated_in_the_future_is_refused_by_row_and_field(who, api_b, api_steward):
    client = api_b if who == "firm" else api_steward
    SecurityFactory(symbol="VTI")
    today = timezone.now().astimezone(ZoneInfo(client.api_key.firm.timezone)).date()
    tomorrow = today + dt.timedelta(days=1)
    rows = [
        {"symbol": "VTI", "date": str(today), "close": "300"},
        {"symbol": "VTI", "date": "2099-01-02", "close": "300"},
        {"symbol": "VTI", "date": str(tomorrow), "close": "300"},
    ]
    errors = problem(_post_prices(client, rows), 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "date"), (3, "date")]
    assert errors[0]["message"] == f"is after today ({today})"
    assert not Price.objects.exists() and not FirmPrice.objects.exists()


def test_a_stewards_big_move_is_held_until_a_steward_releases_it(
    firm_a, api_a, steward, api_steward
):
    _, _, [account_a] = small_book(firm=firm_a, accounts=1)
    # when the steward posts a 90 % drop for the next day
    row = {"symbol": "VTI", "date": str(NEXT_DAY), "close": "30.00"}
    response = _post_prices(api_steward, [row])
    assert response.json() == {"written": 1, "shared": 0, "firm_only": 0, "held": 1}
    # then nobody reads it
    assert _positions(api_a, account_a)["VTI"] == ("300.000000", "30000.00")
    assert _vti_input(firm_a, account_a) == (AS_OF, Decimal("300.000000"))
    assert latest_closes(firm=steward, symbols=["VTI"], as_of=NEXT_DAY) == {
        "VTI": (AS_OF, Decimal("300.000000"))
    }
    [held] = api_steward.get("/api/v1/prices/held/").json()["results"]
    assert (held["symbol"], held["date"], held["close"], held["previous_close"]) == (
        "VTI",
        str(NEXT_DAY),
        "30.000000",
        "300.000000",
    )
    # a firm that is not a steward can neither see nor release it
    assert api_a.get("/api/v1/prices/held/").status_code == 403
    assert api_a.post(f"/api/v1/prices/held/{held['id']}/release/").status_code == 403
    # when the steward releases it, everyone reads it, and the release is audited
    released = api_steward.post(f"/api/v1/prices/held/{held['id']}/release/")
    assert released.status_code == 200, released.content
    assert _positions(api_a, account_a)["VTI"] == ("30.000000", "3000.00")
    assert HeldPrice.objects.get().status == "released"
    event = AuditEvent.objects.get(action="prices.release")
    assert event.firm is None and event.after is not None
    assert event.after["close"] == "30.000000"
    assert api_steward.post(f"/api/v1/prices/held/{held['id']}/release/").status_code == 404


def test_a_held_price_can_be_rejected(firm_a, api_steward):
    small_book(firm=firm_a, accounts=1)
    _post_prices(api_steward, [{"symbol": "VTI", "date": str(NEXT_DAY), "close": "30.00"}])
    held = HeldPrice.objects.get()
    assert api_steward.post(f"/api/v1/prices/held/{held.pk}/reject/").status_code == 200
    assert HeldPrice.objects.get().status == "rejected"
    assert not Price.objects.filter(date=NEXT_DAY).exists()
    assert AuditEvent.objects.filter(action="prices.reject").count() == 1


def test_a_split_explains_a_stewards_big_move(firm_a, api_a, api_steward):
    _, _, [account_a] = small_book(firm=firm_a, accounts=1)
    row = {"symbol": "VTI", "date": str(NEXT_DAY), "close": "30.00", "split_ratio": "10"}
    assert _post_prices(api_steward, [row]).json() == {
        "written": 1,
        "shared": 1,
        "firm_only": 0,
        "held": 0,
    }
    assert _positions(api_a, account_a)["VTI"] == ("30.000000", "3000.00")
    # a split ratio that does not explain the move is held all the same
    row = {"symbol": "BND", "date": str(NEXT_DAY), "close": "7.20", "split_ratio": "2"}
    assert _post_prices(api_steward, [row]).json()["held"] == 1


def test_a_steward_adopts_a_firms_price_and_then_every_firm_reads_it(
    firm_a, firm_b, api_a, api_b, api_steward
):
    _, _, [account_a] = small_book(firm=firm_a, accounts=1)
    _post_prices(api_b, [{"symbol": "VTI", "date": str(NEXT_DAY), "close": "310.00"}])
    assert _vti_input(firm_a, account_a) == (AS_OF, Decimal("300.000000"))
    wanted = {"firm": "beta", "symbol": "VTI", "date": str(NEXT_DAY)}
    # a firm that is not a steward cannot adopt
    assert api_b.post("/api/v1/prices/adopt/", wanted, format="json").status_code == 403
    response = api_steward.post("/api/v1/prices/adopt/", wanted, format="json")
    assert response.status_code == 200, response.content
    assert _vti_input(firm_a, account_a) == (NEXT_DAY, Decimal("310.000000"))
    assert _positions(api_a, account_a)["VTI"] == ("310.000000", "31000.00")
    event = AuditEvent.objects.get(action="prices.adopt")
    assert event.firm is None and event.after is not None
    assert event.after["sent_by_firm"] == "beta"
    missing = {"firm": "beta", "symbol": "VTI", "date": str(AS_OF)}
    errors = problem(api_steward.post("/api/v1/prices/adopt/", missing, format="json"), 400)
    assert [e["field"] for e in errors["errors"]] == ["date"]


def test_the_sender_of_every_price_is_recorded(firm_b, api_b, steward, api_steward):
    etf_universe()
    _post_prices(api_b, [{"symbol": "VTI", "date": str(NEXT_DAY), "close": "301.00"}])
    _post_prices(api_steward, [{"symbol": "BND", "date": str(NEXT_DAY), "close": "72.10"}])
    own = FirmPrice.objects.get()
    assert (own.firm, own.sent_by) == (firm_b, f"key:{api_b.api_key.pk}")
    shared = Price.objects.get(date=NEXT_DAY)
    assert (shared.sent_by_firm, shared.sent_by) == (steward, f"key:{api_steward.api_key.pk}")
    api_steward.post(
        "/api/v1/prices/adopt/",
        {"firm": "beta", "symbol": "VTI", "date": str(NEXT_DAY)},
        format="json",
    )
    adopted = Price.objects.get(date=NEXT_DAY, security__symbol="VTI")
    assert (adopted.sent_by_firm, adopted.sent_by, adopted.accepted_by) == (
        firm_b,
        f"key:{api_b.api_key.pk}",
        f"steward key:{api_steward.api_key.pk}",
    )
