"""The trading desk's pages: a blotter's totals and lots, holding an order, the approval's
confirmation page, and "run now" on the runs page (firm admins only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import BlotterStatus, ProposedTrade, Run
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.review import proposals_bulk_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def blotter(book):
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    return blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))


def test_the_confirmation_page_names_orders_and_notional(book, blotter):
    trader = client_for(book.people["trader"])
    page = trader.get(reverse("blotter_approve_confirm", args=[blotter.pk]))
    assert page.status_code == 200
    totals = page.context["totals"]
    assert totals.orders == blotter.orders.count()
    html = page.content.decode()
    assert f'name="orders" value="{totals.orders}"' in html
    assert f"Approve {totals.orders} order" in html
    # an advisor may not even see it
    assert (
        client_for(book.people["advisor"])
        .get(reverse("blotter_approve_confirm", args=[blotter.pk]))
        .status_code
        == 403
    )
    # a stale confirmation approves nothing and says why
    response = trader.post(
        reverse("blotter_approve", args=[blotter.pk]), {"orders": totals.orders + 1}, follow=True
    )
    assert "you confirmed" in " ".join(str(m) for m in response.context["messages"])
    blotter.refresh_from_db()
    assert blotter.status == BlotterStatus.OPEN
    trader.post(reverse("blotter_approve", args=[blotter.pk]), {"orders": totals.orders})
    blotter.refresh_from_db()
    assert blotter.status == BlotterStatus.APPROVED
    # an approved blotter's confirmation page sends the trader back
    again = trader.get(reverse("blotter_approve_confirm", args=[blotter.pk]))
    assert again.status_code == 302


def test_hold_from_the_blotter_page(book, blotter):
    order = blotter.orders.order_by("pk").first()
    url = reverse("blotter_order_hold", args=[blotter.pk, order.pk])
    assert client_for(book.people["advisor"]).post(url).status_code == 403
    assert blotter.orders.filter(pk=order.pk).exists()
    response = client_for(book.people["trader"]).post(url, follow=True)
    assert response.status_code == 200
    assert not blotter.orders.filter(pk=order.pk).exists()
    assert ProposedTrade.objects.filter(held=True).exists()
    assert response.context["totals"].orders == blotter.orders.count()


def test_hold_refused_once_approved(book, blotter):
    blotter_approve(firm=book.firm, actor=Actor.person(book.people["trader"]), blotter=blotter)
    order = blotter.orders.order_by("pk").first()
    response = client_for(book.people["trader"]).post(
        reverse("blotter_order_hold", args=[blotter.pk, order.pk]), follow=True
    )
    assert "only before the blotter is approved" in " ".join(
        str(m) for m in response.context["messages"]
    )
    assert blotter.orders.filter(pk=order.pk).exists()


def test_run_now_is_offered_to_and_done_by_firm_admins_only(book):
    for name in ("trader", "advisor", "compliance"):
        client = client_for(book.people[name])
        page = client.get(reverse("runs"))
        if page.status_code == 200:
            assert "Run now" not in page.content.decode()
        assert client.post(reverse("run_now"), {"accounts": ""}).status_code == 403
    assert not Run.objects.filter(trigger="user").exists()
    admin = client_for(book.people["admin"])
    assert "Run now" in admin.get(reverse("runs")).content.decode()
    refused = admin.post(reverse("run_now"), {"accounts": "NOPE-1"})
    assert refused.status_code == 400
    assert "no active account of this firm is numbered NOPE-1" in refused.content.decode()
    number = book.accounts[0].account_number
    response = admin.post(reverse("run_now"), {"accounts": number})
    run = Run.objects.get(trigger="user")
    assert response.status_code == 302 and response["Location"] == reverse(
        "run_detail", args=[run.pk]
    )
    assert run.total_accounts == 1


def test_order_terms_from_the_blotter_page(book, blotter):
    url = reverse("blotter_order_terms", args=[blotter.pk])
    body = {"order_type": "market_on_close", "time_in_force": "opg"}
    assert client_for(book.people["advisor"]).post(url, body).status_code == 403
    response = client_for(book.people["trader"]).post(url, body, follow=True)
    assert "Orders go out as market on close, at the opening." in response.content.decode()
    blotter.refresh_from_db()
    assert (blotter.order_type, blotter.time_in_force) == ("market_on_close", "opg")
    bad = client_for(book.people["trader"]).post(
        url, {"order_type": "limit", "time_in_force": "day"}, follow=True
    )
    assert "limit" in bad.content.decode() and "order type" in bad.content.decode()
