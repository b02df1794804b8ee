"""Input that used to be a server error on the web is a 400: a NUL character in a search or
filter or a form field (run on PostgreSQL: NUL fails only there), and a fills file with a
number no column can hold or no fills at all, each named by line and column."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import Fill
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposals_bulk_approve

pytestmark = pytest.mark.django_db

HEADER = "fill_id,order_id,account_number,quantity,price,trade_date\n"


@pytest.mark.parametrize(
    ("page", "query", "field"),
    [
        ("households", "q=%00", "q"),
        ("accounts", "q=a%00", "q"),
        ("proposals", "q=%00", "q"),
        ("audit_log", "action=%00", "action"),
        ("audit_log", "actor=%00", "actor"),
        ("audit_log", "account=%00", "account"),
    ],
)
def test_a_nul_character_in_a_search_or_filter_is_a_400_page(book, page, query, field):
    response = client_for(book.people["admin"]).get(f"{reverse(page)}?{query}")
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert f"The field “{field}” contains a NUL character" in text


def test_a_nul_character_in_a_form_field_is_a_400_page(db):
    response = Client().post(reverse("login"), {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "contains a NUL character" in html.unescape(response.content.decode())


@pytest.fixture
def exported(book):
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    blotter = blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))
    blotter_approve(firm=book.firm, actor=Actor.person(book.people["trader"]), blotter=blotter)
    export = orders_export_csv(
        firm=book.firm, actor=Actor.person(book.people["trader"]), blotter=blotter
    )
    first = next(csv.DictReader(io.StringIO(export)))
    return client_for(book.people["trader"]), reverse("blotter_import", args=[blotter.pk]), first


def _upload(text: str) -> dict:
    return {"file": SimpleUploadedFile("fills.csv", text.encode(), content_type="text/csv")}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"quantity": "NaN"}, "Row 2 quantity: is not a number: 'NaN'"),
        (
            {"price": "1e30"},
            "Row 2 price: is too large (at most 10 digits before the point): '1e30'",
        ),
        ({"fill_id": "F\x001"}, "Row 2 fill_id: contains a NUL character"),
    ],
)
def test_a_fills_file_with_an_unstorable_value_is_refused_by_line_and_column(
    exported, change, error
):
    trader, url, first = exported
    values = {
        "fill_id": "F1",
        "order_id": first["order_id"],
        "account_number": first["account_number"],
        "quantity": first["allocation_quantity"],
        "price": first["estimated_price"],
        "trade_date": "2025-07-01",
    }
    values.update(change)
    response = trader.post(url, _upload(HEADER + ",".join(values.values()) + "\n"))
    assert response.status_code == 400
    assert f"<li>{error}</li>" in html.unescape(response.content.decode())
    assert not Fill.objects.exists()


def test_a_header_only_fills_file_is_refused(exported):
    trader, url, _ = exported
    response = trader.post(url, _upload(HEADER))
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "<li>the file has no fills</li>" in text
    assert "imported; lots updated" not in text
