"""A fills CSV uploaded on the blotter page with a trade date in the firm's future, or one
not written YYYY-MM-DD, is refused whole, the page naming the line and the field."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import Fill, Transaction
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposals_bulk_approve

pytestmark = pytest.mark.django_db

NOON_UTC = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def upload_fills(book):
    """Posts a fills CSV, one line per allocation of the exported blotter, all on one date."""
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    trader = book.people["trader"]
    blotter = blotter_create(firm=book.firm, actor=Actor.person(trader))
    blotter_approve(firm=book.firm, actor=Actor.person(trader), blotter=blotter)
    export = orders_export_csv(firm=book.firm, actor=Actor.person(trader), blotter=blotter)

    def upload(trade_date: str):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"]
        )
        for i, row in enumerate(csv.DictReader(io.StringIO(export))):
            writer.writerow(
                [
                    f"F{i}",
                    row["order_id"],
                    row["account_number"],
                    row["allocation_quantity"],
                    row["estimated_price"],
                    trade_date if i == 1 else "2026-11-20",
                ]
            )
        file = SimpleUploadedFile("fills.csv", out.getvalue().encode(), content_type="text/csv")
        url = reverse("blotter_import", args=[blotter.pk])
        with time_machine.travel(NOON_UTC, tick=False):
            return client_for(trader).post(url, {"file": file})

    return upload


def _nothing_filled() -> bool:
    fills = Transaction.objects.filter(external_id__startswith="fill-")
    return not Fill.objects.exists() and not fills.exists()


def test_a_fill_dated_in_the_future_is_refused_naming_line_and_field(upload_fills):
    response = upload_fills("2099-01-01")

    assert response.status_code == 400
    assert (
        "<li>Row 3 trade_date: 2099-01-01 is after today (2026-11-20 in America/New_York): "
        "a future date cannot be recorded</li>"
    ) in response.content.decode()
    assert _nothing_filled()


def test_a_fill_date_not_written_yyyy_mm_dd_is_refused(upload_fills):
    response = upload_fills("20261120")

    assert response.status_code == 400
    assert (
        "<li>Row 3 trade_date: must be a date string YYYY-MM-DD, not &#x27;20261120&#x27;</li>"
    ) in response.content.decode()
    assert _nothing_filled()


def test_fills_dated_today_in_the_firms_time_zone_are_imported(upload_fills):
    response = upload_fills("2026-11-20")

    assert response.status_code == 302
    assert set(Fill.objects.values_list("trade_date", flat=True)) == {dt.date(2026, 11, 20)}
