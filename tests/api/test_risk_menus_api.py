"""The risk menus through the API: the preference endpoints read and write them with their
sources; a model's own tracking-error limit through the model endpoint; bad input is
refused naming the field, and nothing changes."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent, Role
from models_library.models import Security
from tests.api.conftest import key_client, problem, session_client
from tests.factories import (
    AccountFactory,
    HouseholdFactory,
    ModelAssignmentFactory,
    SecurityFactory,
)
from tests.trading.builders import etf_universe, published_model

pytestmark = pytest.mark.django_db

MENUS = {
    "tracking_error_limit_pct": "0.75",
    "risk_aversion": "0.2500",
    "min_benefit_usd": "40.00",
    "sector_limit_pct": "2.00",
    "asset_class_limit_pct": "5.00",
}


@pytest.fixture
def account(firm_a):
    etfs = etf_universe()
    Security.objects.filter(symbol__in=etfs).update(security_type="etf")
    model = published_model(firm=firm_a, weights={"VTI": "0.6", "BND": "0.4"}, securities=etfs)
    account = AccountFactory(household=HouseholdFactory(firm=firm_a))
    ModelAssignmentFactory(account=account, model=model)
    return account


def test_the_menus_round_trip_with_their_sources_and_an_audit(firm_a, api_a, account):
    url = f"/api/v1/accounts/{account.pk}/preferences/"
    before = api_a.get(url).json()
    assert before["effective"]["tracking_error_limit_pct"] == "0.50"
    assert before["sources"]["tracking_error_limit_pct"] == "default"
    assert before["effective"]["risk_aversion"] == "1.0000"
    assert before["effective"]["sector_limit_pct"] is None
    model = account.model_assignment.model
    assert before["model"] == {
        "id": model.pk,
        "name": model.name,
        "kind": "etf",
        "tracking_error_limit_pct": None,
    }
    # when every menu is set on the account
    response = api_a.patch(url, MENUS, format="json")
    # then each applies, from the account, and reads back the same
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body["own"][k] for k in MENUS} == MENUS
    assert {k: body["effective"][k] for k in MENUS} == MENUS
    assert {body["sources"][k] for k in MENUS} == {"account"}
    assert api_a.get(url).json()["effective"] == body["effective"]
    event = AuditEvent.objects.get(firm=firm_a, action="preferences.update")
    assert event.after == {**MENUS, "risk_aversion": "0.2500"}
    assert event.account_id_ref == account.pk


def test_the_household_default_then_the_models_own_limit(firm_a, api_a, account):
    household_url = f"/api/v1/households/{account.household_id}/preferences/"
    household = api_a.get(household_url).json()
    assert household["effective"]["tracking_error_limit_pct"] is None
    model = account.model_assignment.model
    # the model's own limit replaces the product default
    changed = api_a.patch(
        f"/api/v1/models/{model.pk}/", {"tracking_error_limit_pct": "0.40"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["tracking_error_limit_pct"] == "0.40"
    assert changed.json()["effective_tracking_error_limit_pct"] == "0.40"
    assert changed.json()["kind"] == "etf"
    url = f"/api/v1/accounts/{account.pk}/preferences/"
    body = api_a.get(url).json()
    assert (
        body["effective"]["tracking_error_limit_pct"],
        body["sources"]["tracking_error_limit_pct"],
    ) == ("0.40", "model")
    # and the household's default wins over the model's
    api_a.patch(household_url, {"tracking_error_limit_pct": "0.90"}, format="json")
    body = api_a.get(url).json()
    assert (
        body["effective"]["tracking_error_limit_pct"],
        body["sources"]["tracking_error_limit_pct"],
    ) == ("0.90", "household")
    assert AuditEvent.objects.filter(firm=firm_a, action="model.update").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tracking_error_limit_pct", "-1", "must be greater than 0 (percent a year)"),
        ("tracking_error_limit_pct", "100.5", "must be at most 100 (percent a year)"),
        ("tracking_error_limit_pct", "a lot", "A valid number is required."),
        ("sector_limit_pct", "-2", "must not be negative (percent)"),
        ("asset_class_limit_pct", "101", "must be at most 100 (percent)"),
        ("risk_aversion", "0", "must be greater than 0"),
        ("risk_aversion", "high", "A valid number is required."),
        ("min_benefit_usd", "-10", "must not be negative (dollars)"),
        ("min_benefit_bps", "-1", "must not be negative (bp)"),
        ("min_benefit_bps", "150", "must be at most 100 (bp)"),
    ],
)
def test_bad_menu_input_is_refused_naming_the_field(firm_a, api_a, account, field, value, message):
    response = api_a.patch(
        f"/api/v1/accounts/{account.pk}/preferences/", {field: value}, format="json"
    )
    errors = problem(response, 400)["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    assert not AuditEvent.objects.filter(action="preferences.update").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "must be greater than 0 (percent a year)"),
        ("1000", "must be at most 100 (percent a year)"),
        ("x", "A valid number is required."),
    ],
)
def test_a_bad_model_limit_is_refused_naming_the_field(firm_a, api_a, account, value, message):
    model = account.model_assignment.model
    response = api_a.patch(
        f"/api/v1/models/{model.pk}/", {"tracking_error_limit_pct": value}, format="json"
    )
    errors = problem(response, 400)["errors"]
    assert [e["field"] for e in errors] == ["tracking_error_limit_pct"]
    assert message in errors[0]["message"]
    assert not AuditEvent.objects.filter(action="model.update").exists()


def test_only_model_managers_and_trade_keys_set_a_models_limit(firm_a, member_factory, account):
    model = account.model_assignment.model
    url = f"/api/v1/models/{model.pk}/"
    advisor = session_client(member_factory(firm_a, Role.ADVISOR, "adv"))
    problem(advisor.patch(url, {"tracking_error_limit_pct": "0.4"}, format="json"), 403)
    read_only = key_client(firm_a, scopes=("read",))
    problem(read_only.patch(url, {"tracking_error_limit_pct": "0.4"}, format="json"), 403)
    manager = session_client(member_factory(firm_a, Role.MODEL_MANAGER, "mm"))
    assert manager.patch(url, {"tracking_error_limit_pct": "0.4"}, format="json").status_code == 200


def test_another_firm_reads_and_changes_nothing(firm_a, api_b, account):
    model = account.model_assignment.model
    problem(api_b.get(f"/api/v1/models/{model.pk}/"), 404)
    problem(
        api_b.patch(
            f"/api/v1/models/{model.pk}/", {"tracking_error_limit_pct": "0.4"}, format="json"
        ),
        404,
    )
    problem(
        api_b.patch(
            f"/api/v1/accounts/{account.pk}/preferences/", {"risk_aversion": "4"}, format="json"
        ),
        404,
    )
    model.refresh_from_db()
    assert model.tracking_error_limit_pct is None
    assert not AuditEvent.objects.filter(action__in=["model.update", "preferences.update"]).exists()


def test_a_direct_index_model_says_so(firm_a, api_a):
    stocks = {s: SecurityFactory(symbol=s, security_type="stock") for s in ("AAPL", "MSFT")}
    model = published_model(
        firm=firm_a, weights={"AAPL": "0.5", "MSFT": "0.5"}, securities=stocks, name="DI"
    )
    body = api_a.get(f"/api/v1/models/{model.pk}/").json()
    assert (body["kind"], body["effective_tracking_error_limit_pct"]) == ("direct_index", "1.00")
