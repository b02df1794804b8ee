"""Every endpoint for every role (signed in) and every scope (API key): who gets 403.

Permission is decided before any object is looked up, so calls on missing objects (id
999999) or with empty bodies answer 404 or 400 when allowed, 403 when not; nothing changes.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import ROLES, key_client, session_client

pytestmark = pytest.mark.django_db

ALL = set(ROLES)
ADMIN = {"firm_admin"}
MODELS = {"firm_admin", "advisor", "model_manager", "compliance"}
BLOTTERS = {"firm_admin", "trader", "compliance"}
RUNS = {"firm_admin", "advisor", "compliance"}
TRADERS = {"firm_admin", "trader"}
ADVISORS = {"firm_admin", "advisor"}
MANAGERS = {"firm_admin", "model_manager"}
KEYS_NEVER = None  # API keys may never call these (firm admins, signed in, only)
STEWARD = None  # a steward firm's import keys and admins only; firm A is not a steward

# (method, path, scope a key needs, roles that may)
ENDPOINTS = [
    ("get", "/api/v1/api-keys/", KEYS_NEVER, ADMIN),
    ("post", "/api/v1/api-keys/", KEYS_NEVER, ADMIN),
    ("post", "/api/v1/api-keys/999999/revoke/", KEYS_NEVER, ADMIN),
    ("get", "/api/v1/households/", "read", ALL),
    ("post", "/api/v1/households/", "import", ADMIN),
    ("get", "/api/v1/households/999999/", "read", ALL),
    ("get", "/api/v1/households/999999/preferences/", "read", ALL),
    ("patch", "/api/v1/households/999999/preferences/", "import", ADVISORS),
    ("get", "/api/v1/clients/?household=999999", "read", ALL),
    ("post", "/api/v1/clients/", "import", ADMIN),
    ("get", "/api/v1/accounts/", "read", ALL),
    ("post", "/api/v1/accounts/", "import", ADMIN),
    ("get", "/api/v1/accounts/999999/", "read", ALL),
    ("post", "/api/v1/accounts/999999/model/", "import", ADMIN),
    ("get", "/api/v1/accounts/999999/preferences/", "read", ALL),
    ("patch", "/api/v1/accounts/999999/preferences/", "import", ADVISORS),
    ("get", "/api/v1/accounts/999999/transactions/", "read", ALL),
    ("get", "/api/v1/accounts/999999/lots/", "read", ALL),
    ("get", "/api/v1/accounts/999999/gifts/", "read", ALL),
    ("post", "/api/v1/accounts/999999/gifts/", "import", ADVISORS),
    ("post", "/api/v1/accounts/999999/gifts/999999/cancel/", "import", ADVISORS),
    ("get", "/api/v1/accounts/999999/positions/", "read", ALL),
    ("get", "/api/v1/accounts/999999/cash/", "read", ALL),
    ("get", "/api/v1/accounts/999999/drift/", "read", ALL),
    ("post", "/api/v1/accounts/999999/optimize/", "trade", ADVISORS),
    ("get", "/api/v1/securities/", "read", ALL),
    ("post", "/api/v1/securities/bulk/", "import", ADMIN),
    ("get", "/api/v1/prices/", "read", ALL),
    ("post", "/api/v1/prices/bulk/", "import", ADMIN),
    ("get", "/api/v1/prices/own/", "read", ALL),
    ("get", "/api/v1/prices/held/", STEWARD, set()),
    ("post", "/api/v1/prices/held/999999/release/", STEWARD, set()),
    ("post", "/api/v1/prices/held/999999/reject/", STEWARD, set()),
    ("post", "/api/v1/prices/adopt/", STEWARD, set()),
    ("post", "/api/v1/transactions/bulk/", "import", ADMIN),
    ("post", "/api/v1/cash/bulk/", "import", ADMIN),
    ("get", "/api/v1/corporate-actions/", "read", ALL),
    ("post", "/api/v1/corporate-actions/", STEWARD, set()),
    ("post", "/api/v1/custodian-positions/bulk/", "import", ADMIN),
    ("get", "/api/v1/reconciliations/", "read", ALL),
    ("post", "/api/v1/reconciliations/999999/resolve/", "trade", ADMIN),
    ("get", "/api/v1/models/", "read", MODELS),
    ("get", "/api/v1/models/999999/", "read", MODELS),
    ("patch", "/api/v1/models/999999/", "trade", {"firm_admin", "model_manager"}),
    ("get", "/api/v1/model-versions/999999/", "read", MODELS),
    ("get", "/api/v1/equivalence-sets/", "read", MODELS),
    ("post", "/api/v1/equivalence-sets/", "import", MANAGERS),
    ("get", "/api/v1/equivalence-sets/999999/", "read", MODELS),
    ("put", "/api/v1/equivalence-sets/999999/", "import", MANAGERS),
    ("delete", "/api/v1/equivalence-sets/999999/", "import", MANAGERS),
    ("post", "/api/v1/model-versions/999999/publish/", "trade", {"firm_admin", "model_manager"}),
    ("get", "/api/v1/proposals/", "read", ALL),
    ("get", "/api/v1/proposals/999999/", "read", ALL),
    ("post", "/api/v1/proposals/999999/approve/", "trade", ADVISORS),
    ("post", "/api/v1/proposals/999999/reject/", "trade", ADVISORS),
    ("get", "/api/v1/blotters/", "read", BLOTTERS),
    ("post", "/api/v1/blotters/", "trade", TRADERS),
    ("get", "/api/v1/blotters/999999/", "read", BLOTTERS),
    ("post", "/api/v1/blotters/999999/approve/", "trade", TRADERS),
    ("post", "/api/v1/blotters/999999/export/", "trade", TRADERS),
    ("post", "/api/v1/blotters/999999/fills/", "trade", TRADERS),
    ("get", "/api/v1/runs/", "read", RUNS),
    ("post", "/api/v1/runs/", "trade", ADMIN),
    ("get", "/api/v1/runs/999999/", "read", RUNS),
    ("get", "/api/v1/households/999999/management/", "read", ALL),
    ("patch", "/api/v1/households/999999/management/", "import", ADVISORS),
    ("get", "/api/v1/households/999999/held-away/", "read", ALL),
    ("post", "/api/v1/households/999999/held-away/", "import", ADVISORS),
    ("get", "/api/v1/household-proposals/", "read", ALL),
    ("get", "/api/v1/households/999999/proposal/", "read", ALL),
    ("post", "/api/v1/households/999999/proposal/approve/", "trade", ADVISORS),
]


def _call(client, method: str, path: str):
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, {}, format="json")


def _mismatches(client, allowed) -> list[str]:
    wrong = []
    for method, path, scope, roles in ENDPOINTS:
        status = _call(client, method, path).status_code
        expected_allowed = allowed(scope, roles)
        if expected_allowed and status in (401, 403) or not expected_allowed and status != 403:
            wrong.append(f"{method.upper()} {path}: {status}")
    return wrong


def test_the_table_covers_every_operation_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "patch", "put", "delete"}
    }
    tabled = {(m, p.split("?")[0].replace("999999", "{x}")) for m, p, _, _ in ENDPOINTS}
    normalized = {
        (m, "/".join("{x}" if part.startswith("{") else part for part in p.split("/")))
        for m, p in operations
    }
    assert normalized == tabled


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_its_role_allows(people_a, role):
    client = session_client(people_a[role])
    assert _mismatches(client, lambda scope, roles: role in roles) == []


@pytest.mark.parametrize("scope", ["read", "import", "trade"])
def test_a_key_with_one_scope_may_call_exactly_that_scopes_endpoints(firm_a, scope):
    client = key_client(firm_a, scopes=(scope,))
    assert _mismatches(client, lambda needed, roles: needed == scope) == []


def test_without_credentials_every_endpoint_answers_401_with_the_bearer_challenge(db):
    from rest_framework.test import APIClient

    client = APIClient()
    for method, path, _, _ in ENDPOINTS:
        response = _call(client, method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_signed_in_user_of_no_firm_is_refused(db):
    from tests.factories import UserFactory

    client = session_client(UserFactory(username="nobody"))
    assert client.get("/api/v1/households/").status_code == 403
