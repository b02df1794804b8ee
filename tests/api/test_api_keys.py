"""API keys: stored hashed, shown once, bound to a firm, expiring and revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from firms.models import ApiKey, AuditEvent, Membership, Role
from firms.services.api_keys import api_key_create, api_key_revoke
from rebalancer.actors import Actor
from tests.api.conftest import problem, session_client

pytestmark = pytest.mark.django_db


def _client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_only_a_digest_of_the_key_is_stored(firm_a):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read"])
    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert stored.key_sha256 == hashlib.sha256(issued.raw_key.encode()).hexdigest()
    secret = issued.raw_key.split("_", 2)[2]
    assert all(secret not in str(value) for value in vars(stored).values())
    assert issued.raw_key.startswith(f"rbk_{stored.prefix}_")


def test_a_valid_key_reads_its_firm(firm_a):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read"])
    assert _client(issued.raw_key).get("/api/v1/households/").status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret, right prefix
        lambda raw: "rbk_000000000000_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: "not-a-key",
    ],
)
def test_a_wrong_key_is_refused_with_401(firm_a, tamper):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read"])
    response = _client(tamper(issued.raw_key)).get("/api/v1/households/")
    problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_key_is_refused(firm_a):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read"])
    ApiKey.objects.filter(pk=issued.api_key.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    problem(_client(issued.raw_key).get("/api/v1/households/"), 401)


def test_a_key_expires_after_a_year_by_default(firm_a):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read"])
    expires_at = issued.api_key.expires_at
    assert expires_at is not None
    left = expires_at - timezone.now()
    assert dt.timedelta(days=364) < left <= dt.timedelta(days=365)


def test_a_revoked_key_is_refused_and_its_trader_membership_ends(firm_a, admin_a):
    issued = api_key_create(
        firm=firm_a, actor=Actor.system("test"), name="desk", scopes=["read", "trade"]
    )
    membership = Membership.objects.get(user=issued.api_key.user)
    assert (membership.firm, membership.role, membership.is_active) == (firm_a, Role.TRADER, True)
    api_key_revoke(firm=firm_a, actor=Actor.person(admin_a), api_key=issued.api_key)
    problem(_client(issued.raw_key).get("/api/v1/households/"), 401)
    assert Membership.objects.get(pk=membership.pk).is_active is False


def test_a_key_without_trade_scope_has_no_membership(firm_a):
    issued = api_key_create(
        firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["read", "import"]
    )
    assert not Membership.objects.filter(user=issued.api_key.user).exists()
    assert not issued.api_key.user.has_usable_password()


def test_the_command_prints_a_working_key(firm_a):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_key",
        firm="alpha",
        scopes="read,import",
        name="custodian",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith("rbk_")
    assert "not shown again" in err.getvalue()
    assert ApiKey.objects.get(name="custodian").scopes == ["import", "read"]
    assert _client(raw).get("/api/v1/securities/").status_code == 200


def test_a_firm_admin_issues_lists_and_revokes_keys_through_the_api(firm_a, admin_a):
    client = session_client(admin_a)
    # when the admin issues a key
    created = client.post(
        "/api/v1/api-keys/", {"name": "feed", "scopes": ["read", "import"]}, format="json"
    )
    assert created.status_code == 201
    raw = created.json()["key"]
    # then it works, is listed without the key, and revoking it stops it
    assert _client(raw).get("/api/v1/households/").status_code == 200
    listed = client.get("/api/v1/api-keys/").json()["results"]
    assert [k["name"] for k in listed] == ["feed"]
    assert "key" not in listed[0]
    key_id = created.json()["id"]
    revoked = client.post(f"/api/v1/api-keys/{key_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    problem(_client(raw).get("/api/v1/households/"), 401)
    problem(client.post(f"/api/v1/api-keys/{key_id}/revoke/"), 409)
    actions = set(AuditEvent.objects.filter(firm=firm_a).values_list("action", flat=True))
    assert {"api_key.create", "api_key.revoke"} <= actions


def test_issuing_refuses_unknown_scopes_and_duplicate_names(firm_a, admin_a):
    client = session_client(admin_a)
    bad = client.post("/api/v1/api-keys/", {"name": "x", "scopes": ["admin"]}, format="json")
    assert problem(bad, 400)["errors"][0]["field"] == "scopes.0"
    client.post("/api/v1/api-keys/", {"name": "dup", "scopes": ["read"]}, format="json")
    again = client.post("/api/v1/api-keys/", {"name": "dup", "scopes": ["read"]}, format="json")
    assert problem(again, 400)["errors"] == [
        {"row": None, "field": "name", "message": "a key named 'dup' already exists"}
    ]


def test_what_a_key_does_is_audited_under_its_own_name(firm_a):
    issued = api_key_create(firm=firm_a, actor=Actor.system("test"), name="feed", scopes=["import"])
    _client(issued.raw_key).post("/api/v1/households/", {"name": "Rivera"}, format="json")
    event = AuditEvent.objects.get(firm=firm_a, action="household.create")
    assert event.actor_label == issued.api_key.user.username
    assert event.actor_label.startswith("api-alpha-")
