"""API test helpers: clients that call with an API key or as a signed-in member."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from firms.models import ApiKey
from firms.services.api_keys import api_key_create
from rebalancer.actors import Actor


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


class KeyClient(APIClient):
    """An API client that sends an API key's bearer token; ``api_key`` is the key."""

    api_key: ApiKey


def key_client(firm, scopes=("read", "import", "trade"), name=None) -> KeyClient:
    issued = api_key_create(
        firm=firm,
        actor=Actor.system("test"),
        name=name or f"key-{'-'.join(scopes)}",
        scopes=list(scopes),
    )
    client = KeyClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw_key}")
    client.api_key = issued.api_key
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def api_a(firm_a):
    return key_client(firm_a)


@pytest.fixture
def api_b(firm_b):
    return key_client(firm_b)


ROLES = ("firm_admin", "advisor", "model_manager", "trader", "compliance")


@pytest.fixture
def people_a(firm_a, member_factory):
    """One signed-in member of firm A per role."""
    return {role: member_factory(firm_a, role, f"{role}-a") for role in ROLES}


def problem(response, status: int) -> dict:
    """The response's problem body, after checking its status and media type."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body
