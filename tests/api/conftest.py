"""API test helpers: clients that call with an API key or as a signed-in member."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services.api_keys import api_key_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def key_client(firm, scopes=("read", "import", "trade"), name=None) -> APIClient:
    issued = api_key_create(
        firm=firm, actor="test", name=name or f"key-{'-'.join(scopes)}", scopes=list(scopes)
    )
    client = APIClient()
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
