"""Input that used to be a server error is a 400 problem naming the parameter or field:
NUL characters in query strings, JSON nested too deep, fills files with numbers no column
can hold; errors outside any route are problems too; query parameters are checked against
the schema; a fills file's errors name its own lines and columns; responses match the
schema. Run these on PostgreSQL as well: NUL characters fail only there."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import PreferenceSet
from firms.services.api_keys import api_key_create
from rebalancer.actors import Actor
from rebalancer.wsgi import application
from tests.api.conftest import key_client, problem
from tests.factories import HouseholdFactory
from tests.trading.builders import AS_OF, small_book
from trading.models import Fill

pytestmark = pytest.mark.django_db

HEADER = "fill_id,order_id,account_number,quantity,price,trade_date\n"


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/households/?search=%00", "search"),
        ("/api/v1/accounts/?search=a%00b", "search"),
        ("/api/v1/securities/?symbol=%00", "symbol"),
        ("/api/v1/prices/?symbol=%00", "symbol"),
    ],
)
def test_a_nul_character_in_a_query_parameter_is_a_400_naming_it(api_a, url, parameter):
    body = problem(api_a.get(url), 400)
    assert body["errors"] == [
        {"row": None, "field": parameter, "message": "contains a NUL character"}
    ]
    assert body["detail"] == f"{parameter}: contains a NUL character"


def test_json_nested_too_deep_is_a_400(api_a):
    deep = "[" * 50_000 + "]" * 50_000
    response = api_a.post("/api/v1/households/", deep, content_type="application/json")
    body = problem(response, 400)
    assert body["detail"] == "JSON parse error - nested deeper than 64 levels"


def test_an_unmatched_api_url_with_a_newline_is_a_problem_404(api_a):
    body = problem(api_a.get("/api/v1/accounts/1%0A/preferences/"), 404)
    assert body["instance"] == "/api/v1/accounts/1\n/preferences/"


def test_an_api_url_outside_the_version_is_a_problem_404(api_a):
    problem(api_a.get("/api/v2/households/"), 404)


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("page_size=null", "page_size", "must be an integer, not 'null'"),
        ("household=x", "household", "must be an integer, not 'x'"),
    ],
)
def test_a_query_parameter_against_its_schema_is_a_400_naming_it(api_a, query, parameter, message):
    body = problem(api_a.get(f"/api/v1/clients/?{query}"), 400)
    assert body["errors"] == [{"row": None, "field": parameter, "message": message}]


@pytest.fixture
def exported(firm_a):
    """An exported blotter's fills URL, its API client and the first export row."""
    _, _, [account] = small_book(firm=firm_a, accounts=1)
    api = key_client(firm_a, name="desk")
    account_id = account.pk
    proposal = api.post(
        f"/api/v1/accounts/{account_id}/optimize/", {"as_of": str(AS_OF)}, format="json"
    ).json()
    api.post(f"/api/v1/proposals/{proposal['id']}/approve/")
    blotter = api.post("/api/v1/blotters/").json()
    api.post(f"/api/v1/blotters/{blotter['id']}/approve/")
    first = api.post(f"/api/v1/blotters/{blotter['id']}/export/").json()[0]
    return api, f"/api/v1/blotters/{blotter['id']}/fills/", first


def _line(first: dict, *, fill_id="F1", quantity=None, price=None) -> str:
    quantity = first["allocation_quantity"] if quantity is None else quantity
    price = first["estimated_price"] if price is None else price
    return f"{fill_id},{first['order_id']},{first['account_number']},{quantity},{price},2025-07-01"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quantity": "NaN"}, "quantity", "is not a number: 'NaN'"),
        ({"quantity": "Infinity"}, "quantity", "is not a number: 'Infinity'"),
        ({"price": "1e30"}, "price", "is too large (at most 10 digits before the point): '1e30'"),
    ],
)
def test_a_fills_csv_with_an_unstorable_value_is_a_400_naming_line_and_column(
    exported, change, field, message
):
    api, url, first = exported
    text = HEADER + _line(first, **change) + "\n"
    body = problem(api.post(url, text, content_type="text/csv"), 400)
    assert body["errors"] == [{"row": 2, "field": field, "message": message}]
    # the same words as the web's message for the same file
    assert body["detail"] == f"Row 2 {field}: {message}"
    assert not Fill.objects.exists()


def test_a_fills_csv_error_from_the_ledger_names_the_csv_line_and_column(exported):
    api, url, first = exported
    # 80 characters fit a fill id, but the ledger's transaction id is "fill-" and the fill id
    text = HEADER + _line(first, fill_id="F" * 80) + "\n"
    errors = problem(api.post(url, text, content_type="text/csv"), 400)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "fill_id")]


def test_a_header_only_fills_file_is_a_400(exported):
    api, url, _ = exported
    body = problem(api.post(url, HEADER, content_type="text/csv"), 400)
    assert body["errors"] == [{"row": None, "field": None, "message": "the file has no fills"}]


@pytest.fixture
def _keep_the_test_connection():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_household_preferences_match_the_schema(firm_a, method, _keep_the_test_connection):
    household = HouseholdFactory(firm=firm_a)
    PreferenceSet.objects.create(firm=firm_a, household=household, long_term_rate="0.1500")
    key = api_key_create(
        firm=firm_a, actor=Actor.system("test"), name="schema", scopes=["read", "import"]
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operation = schema["/api/v1/households/{household_id}/preferences/"][method]
    body: dict[str, Any] = {"body": {"short_term_rate": "0.3000"}} if method == "PATCH" else {}
    case = operation.Case(path_parameters={"household_id": household.pk}, **body)
    response = case.call(headers={"Authorization": f"Bearer {key.raw_key}"})
    assert response.status_code == 200
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    body = response.json()
    assert body["effective"]["long_term_rate"] == "0.1500"
    assert body["sources"]["long_term_rate"] == "household"
    assert body["sources"]["harvest_losses"] == "default"
