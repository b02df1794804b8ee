"""A proposal's optimality certificate (lower bound, gap in bp) on the API and its page."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from firms.models import Role
from tests.api.conftest import key_client
from tests.trading.builders import AS_OF, small_book


def test_the_certificate_is_in_the_api_and_on_the_proposal_page(firm_a, member_factory):
    # given
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a, scopes=("trade", "read"))

    # when
    created = api.post(
        f"/api/v1/accounts/{account.pk}/optimize/", {"as_of": str(AS_OF)}, format="json"
    ).json()
    detail = api.get(f"/api/v1/proposals/{created['id']}/").json()
    browser = Client()
    browser.force_login(member_factory(firm_a, Role.FIRM_ADMIN, "boss"))
    page = browser.get(reverse("proposal_detail", args=[created["id"]]))

    # then
    assert isinstance(detail["lower_bound"], str)
    assert Decimal(detail["certificate_gap_bp"]) >= 0
    assert detail["certificate_gap_bp"] == created["certificate_gap_bp"]
    assert page.status_code == 200
    assert "Optimality gap" in page.content.decode()
    assert f"{detail['certificate_gap_bp']} bp" in page.content.decode()
