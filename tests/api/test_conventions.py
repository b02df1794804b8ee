"""Conventions every endpoint shares: problem details, cursor pagination, rate limits per
key, Decimals as strings, and a schema where each operation is described with examples."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from firms.api.throttling import PerKeyRateThrottle
from tests.api.conftest import key_client, problem
from tests.factories import HouseholdFactory, PriceFactory
from trading.models import Blotter

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_problem_404(api_a):
    body = problem(api_a.get("/api/v1/no-such-thing/"), 404)
    assert body["instance"] == "/api/v1/no-such-thing/"


def test_a_malformed_json_body_is_a_problem_400(api_a):
    response = api_a.post("/api/v1/households/", "{not json", content_type="application/json")
    problem(response, 400)


def test_an_unsupported_media_type_is_a_problem_415(api_a):
    response = api_a.post(
        "/api/v1/households/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    problem(response, 415)


def test_a_state_conflict_is_a_problem_409(firm_a, api_a):
    blotter = Blotter.objects.create(firm=firm_a, number=1, status="exported")
    body = problem(api_a.post(f"/api/v1/blotters/{blotter.pk}/approve/"), 409)
    assert "cannot be approved" in body["detail"]


def test_a_method_not_allowed_is_a_problem_405(api_a):
    problem(api_a.delete("/api/v1/households/"), 405)


def test_cursor_pagination_walks_every_item_once(firm_a, api_a):
    made = {HouseholdFactory(firm=firm_a).pk for _ in range(5)}
    seen, url, pages = [], "/api/v1/households/?page_size=2", 0
    while url:
        body = api_a.get(url).json()
        seen += [h["id"] for h in body["results"]]
        url, pages = body["next"], pages + 1
    assert sorted(seen) == sorted(made)
    assert pages == 3


def test_page_size_is_capped(firm_a, api_a):
    HouseholdFactory(firm=firm_a)
    response = api_a.get("/api/v1/households/?page_size=100000")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_decimals_are_strings(api_a):
    PriceFactory(security__symbol="VTI", close="300.125")
    [row] = api_a.get("/api/v1/prices/?symbol=VTI").json()["results"]
    assert row["close"] == "300.125000"


def test_over_the_rate_limit_a_key_gets_429_with_retry_after(firm_a, monkeypatch):
    monkeypatch.setattr(PerKeyRateThrottle, "THROTTLE_RATES", {"api": "2/min"})
    limited, other = key_client(firm_a, name="one"), key_client(firm_a, name="two")
    for _ in range(2):
        assert limited.get("/api/v1/households/").status_code == 200
    response = limited.get("/api/v1/households/")
    body = problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert "retry in" in body["detail"]
    assert other.get("/api/v1/households/").status_code == 200


def test_the_schema_and_docs_are_served_without_credentials(db):
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Rebalancer API"
    assert client.get("/api/v1/docs/").status_code == 200


def test_every_operation_has_a_summary_a_description_and_examples(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            has_examples = any(
                "examples" in media
                for part in [op.get("requestBody", {})] + list(op["responses"].values())
                for media in part.get("content", {}).values()
            )
            if not (op.get("summary") and op.get("description") and has_examples):
                missing.append(f"{method.upper()} {path}")
            assert "application/problem+json" in op["responses"]["404"]["content"]
            if method == "post":
                assert "Idempotency-Key" in [p["name"] for p in op["parameters"]]
    assert missing == []


def test_a_busy_database_is_a_503_with_retry_after_and_a_bug_a_500_problem(rf):
    from django.db import OperationalError
    from rest_framework.request import Request

    from rebalancer.api.problems import problem_exception_handler

    context = {"request": Request(rf.get("/api/v1/households/")), "view": None}
    busy = problem_exception_handler(OperationalError("database is locked"), context)
    assert (busy.status_code, busy["Retry-After"]) == (503, "1")
    bug = problem_exception_handler(KeyError("oops"), context)
    assert bug.status_code == 500
    assert bug.data["detail"] == "An unexpected error occurred."
