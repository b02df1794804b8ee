"""Money events (transactions, cash balances, fills) carry a real date, written YYYY-MM-DD,
and never one after today in the firm's own time zone; a refused import saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from firms.models import AuditEvent
from tests.api.conftest import key_client, problem
from tests.factories import AccountFactory, HouseholdFactory, SecurityFactory
from tests.trading.builders import AS_OF, small_book
from trading.models import CashBalance, Fill, TaxLot, Transaction

pytestmark = pytest.mark.django_db

# noon in UTC on 20 November 2026: still the 20th in New York, already the 21st in Auckland
NOON_UTC = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
FUTURE = (
    "2099-01-01 is after today (2026-11-20 in America/New_York): a future date cannot be recorded"
)
NOT_A_DATE = "must be a date string YYYY-MM-DD, not {!r}"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON_UTC, tick=False) as traveller:
        yield traveller


@pytest.fixture
def account(firm_a):
    SecurityFactory(symbol="VTI")
    return AccountFactory(household=HouseholdFactory(firm=firm_a), account_number="A-1")


def buy(ext: str, date) -> dict:
    return {
        "account_number": "A-1",
        "external_id": ext,
        "date": date,
        "type": "buy",
        "symbol": "VTI",
        "quantity": "10",
        "amount_usd": "3000.00",
    }


def errors_of(response) -> list[tuple]:
    return [(e["row"], e["field"], e["message"]) for e in problem(response, 400)["errors"]]


def post_transactions(api, rows):
    return api.post("/api/v1/transactions/bulk/", {"rows": rows}, format="json")


def test_a_transaction_dated_in_the_future_is_refused_and_makes_no_lots(api_a, account):
    response = post_transactions(api_a, [buy("T1", "2099-01-01"), buy("T2", "2024-01-02")])

    assert errors_of(response) == [(1, "date", FUTURE)]
    assert not Transaction.objects.exists()
    assert not TaxLot.objects.exists()
    assert not AuditEvent.objects.filter(action="transactions.record").exists()


@pytest.mark.parametrize("written", [20261120, "20261120", "2026-W47-5", None])
def test_a_transaction_date_not_written_yyyy_mm_dd_is_refused(api_a, account, written):
    response = post_transactions(api_a, [buy("T1", written)])

    assert errors_of(response) == [(1, "date", NOT_A_DATE.format(written))]
    assert not TaxLot.objects.exists()


def test_a_transaction_dated_today_is_recorded(api_a, account):
    response = post_transactions(api_a, [buy("T1", "2026-11-20")])

    assert response.status_code == 200, response.content
    assert list(TaxLot.objects.values_list("acquired", flat=True)) == [dt.date(2026, 11, 20)]


def test_today_is_the_firms_today_ahead_of_utc(api_a, firm_a, account):
    # given a firm in Auckland, where it is already 21 November at noon UTC on the 20th
    firm_a.timezone = "Pacific/Auckland"
    firm_a.save()

    # when a transaction dated the 21st (tomorrow in UTC) comes in
    response = post_transactions(api_a, [buy("T1", "2026-11-21")])

    # then it is today's, and recorded
    assert response.status_code == 200, response.content
    assert TaxLot.objects.get().acquired == dt.date(2026, 11, 21)


def test_today_is_the_firms_today_behind_utc(api_a, firm_a, account, clock):
    # given a firm in Los Angeles at 03:00 UTC on the 21st, still the evening of the 20th there
    firm_a.timezone = "America/Los_Angeles"
    firm_a.save()
    clock.move_to(dt.datetime(2026, 11, 21, 3, 0, tzinfo=dt.UTC))

    # when a transaction dated the 21st (today in UTC) comes in
    response = post_transactions(api_a, [buy("T1", "2026-11-21")])

    # then it is in the firm's future
    message = (
        "2026-11-21 is after today (2026-11-20 in America/Los_Angeles): "
        "a future date cannot be recorded"
    )
    assert errors_of(response) == [(1, "date", message)]
    assert not TaxLot.objects.exists()


def cash_row(as_of, amount="-1000000.00") -> dict:
    return {"account_number": "A-1", "amount_usd": amount, "as_of": as_of}


def test_a_cash_balance_dated_in_the_future_is_refused(api_a, account):
    response = api_a.post("/api/v1/cash/bulk/", {"rows": [cash_row("2099-01-01")]}, format="json")

    assert errors_of(response) == [(1, "as_of", FUTURE)]
    assert not CashBalance.objects.exists()
    assert not AuditEvent.objects.filter(action="cash.set").exists()


@pytest.mark.parametrize("written", [20261120, "20261120"])
def test_a_cash_balance_date_not_written_yyyy_mm_dd_is_refused(api_a, account, written):
    response = api_a.post("/api/v1/cash/bulk/", {"rows": [cash_row(written)]}, format="json")

    assert errors_of(response) == [(1, "as_of", NOT_A_DATE.format(written))]
    assert not CashBalance.objects.exists()


def test_a_negative_cash_balance_dated_today_is_kept_as_reported(api_a, account):
    response = api_a.post(
        "/api/v1/cash/bulk/", {"rows": [cash_row("2026-11-20", "-1250.00")]}, format="json"
    )

    assert response.json() == {"written": 1}
    balance = CashBalance.objects.get(account=account)
    assert (balance.amount_usd, balance.as_of) == (Decimal("-1250.00"), dt.date(2026, 11, 20))


@pytest.fixture
def exported_blotter(firm_a):
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a, name="desk-1")
    proposal = api.post(
        f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
    ).json()
    api.post(f"/api/v1/proposals/{proposal['id']}/approve/")
    blotter = api.post("/api/v1/blotters/").json()
    api.post(f"/api/v1/blotters/{blotter['id']}/approve/")
    [first] = api.post(f"/api/v1/blotters/{blotter['id']}/export/").json()[:1]
    fill = {
        "fill_id": "F1",
        "order_id": int(first["order_id"]),
        "account_number": first["account_number"],
        "quantity": first["allocation_quantity"],
        "price": first["estimated_price"],
    }
    return api, f"/api/v1/blotters/{blotter['id']}/fills/", fill


def _nothing_filled() -> bool:
    return (
        not Fill.objects.exists()
        and not Transaction.objects.filter(external_id__startswith="fill-").exists()
    )


def test_a_fill_dated_in_the_future_is_refused(exported_blotter):
    api, url, fill = exported_blotter

    response = api.post(url, {"rows": [{**fill, "trade_date": "2099-01-01"}]}, format="json")

    assert errors_of(response) == [(1, "trade_date", FUTURE)]
    assert _nothing_filled()


def test_a_fill_in_csv_dated_in_the_future_is_refused_naming_its_line(exported_blotter):
    api, url, fill = exported_blotter
    header = "fill_id,order_id,account_number,quantity,price,trade_date"
    line = ",".join(str(fill[c]) for c in header.split(",")[:-1]) + ",2099-01-01"

    response = api.post(url, f"{header}\n{line}\n", content_type="text/csv")

    assert errors_of(response) == [(2, "trade_date", FUTURE)]
    assert _nothing_filled()


def test_a_fill_date_as_a_number_is_refused(exported_blotter):
    api, url, fill = exported_blotter

    response = api.post(url, {"rows": [{**fill, "trade_date": 20261120}]}, format="json")

    assert errors_of(response) == [(1, "trade_date", NOT_A_DATE.format(20261120))]
    assert _nothing_filled()


def test_a_fill_dated_today_is_recorded(exported_blotter):
    api, url, fill = exported_blotter

    response = api.post(url, {"rows": [{**fill, "trade_date": "2026-11-20"}]}, format="json")

    assert response.status_code == 200, response.content
    assert Fill.objects.get().trade_date == dt.date(2026, 11, 20)
