"""Four eyes means two people: an approval made with an API key counts as the person who
created the key, so nobody completes a blotter's approval alone, in the web or the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import Blotter, BlotterStatus
from trading.services.blotters import blotter_create
from trading.services.review import proposals_bulk_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def blotter(book):
    book.firm.require_four_eyes = True
    book.firm.save()
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    return blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))


def _issue_trade_key(person, name: str) -> tuple[int, APIClient]:
    """``person`` issues a trade key the way the web UI does (their signed-in session)."""
    response = client_for(person).post(
        "/api/v1/api-keys/",
        {"name": name, "scopes": ["read", "trade"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['key']}")
    return response.json()["id"], api


def _status(blotter) -> str:
    return Blotter.objects.get(pk=blotter.pk).status


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_admin_and_their_own_key_are_one_person(book, blotter, member_factory):
    admin = book.people["admin"]
    url = reverse("blotter_approve", args=[blotter.pk])
    # given the admin approved in the web
    client_for(admin).post(url)
    assert _status(blotter) == BlotterStatus.PARTLY_APPROVED
    approvals = AuditEvent.objects.filter(action="blotter.approve").count()
    # when they issue a trade key and approve again with it
    _, api = _issue_trade_key(admin, "admin-desk")
    response = api.post(f"/api/v1/blotters/{blotter.pk}/approve/")
    # then it is refused, naming why, and nothing changed
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["detail"] == (
        "a second, different person must approve this blotter: the API key 'admin-desk' "
        "acts for a-admin, who gave the first approval"
    )
    stored = Blotter.objects.get(pk=blotter.pk)
    assert (stored.status, stored.first_approved_by, stored.second_approved_by) == (
        BlotterStatus.PARTLY_APPROVED,
        admin,
        None,
    )
    assert AuditEvent.objects.filter(action="blotter.approve").count() == approvals
    # and a second person completes it
    client_for(member_factory(book.firm, "trader", "a-trader-2")).post(url)
    assert _status(blotter) == BlotterStatus.APPROVED


def test_a_person_cannot_second_the_approval_their_key_gave(book, blotter):
    trader = book.people["trader"]
    # given a key the admin created approved first
    _, api = _issue_trade_key(book.people["admin"], "desk")
    first = api.post(f"/api/v1/blotters/{blotter.pk}/approve/")
    assert first.json()["status"] == BlotterStatus.PARTLY_APPROVED
    assert AuditEvent.objects.get(action="blotter.approve").note == (
        "Approved with the API key 'desk', which acts for a-admin."
    )
    # when the admin approves in the web
    response = client_for(book.people["admin"]).post(
        reverse("blotter_approve", args=[blotter.pk]), follow=True
    )
    # then it is refused with a message, and the blotter still waits for a second person
    assert _messages(response) == [
        "a second, different person must approve this blotter: the first approval came "
        "from the API key 'desk', which acts for a-admin"
    ]
    assert _status(blotter) == BlotterStatus.PARTLY_APPROVED
    # and another trader completes it
    client_for(trader).post(reverse("blotter_approve", args=[blotter.pk]))
    assert _status(blotter) == BlotterStatus.APPROVED


def test_keys_of_two_people_are_still_not_two_pairs_of_eyes(book, blotter, member_factory):
    second_admin = member_factory(book.firm, "firm_admin", "a-admin-2")
    _, first_key = _issue_trade_key(book.people["admin"], "desk-1")
    _, second_key = _issue_trade_key(second_admin, "desk-2")
    first_key.post(f"/api/v1/blotters/{blotter.pk}/approve/")
    response = second_key.post(f"/api/v1/blotters/{blotter.pk}/approve/")
    assert response.status_code == 409
    assert "two API keys are not two people" in response.json()["detail"]
    assert _status(blotter) == BlotterStatus.PARTLY_APPROVED
    # the second admin, in person, completes it
    client_for(second_admin).post(reverse("blotter_approve", args=[blotter.pk]))
    assert _status(blotter) == BlotterStatus.APPROVED
