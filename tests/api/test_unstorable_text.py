"""Text PostgreSQL cannot store is a bad request, never a server error."""

from __future__ import annotations

import json

import pytest

from rebalancer.api.parsers import find_unstorable_text


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"rows": [{"symbol": "A\u0000B"}]}, "$.rows[0].symbol contains a NUL character"),
        ({"k\u0000": 1}, "a key under $ contains a NUL character"),
        ({"x": ["\ud800"]}, "$.x[0] contains an unpaired surrogate (not valid Unicode)"),
        ({"fine": ["é", "😀", 1, None]}, None),
    ],
)
def test_finds_the_first_unstorable_string(data, found):
    assert find_unstorable_text(data) == found


@pytest.mark.django_db
def test_bulk_import_with_a_nul_byte_is_a_400_problem(client, admin_a):
    client.force_login(admin_a)
    body = json.dumps({"rows": [{"external_id": "T\u00001", "account_number": "X"}]})
    response = client.post("/api/v1/transactions/bulk/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "NUL" in response.json()["detail"]
