"""A firm that requires multi-factor sign-in: its people set it up before anything else;
another firm, and API keys, are not affected. Firm admins set it, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from firms.middleware import SESSION_FIRM_KEY
from firms.models import AuditEvent, Firm, Role
from firms.services.api_keys import api_key_create
from rebalancer.actors import Actor
from tests.accounts.mfa import enrol
from tests.factories import MembershipFactory
from tests.web.helpers import client_for


@pytest.fixture
def strict_firm(firm_a):
    Firm.objects.filter(pk=firm_a.pk).update(require_mfa=True)
    firm_a.refresh_from_db()
    return firm_a


def test_every_page_sends_a_person_without_it_to_set_it_up(strict_firm, advisor_a):
    client = client_for(advisor_a)
    for url in (reverse("dashboard"), reverse("accounts"), reverse("audit_log"), "/admin/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("security")), url
    page = client.get(reverse("security")).content.decode()
    assert "Alpha Advisors requires multi-factor sign-in: set it up to continue." in page
    htmx = client.get(reverse("accounts"), HTTP_HX_REQUEST="true")
    assert (htmx.status_code, htmx["HX-Redirect"]) == (200, reverse("security"))


def test_setting_it_up_sign_out_and_static_files_stay_open(strict_firm, advisor_a):
    client = client_for(advisor_a)
    assert client.get("/static/css/app.css").get("Location") != reverse("security")
    assert client.post(reverse("mfa_enrol")).status_code == 302
    assert client.get(reverse("security")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_once_set_up_the_pages_open(strict_firm, advisor_a):
    enrol(advisor_a)
    assert client_for(advisor_a).get(reverse("dashboard")).status_code == 200


def test_another_firm_is_not_affected(strict_firm, advisor_b):
    assert client_for(advisor_b).get(reverse("dashboard")).status_code == 200


def test_a_person_in_two_firms_is_held_to_the_firm_they_work_in(strict_firm, firm_b, advisor_b):
    MembershipFactory(user=advisor_b, firm=strict_firm, role=Role.ADVISOR)
    client = client_for(advisor_b)
    session = client.session
    session[SESSION_FIRM_KEY] = firm_b.pk
    session.save()
    assert client.get(reverse("dashboard")).status_code == 200
    session[SESSION_FIRM_KEY] = strict_firm.pk
    session.save()
    assert client.get(reverse("dashboard"))["Location"] == reverse("security")


def test_api_keys_are_not_affected(strict_firm):
    issued = api_key_create(
        firm=strict_firm, actor=Actor.system("test"), name="custodian", scopes=["read"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    assert client.get("/api/v1/accounts/").status_code == 200


def test_only_firm_admins_set_it_and_it_is_audited(firm_a, firm_b, admin_a, advisor_a):
    url = reverse("firm_security")
    assert client_for(advisor_a).get(url).status_code == 403
    assert client_for(advisor_a).post(url, {"require_mfa": "on"}).status_code == 403
    admin = client_for(admin_a)
    page = admin.get(url).content.decode()
    assert "Not set up yet (2)" in page and "advisor-a" in page
    assert admin.post(url, {"require_mfa": "on"}).status_code == 302
    assert Firm.objects.get(pk=firm_a.pk).require_mfa is True
    assert Firm.objects.get(pk=firm_b.pk).require_mfa is False
    event = AuditEvent.objects.get(action="firm.security_update")
    assert (event.firm, event.actor, event.before, event.after) == (
        firm_a,
        admin_a,
        {"require_mfa": False},
        {"require_mfa": True},
    )
    # the admin, without it themselves, is now sent to set it up too
    assert admin.get(reverse("dashboard"))["Location"] == reverse("security")
